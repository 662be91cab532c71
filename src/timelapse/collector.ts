// The time-lapse's snapshots: while a show is on air (and within the chosen hours), one JPEG of
// the program every interval into <dataDir>/timelapse/<YYYY-MM-DD>/NNNNNN.jpg, the day in the
// appliance's time zone. It never slows the playout: the picture is read at once, one JPEG is made
// at a time (its encoding runs off the main thread), and a snapshot whose turn comes while the last
// one is still being made is skipped, never queued. Numbers within a day run on without gaps (the
// encoder's glob reads them in order); after a restart they continue from the highest one found.
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isoDate, localParts } from '../core/calendar.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';
import { timelapseSize, type TimelapseSettings } from '../domain/timelapse.ts';
import type { ProgramPicture } from '../engine/index.ts';
import type { JpegSize } from '../preview/picture-jpeg.ts';
import { JpegThread } from '../preview/jpeg-thread.ts';
import { snapshotsRoot } from './snapshot-days.ts';

/** While the time-lapse is off, how often the settings are looked at again. */
export const SETTINGS_POLL_MS = 5000;
/** JPEG quality of a snapshot: the frames are re-encoded to H.264, so more buys nothing. */
const SNAPSHOT_QUALITY = 85;
const FRAME_NAME = /^(\d{6})\.jpg$/;

export function snapshotName(frame: number): string {
  return `${String(frame).padStart(6, '0')}.jpg`;
}

export { snapshotsRoot };

/** The day an instant belongs to in a zone: "2026-12-06". */
export function localDay(zone: string, instant: number): string {
  return isoDate(localParts(zone, instant));
}

/** True when the local time of day is within [from, to) (a window may run past midnight). */
export function withinHours(hours: TimelapseSettings['hours'], zone: string, instant: number): boolean {
  if (hours === null) return true;
  const local = localParts(zone, instant);
  const minute = local.hour * 60 + local.minute;
  const toMinutes = (text: string): number => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
  const from = toMinutes(hours.from);
  const to = toMinutes(hours.to);
  if (from === to) return true;
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}

export interface SnapshotCollectorOptions {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  /** The appliance's time zone now (it may be changed in the settings). */
  timeZone: () => string;
  settings: () => TimelapseSettings;
  /** The program picture on air, or null when no show is on air; read at once (reused next tick). */
  picture: () => ProgramPicture | null;
  /** False when the disk has no room to spare (below the reserve): snapshots are skipped. */
  diskHasRoom?: () => boolean;
  /** Seams for tests; default a JPEG made on a worker thread and a write through a temporary name. */
  toJpeg?: (picture: ProgramPicture, size: JpegSize) => Promise<Buffer>;
  save?: (path: string, bytes: Buffer) => Promise<void>;
  listFrames?: (folder: string) => Promise<string[]>;
}

export interface CollectorStatus {
  /** The day snapshots go to now, and how many it holds (those this run knows of). */
  day: string | null;
  frames: number;
  /** Snapshots skipped because the last one was still being made. */
  skippedBusy: number;
  /** Wall-clock ms of the last snapshot written; null: none yet. */
  lastAt: number | null;
}

export class SnapshotCollector {
  private timer: TimerHandle | null = null;
  private busy = false;
  private running = false;
  /** The day being filled and the number its next snapshot gets. */
  private current: { day: string; next: number } | null = null;
  private skippedBusy = 0;
  private lastAt: number | null = null;
  private readonly log: Logger;
  private readonly thread: JpegThread | null;

  constructor(private readonly options: SnapshotCollectorOptions) {
    this.log = options.logger.child({ part: 'timelapse' });
    this.thread = options.toJpeg ? null : new JpegThread(this.log, SNAPSHOT_QUALITY);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
    this.thread?.close();
  }

  status(): CollectorStatus {
    return {
      day: this.current?.day ?? null,
      frames: this.current?.next ?? 0,
      skippedBusy: this.skippedBusy,
      lastAt: this.lastAt,
    };
  }

  /** Resolves once no snapshot is being made (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.busy) await new Promise((resolve) => setImmediate(resolve));
  }

  private schedule(): void {
    if (!this.running) return;
    const settings = this.options.settings();
    const wait = settings.enabled ? settings.interval_seconds * 1000 : SETTINGS_POLL_MS;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      this.tick();
      this.schedule();
    }, wait);
  }

  /** One turn: a snapshot if the time-lapse is on, a show is on air and the hours allow it. */
  tick(): void {
    const settings = this.options.settings();
    if (!settings.enabled) return;
    const now = this.options.clock.wallNow();
    const zone = this.options.timeZone();
    if (!withinHours(settings.hours, zone, now)) return;
    if (this.busy) {
      this.skippedBusy++;
      this.log.debug(
        { skippedBusy: this.skippedBusy },
        'time-lapse snapshot skipped: the last one is still being made',
      );
      return;
    }
    if (this.options.diskHasRoom && !this.options.diskHasRoom()) return;
    const picture = this.options.picture();
    if (picture === null) return;
    this.busy = true;
    // The picture is read (copied) before this returns: the engine reuses its buffer next tick.
    const size = timelapseSize(settings.size);
    const jpeg = this.options.toJpeg
      ? this.options.toJpeg(picture, size)
      : this.thread!.convert(picture, size);
    void this.write(localDay(zone, now), jpeg, now).finally(() => {
      this.busy = false;
    });
  }

  private async write(day: string, jpeg: Promise<Buffer>, at: number): Promise<void> {
    const folder = join(snapshotsRoot(this.options.dataDir), day);
    try {
      const bytes = await jpeg;
      if (this.current?.day !== day) {
        await mkdir(folder, { recursive: true });
        this.current = { day, next: nextFrameNumber(await this.list(folder)) };
      }
      const path = join(folder, snapshotName(this.current.next));
      await (this.options.save ?? saveThroughTemporary)(path, bytes);
      this.current.next++;
      this.lastAt = at;
    } catch (error) {
      // The day's folder may have been encoded and removed meanwhile: look again next time.
      this.current = null;
      this.log.warn({ day, err: messageOf(error) }, 'could not save a time-lapse snapshot');
    }
  }

  private async list(folder: string): Promise<string[]> {
    if (this.options.listFrames) return this.options.listFrames(folder);
    return readdir(folder);
  }
}

/** The number after the highest snapshot in a folder's listing (0 for none). */
export function nextFrameNumber(names: readonly string[]): number {
  let highest = -1;
  for (const name of names) {
    const match = FRAME_NAME.exec(name);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest + 1;
}

/** A snapshot appears whole or not at all: a crash mid-write leaves only a hidden temporary. */
async function saveThroughTemporary(path: string, bytes: Buffer): Promise<void> {
  const slash = path.lastIndexOf('/');
  const temporary = `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
}
