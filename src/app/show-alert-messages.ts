// Where the app layer's alerts about a show belong (their keys and sources) and the facts they
// are built from; the sentences and remediations are the registry's (src/errors/alert-messages.ts).
import type { EngineAlerts } from '../engine/index.ts';
import {
  destinationSessionRestartedAlert,
  operatorQualityAlert as operatorQualityText,
  showResumedAlert as showResumedText,
} from '../errors/alert-messages.ts';
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
  return {
    ...destinationSessionRestartedAlert({
      destination: destination.name,
      ran: formatHours(sessionMs),
      platformLabel: PLATFORMS[destination.platform].label,
      platform: destination.platform,
      limitHours,
      operatorLimit: destination.max_session_hours !== null,
    }),
    key: `destination:dest:${destination.id}:session-restarted`,
    source: `destination:dest:${destination.id}`,
  };
}

/** The alert a crash resume raises: when the show went off air and for how long. */
export function showResumedAlert(
  execution: Pick<Execution, 'id' | 'checkpoint_at' | 'resume_count'>,
  timelineName: string,
  at: { position: string; downSeconds: number | null; resumedAtMs: number },
): ShowAlert {
  return {
    ...showResumedText({
      timelineName,
      position: at.position,
      downSeconds: at.downSeconds,
      lastSeenMs: execution.checkpoint_at === null ? null : Date.parse(execution.checkpoint_at),
      resumedAtMs: at.resumedAtMs,
    }),
    key: `show:${execution.id}:resumed:${execution.resume_count + 1}`,
    source: `execution:${execution.id}`,
  };
}

/** The operator held the program's quality, or gave it back to degraded mode (for the history). */
export function operatorQualityAlert(input: {
  executionId: number;
  /** Counts the show's quality moves, so each is its own entry. */
  change: number;
  level: number | null;
  words: (level: number) => string;
  was: number;
  now: number;
}): ShowAlert {
  const { executionId, change, ...facts } = input;
  return { ...operatorQualityText(facts), key: `show:${executionId}:quality:${change}`, source: 'operator' };
}

/** A session's length: "45 s", "12 min", "4 h 2 min". */
function formatHours(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.round(ms / 1000)} s`;
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
