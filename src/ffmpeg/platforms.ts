// Streaming platform presets and destination URLs (spec "Output Destinations", DESIGN.md §2).
// Stream keys are secrets: build URLs with destinationUrl() and log them only through redactUrl().

export type Platform = 'youtube' | 'facebook' | 'twitch' | 'custom';
export type DestinationScheme = 'rtmp' | 'rtmps' | 'srt';

export interface PlatformPreset {
  id: Platform;
  label: string;
  /** Ingest servers, the default first. Empty for custom. */
  servers: readonly string[];
  schemes: readonly DestinationScheme[];
  /** The platform ends a live video after this long (null: no known limit). */
  maxDurationHours: number | null;
  /** Platform's recommended ceiling for video bitrate (null: none). */
  maxBitrateKbps: number | null;
  keyframeSeconds: number;
  /** Whether a stream key is required (custom servers may carry it in the URL already). */
  keyRequired: boolean;
}

export const PLATFORMS: Readonly<Record<Platform, PlatformPreset>> = {
  youtube: {
    id: 'youtube',
    label: 'YouTube Live',
    servers: ['rtmp://a.rtmp.youtube.com/live2', 'rtmps://a.rtmps.youtube.com:443/live2'],
    schemes: ['rtmp', 'rtmps'],
    maxDurationHours: null,
    maxBitrateKbps: 8000,
    keyframeSeconds: 2,
    keyRequired: true,
  },
  facebook: {
    id: 'facebook',
    label: 'Facebook Live',
    servers: ['rtmps://live-api-s.facebook.com:443/rtmp/'],
    schemes: ['rtmps'],
    maxDurationHours: 8,
    maxBitrateKbps: 4000,
    keyframeSeconds: 2,
    keyRequired: true,
  },
  twitch: {
    id: 'twitch',
    label: 'Twitch',
    servers: ['rtmp://live.twitch.tv/app'],
    schemes: ['rtmp', 'rtmps'],
    maxDurationHours: 48,
    maxBitrateKbps: 6000,
    keyframeSeconds: 2,
    keyRequired: true,
  },
  custom: {
    id: 'custom',
    label: 'Custom RTMP/RTMPS/SRT',
    servers: [],
    schemes: ['rtmp', 'rtmps', 'srt'],
    maxDurationHours: null,
    maxBitrateKbps: null,
    keyframeSeconds: 2,
    keyRequired: false,
  },
};

/**
 * The limit on one live session in force for a destination, in hours (null: none): its own
 * setting (0 = none), else the platform's.
 */
export function sessionLimitHours(platform: Platform, setting: number | null | undefined): number | null {
  const hours = setting ?? PLATFORMS[platform].maxDurationHours;
  return hours === null || hours <= 0 ? null : hours;
}

/**
 * When a session is restarted for a limit of `hours`: a little before it (10 % of it, at most
 * 10 minutes), so a platform that counts from its own first packet never ends it first.
 */
export function sessionRestartAfterMs(hours: number): number {
  const limitMs = hours * 3_600_000;
  return Math.round(limitMs - Math.min(600_000, limitMs * 0.1));
}

export class DestinationUrlError extends Error {
  override readonly name = 'DestinationUrlError';
}

const URL_RE = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s]+)([^?#\s]*)(\?[^#\s]*)?$/i;

/**
 * The full ingest URL for a platform: server (the preset's default when omitted) + "/" + key,
 * with exactly one slash between them. SRT keys go in the streamid query parameter.
 * Throws DestinationUrlError for a missing key, a malformed server or a scheme the platform
 * does not accept (Facebook: RTMPS only).
 */
export function destinationUrl(platform: Platform, serverUrl: string | undefined, streamKey: string): string {
  const preset = PLATFORMS[platform];
  const server = (serverUrl ?? '').trim() || preset.servers[0];
  if (server === undefined) throw new DestinationUrlError(`${preset.label}: a server URL is required`);
  const m = URL_RE.exec(server);
  if (!m) throw new DestinationUrlError(`${preset.label}: not a valid server URL`);
  const scheme = m[1]!.toLowerCase() as DestinationScheme;
  if (!preset.schemes.includes(scheme)) {
    throw new DestinationUrlError(
      `${preset.label} accepts ${preset.schemes.map((s) => s.toUpperCase()).join('/')} only, not ${scheme.toUpperCase()}`,
    );
  }
  const key = streamKey.trim();
  if (/\s/.test(key)) throw new DestinationUrlError(`${preset.label}: the stream key contains whitespace`);
  if (key === '') {
    if (preset.keyRequired) throw new DestinationUrlError(`${preset.label}: a stream key is required`);
    return server;
  }
  if (scheme === 'srt') {
    const sep = server.includes('?') ? '&' : '?';
    return `${server}${sep}streamid=${encodeURIComponent(key)}`;
  }
  if (server.includes('?')) {
    throw new DestinationUrlError(
      `${preset.label}: put the stream key in the key field, not in the server URL`,
    );
  }
  return `${server.replace(/\/+$/, '')}/${key.replace(/^\/+/, '')}`;
}

// One redaction for the whole appliance (logs, API, argv): src/core/redact.ts.
export { redactArgv, redactText, redactUrl } from '../core/redact.ts';
