// Keeps the recordings folder within its limits (src/recordings/quota.ts decides, this module
// lists and removes). Only the appliance's recordings folder is ever swept, only its top-level
// recording files are considered (and, when handed in, other items under the same quota: the
// time-lapse's snapshot days), and the files being written are never removed. File system
// calls are asynchronous: the playout loop shares this thread, and removing a large file on an SD
// card takes a while.
import type { Dirent } from 'node:fs';
import { readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';
import { judgeDiskSpace, readDiskSpace, type DiskSpace, type DiskVerdict } from './free-space.ts';
import { formatBytes, limitsForVolume, type RecordingLimits } from './limits.ts';
import { isRecordingFile, planSweep, type RecordingFile, type Removal } from './quota.ts';

/** A file written to within this long may be another recorder's current part: never removed. */
const RECENT_WRITE_MS = 2 * 60_000;

export interface RecordingSweeperOptions {
  limits: RecordingLimits;
  clock: Clock;
  logger: Logger;
  /** Seam for tests; default statfs on the folder. */
  readSpace?: (path: string) => DiskSpace | null;
  /** More items the quota counts (the time-lapse's snapshot days), with those never to remove. */
  alsoCounted?: () => Promise<{ days: RecordingFile[]; inUse: readonly string[] }>;
}

export interface SweepResult {
  removed: Removal[];
  /** Files the plan chose that could not be removed (permissions, already gone). */
  failed: string[];
  keptBytes: number;
  /** The disk after the sweep; null when it cannot be read. */
  disk: DiskVerdict | null;
}

export class RecordingSweeper {
  private readonly limits: RecordingLimits;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly readSpace: (path: string) => DiskSpace | null;
  private readonly alsoCounted: RecordingSweeperOptions['alsoCounted'];
  private running: Promise<SweepResult> | null = null;

  constructor(options: RecordingSweeperOptions) {
    this.limits = options.limits;
    this.clock = options.clock;
    this.log = options.logger.child({ part: 'recordings' });
    this.readSpace = options.readSpace ?? readDiskSpace;
    this.alsoCounted = options.alsoCounted;
  }

  get folder(): string {
    return this.limits.folder;
  }

  /** The disk the recordings are on, judged against the limits; null when it cannot be read. */
  disk(): DiskVerdict | null {
    const space = this.readSpace(this.limits.folder);
    return space === null ? null : judgeDiskSpace(space, this.limits);
  }

  /**
   * Removes what the limits say must go, oldest first, never a file in `inUse`. A sweep already
   * under way is joined rather than repeated (the next one catches anything it missed).
   */
  sweep(inUse: readonly string[], why: string): Promise<SweepResult> {
    this.running ??= this.run(new Set(inUse), why).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves once no sweep is under way (tests, shutdown). */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async run(inUse: ReadonlySet<string>, why: string): Promise<SweepResult> {
    const also = (await this.alsoCounted?.()) ?? { days: [], inUse: [] };
    const files = [...(await this.list()), ...also.days];
    const keep = also.inUse.length > 0 ? new Set([...inUse, ...also.inUse]) : inUse;
    const space = this.readSpace(this.limits.folder);
    const volume = space === null ? null : limitsForVolume(this.limits, space.totalBytes);
    const plan = planSweep({
      files,
      now: this.clock.wallNow(),
      // Unknown volume: the age limit and an explicit quota still apply.
      quotaBytes: volume?.quotaBytes ?? this.limits.quotaBytes ?? 0,
      maxAgeMs: this.limits.maxAgeMs,
      inUse: keep,
      recentMs: RECENT_WRITE_MS,
      bytesToFree: space !== null && volume !== null ? Math.max(0, volume.warnBytes - space.freeBytes) : 0,
    });
    const removed: Removal[] = [];
    const failed: string[] = [];
    for (const removal of plan.remove) {
      try {
        if (removal.file.snapshotDay) await rm(removal.file.path, { recursive: true });
        else await unlink(removal.file.path);
        removed.push(removal);
        this.log.info(
          { file: removal.file.path, bytes: removal.file.sizeBytes, reason: removal.reason, why },
          `removed ${removal.file.snapshotDay ? 'a day of time-lapse snapshots not yet made into a video' : 'recording'} (${describeReason(removal, this.limits, volume?.quotaBytes)})`,
        );
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        failed.push(removal.file.path);
        this.log.warn({ file: removal.file.path, err: messageOf(error) }, 'could not remove recording');
      }
    }
    return { removed, failed, keptBytes: plan.keptBytes, disk: this.disk() };
  }

  private async list(): Promise<RecordingFile[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.limits.folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log.warn(
          { folder: this.limits.folder, err: messageOf(error) },
          'could not list the recordings folder',
        );
      return [];
    }
    const files: RecordingFile[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || !isRecordingFile(entry.name)) continue;
      const path = join(this.limits.folder, entry.name);
      try {
        const s = await stat(path);
        files.push({ path, sizeBytes: s.size, modifiedAt: s.mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
    return files;
  }
}

function describeReason(removal: Removal, limits: RecordingLimits, quotaBytes: number | undefined): string {
  switch (removal.reason) {
    case 'age':
      return `older than ${Math.round(limits.maxAgeMs / 86_400_000)} days`;
    case 'quota':
      return `recordings over their quota of ${formatBytes(quotaBytes ?? limits.quotaBytes ?? 0)}`;
    case 'space':
      return 'the disk is running out of space';
  }
}
