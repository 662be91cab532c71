// Camera failover, decided once per tick (pure: time and source health come in as arguments).
//
// A camera has failed when its last frame is older than failAfterMs, or when it has not
// delivered a first frame within startupGraceMs of being wanted. A failed camera is replaced by
// its backup (and the backup's backup), else by the slate with the "technical difficulties"
// card. It goes back on air only after recoverAfterMs of uninterrupted fresh frames, so a camera
// that flickers in and out does not make the program flicker with it.
import { sourceKey, type VideoSource } from '../timeline/resolver.ts';

export interface FailoverOptions {
  /** A camera whose newest frame is older than this has failed. Default 1000. */
  failAfterMs?: number;
  /** A camera with no first frame this long after it was first wanted has failed. Default 10000. */
  startupGraceMs?: number;
  /** Fresh frames for this long before a failed camera is trusted again. Default 2000. */
  recoverAfterMs?: number;
  /** A backup stands in only if its newest frame is at most this old: when a camera and its
   *  backup freeze together, the frozen backup never goes on air, not even for a frame. Default 500. */
  standInFreshMs?: number;
}

export const DEFAULT_FAILOVER: Readonly<Required<FailoverOptions>> = Object.freeze({
  failAfterMs: 1000,
  startupGraceMs: 10_000,
  recoverAfterMs: 2000,
  standInFreshMs: 500,
});

/** Age in ms of a source's newest frame: null before its first frame, undefined when it is not
 *  being decoded at all. */
export type FrameAge = (key: string) => number | null | undefined;

/** What replaces a scheduled camera that cannot be shown. */
export type Replacement = { kind: 'backup'; cameraId: number } | { kind: 'slate' };

export interface OnAirChoice {
  /** What to show. */
  source: VideoSource;
  /** Set when the scheduled camera is not shown: what stands in, and whether it has failed
   *  (false while it is still connecting at the start). */
  replacing: { cameraId: number; replacement: Replacement; failed: boolean } | null;
}

export type FailoverEvent =
  | { type: 'failed'; cameraId: number; reason: 'stalled' | 'no-signal'; replacement: Replacement }
  /** A failed camera's stand-in changed (e.g. its backup failed too: now the slate). */
  | { type: 'replacement-changed'; cameraId: number; replacement: Replacement }
  | { type: 'recovered'; cameraId: number; downMs: number };

interface CameraHealth {
  firstWantedAt: number;
  failed: boolean;
  failedAt: number;
  freshSince: number | null;
  /** Last stand-in reported for this camera while it is failed. */
  reported: Replacement | null;
}

/** How many backups deep failover looks (a backup's backup, …); pre-flight follows the same chain. */
export const MAX_BACKUP_CHAIN = 4;

export class CameraFailover {
  private readonly options: Required<FailoverOptions>;
  private readonly cameras = new Map<number, CameraHealth>();

  constructor(
    private readonly backupOf: (cameraId: number) => number | undefined,
    options: FailoverOptions = {},
    private readonly onEvent: (event: FailoverEvent) => void = () => undefined,
  ) {
    this.options = { ...DEFAULT_FAILOVER, ...stripUndefined(options) };
  }

  /**
   * Updates every camera's health and picks what goes on air instead of `scheduled`.
   * Non-camera sources pass through unchanged (the playout replaces a stale media file by the slate).
   */
  choose(scheduled: VideoSource, now: number, frameAge: FrameAge): OnAirChoice {
    // Keep every tracked camera's health current, so one no longer scheduled can still recover;
    // forget one that is no longer decoded (unless its failure was reported and is still open).
    for (const [tracked, health] of this.cameras) {
      if (scheduled.kind === 'camera' && tracked === scheduled.cameraId) continue;
      if (frameAge(cameraKey(tracked)) === undefined) {
        if (health.reported === null) this.cameras.delete(tracked);
        continue;
      }
      this.usable(tracked, now, frameAge);
    }
    if (scheduled.kind !== 'camera') return { source: scheduled, replacing: null };
    const id = scheduled.cameraId;
    if (this.usable(id, now, frameAge)) return { source: scheduled, replacing: null };

    let replacement: Replacement = { kind: 'slate' };
    const visited = new Set([id]);
    for (let backup = this.backupOf(id), n = 0; backup !== undefined && n < MAX_BACKUP_CHAIN; n++) {
      if (visited.has(backup)) break;
      visited.add(backup);
      const usable = this.usable(backup, now, frameAge);
      if (usable && (frameAge(cameraKey(backup)) ?? Infinity) <= this.options.standInFreshMs) {
        replacement = { kind: 'backup', cameraId: backup };
        break;
      }
      backup = this.backupOf(backup);
    }
    const health = this.cameras.get(id)!;
    if (health.failed && !sameReplacement(health.reported, replacement)) {
      const first = health.reported === null;
      health.reported = replacement;
      this.onEvent(
        first
          ? {
              type: 'failed',
              cameraId: id,
              reason: (frameAge(cameraKey(id)) ?? null) === null ? 'no-signal' : 'stalled',
              replacement,
            }
          : { type: 'replacement-changed', cameraId: id, replacement },
      );
    }
    return {
      source:
        replacement.kind === 'backup'
          ? { kind: 'camera', cameraId: replacement.cameraId }
          : { kind: 'slate' },
      replacing: { cameraId: id, replacement, failed: health.failed },
    };
  }

  /** The backups that should be decoding now, so a switch to them is instant. */
  standbyFor(scheduled: readonly VideoSource[]): VideoSource[] {
    const standby: VideoSource[] = [];
    const seen = new Set<number>();
    for (const source of scheduled) {
      if (source.kind !== 'camera') continue;
      for (
        let backup = this.backupOf(source.cameraId), n = 0;
        backup !== undefined && n < MAX_BACKUP_CHAIN;
        backup = this.backupOf(backup), n++
      ) {
        if (seen.has(backup) || backup === source.cameraId) break;
        seen.add(backup);
        standby.push({ kind: 'camera', cameraId: backup });
      }
    }
    return standby;
  }

  /** Cameras currently failed, with when they failed. */
  failedCameras(): { cameraId: number; since: number; replacement: Replacement | null }[] {
    return [...this.cameras]
      .filter(([, h]) => h.failed)
      .map(([cameraId, h]) => ({ cameraId, since: h.failedAt, replacement: h.reported }));
  }

  /** Updates one camera's health; true when it may be shown. */
  private usable(id: number, now: number, frameAge: FrameAge): boolean {
    let health = this.cameras.get(id);
    if (!health) {
      health = { firstWantedAt: now, failed: false, failedAt: 0, freshSince: null, reported: null };
      this.cameras.set(id, health);
    }
    const age = frameAge(cameraKey(id)) ?? null;
    const fresh = age !== null && age <= this.options.failAfterMs;
    if (!fresh) health.freshSince = null;
    else health.freshSince ??= now;

    if (!health.failed) {
      const stalled = age !== null && !fresh;
      const neverStarted = age === null && now - health.firstWantedAt > this.options.startupGraceMs;
      if (stalled || neverStarted) {
        health.failed = true;
        health.failedAt = now;
        health.reported = null;
      }
    } else if (health.freshSince !== null && now - health.freshSince >= this.options.recoverAfterMs) {
      health.failed = false;
      const wasReported = health.reported !== null;
      health.reported = null;
      if (wasReported) this.onEvent({ type: 'recovered', cameraId: id, downMs: now - health.failedAt });
    }
    return fresh && !health.failed;
  }
}

function cameraKey(cameraId: number): string {
  return sourceKey({ kind: 'camera', cameraId });
}

function sameReplacement(a: Replacement | null, b: Replacement): boolean {
  if (a === null || a.kind !== b.kind) return false;
  return a.kind === 'slate' || (b.kind === 'backup' && a.cameraId === b.cameraId);
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
