// The sentences of the alerts the app layer raises about a show (the engine's own are beside the
// error registry): what happened, in words a venue manager can act on, and what to do about it.
import type { EngineAlerts } from '../engine/index.ts';
import { PLATFORMS } from '../ffmpeg/platforms.ts';
import type { Destination } from '../store/repositories/destinations.ts';
import type { Execution } from '../store/repositories/records.ts';

export type ShowAlert = Parameters<EngineAlerts['raise']>[0];

/** A planned new session for a platform's time limit (an info event: nothing broke). */
export function sessionRestartedAlert(
  destination: Pick<Destination, 'id' | 'name' | 'platform' | 'max_session_hours'>,
  limitHours: number,
  sessionMs: number,
): ShowAlert {
  const platform = PLATFORMS[destination.platform].label;
  const limit =
    destination.max_session_hours === null
      ? `${platform} ends a live video after ${limitHours} h`
      : `its session limit is ${limitHours} h`;
  return {
    key: `destination:dest:${destination.id}:session-restarted`,
    severity: 'info',
    code: 'DESTINATION_SESSION_RESTARTED',
    message:
      `Destination "${destination.name}" started a new live session after ${formatHours(sessionMs)} (${limit}); ` +
      'the other destinations and the recording were not interrupted.',
    remediation:
      destination.platform === 'facebook'
        ? 'Nothing to do. Facebook shows the new session as a new live video; the stream was off for a few seconds at a keyframe.'
        : 'Nothing to do. Viewers may see the stream pause for a few seconds while the new session starts.',
    source: `destination:dest:${destination.id}`,
  };
}

/** The alert a crash resume raises: when the show went off air and for how long. */
export function showResumedAlert(
  execution: Pick<Execution, 'id' | 'checkpoint_at' | 'resume_count'>,
  timelineName: string,
  at: { position: string; downSeconds: number | null; resumedAtMs: number },
): ShowAlert {
  const lastSeen = execution.checkpoint_at === null ? null : new Date(execution.checkpoint_at);
  const offAir =
    at.downSeconds === null || lastSeen === null
      ? 'for an unknown time (no position was saved before it stopped)'
      : `for about ${formatDuration(at.downSeconds)} (last on air at ${lastSeen.toISOString().slice(11, 19)} UTC, ` +
        `back at ${new Date(at.resumedAtMs).toISOString().slice(11, 19)} UTC)`;
  return {
    key: `show:${execution.id}:resumed:${execution.resume_count + 1}`,
    severity: 'warning',
    code: 'SHOW_RESUMED',
    message:
      `The appliance stopped during "${timelineName}" and resumed it by itself at ${at.position}: ` +
      `the show was off air ${offAir}.`,
    remediation:
      'Nothing to do if it happens once. If it repeats, check the power supply and the appliance’s memory on the monitoring page; the log tells why the previous run ended.',
    source: `execution:${execution.id}`,
  };
}

/** The operator held the program's quality, or gave it back to degraded mode (for the history). */
export function operatorQualityAlert(input: {
  executionId: number;
  /** Counts the show's quality moves, so each is its own entry. */
  change: number;
  /** The level held, or null: back to automatic. */
  level: number | null;
  /** The ladder's words for a level. */
  words: (level: number) => string;
  was: number;
  now: number;
}): ShowAlert {
  const { level, words, was, now } = input;
  const sentence =
    level === null
      ? `Quality back to automatic (operator): degraded mode judges the show again, from ` +
        `${words(now)}${now === 0 ? ' (your settings)' : ''}.`
      : `Quality held at ${words(level)}${level === 0 ? ' (your settings)' : ''} by the operator` +
        ` (was ${words(was)}); degraded mode does not move it until it is set back to automatic.`;
  return {
    key: `show:${input.executionId}:quality:${input.change}`,
    severity: 'info',
    code: 'DEGRADED_MODE',
    message: sentence,
    remediation:
      level === null
        ? 'Nothing to do: degraded mode steps down when the show suffers and back up after calm minutes.'
        : 'Set the quality back to automatic in the control room when the reason for holding it has passed.',
    source: 'operator',
  };
}

/** A session's length: "45 s", "12 min", "4 h 2 min". */
function formatHours(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.round(ms / 1000)} s`;
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Time off air: "40 s", "15 min", "2.5 h". */
function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.max(0, seconds)} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}
