// The control room's status line (issue 16): is the show really reaching anyone? A destination
// delivers when its output is live AND its bytes grew in the last few seconds (a publisher can
// stay "live" while nothing moves). The preview and the recording never count: they stay on this
// machine. Pure: the caller passes each output's age of growth, measured by the engine's clock.
// Also why the picture on air is on air (the control room's override model starts from it).
import type { BroadcastSummary, ON_AIR_BECAUSE, YouTubeBroadcastState } from '../domain/live.ts';
import type { EngineStatus } from '../engine/index.ts';

/** A destination whose bytes have not grown for longer than this is not delivering. */
export const DELIVERY_FRESH_MS = 5000;

export interface BroadcastOutput {
  id: string;
  kind: 'destination' | 'preview' | 'recording';
  name: string;
  state: 'connecting' | 'live' | 'retrying' | 'failing' | 'stopped';
  /** Since its bytes last grew in the current run; null: they have not yet. */
  msSinceGrowth: number | null;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Why a destination is not delivering, in words. */
function notDeliveringWhy(output: BroadcastOutput): string {
  switch (output.state) {
    case 'connecting':
      return 'connecting';
    case 'retrying':
      return 'down, retrying';
    case 'failing':
      return 'down, failing';
    case 'stopped':
      return 'stopped';
    case 'live':
      return output.msSinceGrowth === null
        ? 'nothing sent yet'
        : `nothing sent for ${Math.floor(output.msSinceGrowth / 1000)} s`;
  }
}

/** Issue 17: why a destination whose RTMP delivers is not on air on YouTube; null: it is (or no
 *  broadcast is run for it). */
function youTubeNotLiveWhy(broadcast: YouTubeBroadcastLine | undefined): string | null {
  if (!broadcast || broadcast.live) return null;
  const status = broadcast.lifeCycleStatus;
  if (status === null) return 'YouTube broadcast not checked yet';
  if (status === 'complete' || status === 'revoked')
    return `YouTube broadcast ended (${status}), the next one on its way`;
  return `YouTube broadcast not live yet (${status})`;
}

type YouTubeBroadcastLine = Pick<YouTubeBroadcastState, 'outputId' | 'live' | 'lifeCycleStatus'>;

export function summarizeBroadcast(
  outputs: readonly BroadcastOutput[],
  youtube: readonly YouTubeBroadcastLine[] = [],
): BroadcastSummary {
  const destinations = outputs.filter((output) => output.kind === 'destination');
  const sending = destinations.filter(
    (output) =>
      output.state === 'live' && output.msSinceGrowth !== null && output.msSinceGrowth <= DELIVERY_FRESH_MS,
  );
  // An RTMP session that is up is no proof of being on air where YouTube's broadcast is known.
  const youTubeWhy = new Map(
    sending.map((output) => [output, youTubeNotLiveWhy(youtube.find((b) => b.outputId === output.id))]),
  );
  const delivering = sending.filter((output) => youTubeWhy.get(output) === null);
  const notOnYouTube = sending.filter((output) => youTubeWhy.get(output) !== null);
  const rest = destinations.filter((output) => !sending.includes(output));
  const connecting = rest.filter((output) => output.state === 'connecting');
  const down = rest.filter((output) => output.state !== 'connecting');
  const total = destinations.length;
  const notDelivering = [
    ...rest.map((output) => ({ id: output.id, name: output.name, why: notDeliveringWhy(output) })),
    ...notOnYouTube.map((output) => ({
      id: output.id,
      name: output.name,
      why: youTubeWhy.get(output) ?? '',
    })),
  ];
  const youTubePart =
    notOnYouTube.length === 0
      ? null
      : notOnYouTube.length === 1
        ? (youTubeWhy.get(notOnYouTube[0]!) ?? null)
        : `${notOnYouTube.length} YouTube broadcasts not live`;
  const counts = { delivering: delivering.length, down: down.length, connecting: connecting.length };

  if (total === 0)
    return {
      ...counts,
      destinations: 0,
      tone: 'preview',
      sentence: 'ON AIR · preview only, no destination',
      notDelivering,
    };
  if (sending.length > 0) {
    const parts = [
      down.length > 0 ? `${down.length} of ${plural(total, 'destination')} down` : null,
      connecting.length > 0
        ? down.length > 0
          ? `${connecting.length} connecting`
          : `${connecting.length} of ${plural(total, 'destination')} connecting`
        : null,
      youTubePart,
    ].filter((part): part is string => part !== null);
    return {
      ...counts,
      destinations: total,
      tone: parts.length > 0 ? 'partial' : 'live',
      sentence: ['LIVE', parts.join(', ')].filter((part) => part !== '').join(' · '),
      notDelivering,
    };
  }
  if (down.length === 0)
    return { ...counts, destinations: total, tone: 'connecting', sentence: 'CONNECTING…', notDelivering };
  if (connecting.length > 0)
    return {
      ...counts,
      destinations: total,
      tone: 'connecting',
      sentence: `CONNECTING… · ${down.length} of ${plural(total, 'destination')} down`,
      notDelivering,
    };
  return {
    ...counts,
    destinations: total,
    tone: 'down',
    sentence:
      total === 1
        ? 'ON AIR TO NO DESTINATION — the destination is down'
        : `ON AIR TO NO DESTINATION — all ${total} destinations down`,
    notDelivering,
  };
}

/** Why the picture on air is on air (the same precedence as the overrides, then failover). */
export function onAirBecause(
  status: Pick<EngineStatus, 'overrides' | 'onAir'>,
): (typeof ON_AIR_BECAUSE)[number] {
  const { overrides } = status;
  if (overrides.emergency) return 'emergency';
  const replacing = status.onAir?.replacing;
  if (replacing) return replacing.replacement.kind === 'backup' ? 'backup' : 'slate';
  const source = status.onAir?.source;
  const cameraOnAir = source?.kind === 'camera' ? source.cameraId : null;
  // A pinned or forced camera that is still connecting is not on air yet: the timeline's is.
  if (overrides.pinnedCameraId !== null && cameraOnAir === overrides.pinnedCameraId) return 'pinned';
  if (
    overrides.pinnedCameraId === null &&
    overrides.forcedCameraId !== null &&
    cameraOnAir === overrides.forcedCameraId
  )
    return 'forced';
  return 'timeline';
}
