// The appliance's own watch over its disk, whether or not a show records: the recordings folder
// is swept at start and every 10 minutes (age and quota), and the free space is read every
// minute, with a 'disk:low' alert below the warning level (an error below the reserve) that clears
// once there is room again. A recording on air watches its own disk more closely (every 5 s, in
// src/engine/outputs.ts) and stops itself below the reserve.
import type { AlertSink } from '../errors/alert-sink.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';
import { diskSpaceLowAlert } from '../errors/alert-messages.ts';
import { judgeDiskSpace, readDiskSpace, type DiskSpace, type DiskVerdict } from './free-space.ts';
import { formatBytes, type RecordingLimits } from './limits.ts';
import { RecordingSweeper, type RecordingSweeperOptions, type SweepResult } from './sweeper.ts';

/** The same key as a recording's own low-disk alert: one alert, whoever sees it first. */
export const DISK_LOW_ALERT = 'disk:low';
export const SWEEP_EVERY_MS = 10 * 60_000;
export const DISK_CHECK_EVERY_MS = 60_000;

/** Where the disk's alerts go (the alert center). */
export type HousekeeperAlerts = AlertSink;

export interface RecordingsHousekeeperOptions {
  limits: RecordingLimits;
  /** The data folder: its disk holds the database. */
  dataDir: string;
  clock: Clock;
  logger: Logger;
  alerts?: HousekeeperAlerts;
  /** Recording files being written now: never removed. */
  inUse?: () => readonly string[];
  /** Seam for tests; default statfs. */
  readSpace?: (path: string) => DiskSpace | null;
  /** Other files that count towards the same quota (the time-lapse's snapshot days). */
  alsoCounted?: RecordingSweeperOptions['alsoCounted'];
}

export class RecordingsHousekeeper {
  private readonly sweeper: RecordingSweeper;
  private readonly readSpace: (path: string) => DiskSpace | null;
  private readonly log: Logger;
  private sweepTimer: TimerHandle | null = null;
  private diskTimer: TimerHandle | null = null;
  /** The level last seen; undefined before the first reading. */
  private level: DiskVerdict['level'] | undefined = undefined;
  private closed = false;

  constructor(private readonly options: RecordingsHousekeeperOptions) {
    this.readSpace = options.readSpace ?? readDiskSpace;
    this.log = options.logger.child({ part: 'disk' });
    this.sweeper = new RecordingSweeper({
      limits: options.limits,
      clock: options.clock,
      logger: options.logger,
      readSpace: this.readSpace,
      ...(options.alsoCounted ? { alsoCounted: options.alsoCounted } : {}),
    });
  }

  start(): void {
    this.closed = false;
    void this.sweep('appliance started');
    this.checkDisk();
    this.scheduleSweep();
    this.scheduleDiskCheck();
  }

  close(): void {
    this.closed = true;
    this.sweepTimer?.cancel();
    this.diskTimer?.cancel();
    this.sweepTimer = null;
    this.diskTimer = null;
  }

  /** The data disk now, judged against the limits (health when idle, pre-flight). */
  disk(): DiskVerdict | null {
    const space = this.readSpace(this.options.dataDir);
    return space === null ? null : judgeDiskSpace(space, this.options.limits);
  }

  /** Resolves once no sweep is under way. */
  settled(): Promise<void> {
    return this.sweeper.settled();
  }

  async sweep(why: string): Promise<SweepResult | null> {
    try {
      return await this.sweeper.sweep(this.options.inUse?.() ?? [], why);
    } catch (error) {
      this.log.warn({ err: messageOf(error) }, 'recordings sweep failed');
      return null;
    }
  }

  /** Reads the free space and raises, changes or clears the alert. */
  checkDisk(): DiskVerdict | null {
    const disk = this.disk();
    if (disk === null) return null;
    const previous = this.level;
    this.level = disk.level;
    if (previous === disk.level) return disk;
    if (disk.level === 'ok') {
      // Also at the first reading: an alert left open (by a recording, or before a restart) ends.
      if (previous !== undefined)
        this.log.info({ freeBytes: disk.freeBytes }, 'the data disk has room again');
      this.options.alerts?.clear(DISK_LOW_ALERT);
      return disk;
    }
    // The oldest recordings make room first (the sweep removes them down to the warning level).
    void this.sweep('the disk is running low');
    const full = disk.level === 'full';
    this.log.warn({ freeBytes: disk.freeBytes, level: disk.level }, 'the data disk is running low');
    this.options.alerts?.raise({
      key: DISK_LOW_ALERT,
      source: 'disk',
      ...diskSpaceLowAlert({ words: disk.words, reserve: formatBytes(disk.reserveBytes), full }),
    });
    return disk;
  }

  private scheduleSweep(): void {
    this.sweepTimer = this.options.clock.setTimeout(() => {
      this.sweepTimer = null;
      if (this.closed) return;
      void this.sweep('periodic check');
      this.scheduleSweep();
    }, SWEEP_EVERY_MS);
  }

  private scheduleDiskCheck(): void {
    this.diskTimer = this.options.clock.setTimeout(() => {
      this.diskTimer = null;
      if (this.closed) return;
      this.checkDisk();
      this.scheduleDiskCheck();
    }, DISK_CHECK_EVERY_MS);
  }
}
