// What the destination routes answer (src/api/routes/destinations.ts) and, per platform, where
// an operator finds the stream key.
import type { Platform, YouTubeBroadcastSettings } from '../../../../src/domain/schemas.ts';

export type { Platform };

export interface Destination {
  id: number;
  name: string;
  platform: Platform;
  /** Secrets in it are masked by the appliance. */
  server_url: string;
  has_stream_key: boolean;
  /** e.g. "••••••••x9k2"; null when none is set. */
  stream_key_masked: string | null;
  enabled: boolean;
  /** As set: null = the platform's limit, 0 = none. */
  max_session_hours: number | null;
  /** The session limit in force (hours), null for none. */
  session_limit_hours: number | null;
  /** Broadcasts run through the YouTube Live API; null: a plain stream key. */
  youtube: YouTubeBroadcastSettings | null;
  created_at: string;
  modified_at: string;
}

export interface PlatformPreset {
  id: Platform;
  label: string;
  /** Ingest servers, the default first (none for custom). */
  servers: string[];
  schemes: string[];
  keyRequired: boolean;
  maxDurationHours: number | null;
  maxBitrateKbps: number | null;
  keyframeSeconds: number;
}

/** Where the stream key is, in the platform's own words. */
export const KEY_HELP: Record<Platform, string> = {
  youtube:
    'In YouTube Studio, click Create → Go live, open the Stream tab and copy the “Stream key” under Stream settings.',
  facebook:
    'In Facebook Live Producer (facebook.com/live/producer), choose “Streaming software” and copy the “Stream key”. Tick “Use a persistent stream key” so it does not change every broadcast.',
  twitch: 'In the Twitch Creator Dashboard, open Settings → Stream and copy the “Primary Stream key”.',
  custom:
    'Use the address your streaming server or provider gives you (rtmp://, rtmps:// or srt://). If they give a stream key or stream name separately, put it in Stream key; for SRT it is sent as the stream id.',
};

export type { DestinationTestOutcome } from '../../../../src/domain/destination-test.ts';

/** How long a test publishes (the appliance's TEST_SECONDS), for the progress line. */
export const TEST_SECONDS = 4;

/** Platforms where a test publish can start a public broadcast on the channel. */
export function testGoesPublic(platform: Platform): boolean {
  return platform !== 'custom';
}
