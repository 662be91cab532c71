// The daily time-lapse as a whole: the snapshot collector, and the encode of every finished day
// (looked for shortly after start, which also picks up the days a crash left, and every 10
// minutes, which catches local midnight) or of today so far on demand. One encode at a time;
// before it starts it waits for the show to be calm. The MP4s are kept in the recordings folder
// (timelapse-YYYY-MM-DD.mp4), so the recordings quota counts them and removes them oldest-first
// with the recordings; a hidden sidecar beside each says its frames and frame rate. A finished
// day's snapshots are removed after a good encode; today's stay (the day goes on).
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';
import {
  TIMELAPSE_DAY,
  timelapseSize,
  type TimelapseItem,
  type TimelapseJob,
  type TimelapseSettings,
} from '../domain/timelapse.ts';
import type { ProgramPicture } from '../engine/index.ts';
import { AppError } from '../errors/registry.ts';
import { SnapshotCollector, localDay, snapshotsRoot } from './collector.ts';
import { PRESSURE_CHECK_MS, TimelapseEncoder, type EncodeOutcome } from './encode.ts';
import { holdForEncode } from './snapshot-days.ts';

/** After a start, the finished days are looked for this much later (the show settles first). */
export const FIRST_CHECK_MS = 30_000;
export const CHECK_EVERY_MS = 10 * 60_000;
/** A finished day whose encode failed this often is left alone until the next start. */
const MAX_TRIES = 3;
const VIDEO_NAME = /^timelapse-(\d{4}-\d{2}-\d{2})\.mp4$/;

export function timelapseFileName(day: string): string {
  return `timelapse-${day}.mp4`;
}

interface Sidecar {
  day: string;
  frames: number;
  fps: number;
  width: number;
  height: number;
  madeAt: string;
  complete: boolean;
}

export interface TimelapseServiceOptions {
  dataDir: string;
  /** The recordings folder: the videos go there, under the recordings quota. */
  recordingsFolder: string;
  clock: Clock;
  logger: Logger;
  timeZone: () => string;
  settings: () => TimelapseSettings;
  picture: () => ProgramPicture | null;
  /** Why the show cannot spare the machine now; null: it can. */
  pressure: () => string | null;
  /** False below the disk's reserve: no snapshot, no encode. */
  diskHasRoom?: () => boolean;
  /** A video was written: the recordings quota is applied (the housekeeper's sweep). */
  afterEncode?: () => void;
  encoder?: TimelapseEncoder;
}

export class TimelapseService {
  readonly collector: SnapshotCollector;
  private readonly encoder: TimelapseEncoder;
  private readonly log: Logger;
  private timer: TimerHandle | null = null;
  private encoding: Promise<void> | null = null;
  private runs = 0;
  private jobState: Omit<TimelapseJob, 'run'> = {
    state: 'idle',
    day: null,
    framesDone: 0,
    framesTotal: 0,
    message: null,
  };
  private readonly failures = new Map<string, number>();
  private closed = false;

  constructor(private readonly options: TimelapseServiceOptions) {
    this.log = options.logger.child({ part: 'timelapse' });
    this.collector = new SnapshotCollector({
      dataDir: options.dataDir,
      clock: options.clock,
      logger: options.logger,
      timeZone: options.timeZone,
      settings: options.settings,
      picture: options.picture,
      ...(options.diskHasRoom ? { diskHasRoom: options.diskHasRoom } : {}),
    });
    this.encoder =
      options.encoder ??
      new TimelapseEncoder({ clock: options.clock, logger: options.logger, pressure: options.pressure });
  }

  start(): void {
    this.closed = false;
    this.collector.start();
    this.scheduleCheck(FIRST_CHECK_MS);
  }

  close(): void {
    this.closed = true;
    this.collector.stop();
    this.timer?.cancel();
    this.timer = null;
  }

  job(): TimelapseJob {
    return { ...this.jobState, run: this.runs };
  }

  today(): string {
    return localDay(this.options.timeZone(), this.options.clock.wallNow());
  }

  /** How many snapshots a day's folder holds. */
  async snapshotCount(day: string): Promise<number> {
    return (await this.snapshots(day)).length;
  }

  /** Resolves once no encode is under way. */
  async settled(): Promise<void> {
    await this.encoding;
  }

  /** Encodes today's snapshots so far (the operator's "make it now"); answers at once. */
  async makeNow(): Promise<TimelapseJob> {
    if (this.encoding)
      throw new AppError(
        'TIMELAPSE_BUSY',
        `a time-lapse is being made already (${this.jobState.day ?? 'a day'})`,
      );
    const day = this.today();
    const frames = await this.snapshotCount(day);
    if (frames === 0)
      throw new AppError(
        'TIMELAPSE_NOTHING_TO_MAKE',
        `there are no snapshots of today (${day}) yet: the time-lapse takes them while a show is on air`,
      );
    this.run(day, false);
    return this.job();
  }

  /** The videos, newest day first. */
  async list(): Promise<TimelapseItem[]> {
    let names: string[];
    try {
      names = await readdir(this.options.recordingsFolder);
    } catch {
      return [];
    }
    const items: TimelapseItem[] = [];
    for (const name of names) {
      const day = VIDEO_NAME.exec(name)?.[1];
      if (day === undefined) continue;
      try {
        const file = await stat(join(this.options.recordingsFolder, name));
        const sidecar = await this.readSidecar(day);
        items.push({
          day,
          seconds: sidecar ? Math.round((sidecar.frames / sidecar.fps) * 100) / 100 : null,
          frames: sidecar?.frames ?? null,
          fps: sidecar?.fps ?? null,
          width: sidecar?.width ?? null,
          height: sidecar?.height ?? null,
          bytes: file.size,
          madeAt: sidecar?.madeAt ?? new Date(file.mtimeMs).toISOString(),
          complete: sidecar?.complete ?? true,
        });
      } catch {
        // removed meanwhile (the recordings quota)
      }
    }
    return items.sort((a, b) => b.day.localeCompare(a.day));
  }

  /** The video of a day, or null when there is none. */
  async videoPath(day: string): Promise<string | null> {
    if (!TIMELAPSE_DAY.test(day)) return null;
    const path = join(this.options.recordingsFolder, timelapseFileName(day));
    try {
      await stat(path);
      return path;
    } catch {
      return null;
    }
  }

  async remove(day: string): Promise<void> {
    const path = await this.videoPath(day);
    if (path === null) throw notFound(day);
    if (this.encoding && this.jobState.day === day)
      throw new AppError('TIMELAPSE_BUSY', `the time-lapse of ${day} is being made now`);
    await unlink(path);
    await unlink(this.sidecarPath(day)).catch(() => undefined);
    this.log.info({ day }, 'time-lapse removed');
  }

  /** Encodes every finished day that still has snapshots (one after the other). */
  async encodeFinishedDays(): Promise<void> {
    if (this.encoding) return;
    await this.removeLeftPartials();
    const today = this.today();
    let days: string[];
    try {
      days = (await readdir(snapshotsRoot(this.options.dataDir))).filter((day) => TIMELAPSE_DAY.test(day));
    } catch {
      return;
    }
    for (const day of days.sort()) {
      if (this.closed || day >= today || (this.failures.get(day) ?? 0) >= MAX_TRIES) continue;
      if ((await this.snapshotCount(day)) === 0) {
        await rm(join(snapshotsRoot(this.options.dataDir), day), { recursive: true, force: true });
        continue;
      }
      this.run(day, true);
      await this.encoding;
    }
  }

  /** A video a crash left half-written (hidden, so the recordings quota never sees it). */
  private async removeLeftPartials(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.options.recordingsFolder);
    } catch {
      return;
    }
    for (const name of names.filter((n) => /^\.timelapse-\d{4}-\d{2}-\d{2}\.partial\.mp4$/.test(n))) {
      await unlink(join(this.options.recordingsFolder, name)).catch(() => undefined);
      this.log.info({ file: name }, 'removed a time-lapse a crash left half-made');
    }
  }

  private scheduleCheck(ms: number): void {
    if (this.closed) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      void this.encodeFinishedDays().catch((error: unknown) =>
        this.log.warn({ err: messageOf(error) }, 'looking for days to encode failed'),
      );
      this.scheduleCheck(CHECK_EVERY_MS);
    }, ms);
  }

  private run(day: string, complete: boolean): void {
    this.runs++;
    this.jobState = { state: 'waiting', day, framesDone: 0, framesTotal: 0, message: null };
    this.encoding = this.encodeDay(day, complete)
      .catch((error: unknown) => {
        this.jobState = {
          ...this.jobState,
          state: 'failed',
          message: `could not make it: ${messageOf(error)}`,
        };
        this.log.error({ day, err: messageOf(error) }, 'time-lapse encode failed');
      })
      .finally(() => {
        this.encoding = null;
      });
  }

  private async encodeDay(day: string, complete: boolean): Promise<void> {
    const folder = join(snapshotsRoot(this.options.dataDir), day);
    // The recordings quota counts the day's snapshots but leaves them alone while they are read.
    const release = holdForEncode(folder);
    try {
      await this.encodeHeldDay(day, folder, complete);
    } finally {
      release();
    }
  }

  private async encodeHeldDay(day: string, folder: string, complete: boolean): Promise<void> {
    await this.untilCalm(day);
    if (this.options.diskHasRoom && !this.options.diskHasRoom()) {
      this.fail(
        day,
        complete,
        'the disk is below its reserve; free some space (older recordings) and try again',
      );
      return;
    }
    const frames = await this.snapshotCount(day);
    const settings = this.options.settings();
    const size = timelapseSize(settings.size);
    await mkdir(this.options.recordingsFolder, { recursive: true });
    const partial = join(this.options.recordingsFolder, `.timelapse-${day}.partial.mp4`);
    this.jobState = { state: 'encoding', day, framesDone: 0, framesTotal: frames, message: null };
    this.log.info({ day, frames, fps: settings.fps, size: settings.size, complete }, 'making the time-lapse');
    const outcome: EncodeOutcome = await this.encoder.encode(
      { folder, framesTotal: frames, args: { fps: settings.fps, ...size, output: partial } },
      (progress) => {
        this.jobState = {
          state: progress.pausedBecause === null ? 'encoding' : 'paused',
          day,
          framesDone: progress.framesDone,
          framesTotal: frames,
          message: progress.pausedBecause === null ? null : `paused: ${progress.pausedBecause}`,
        };
      },
    );
    if (!outcome.ok || outcome.frames === 0) {
      await unlink(partial).catch(() => undefined);
      this.fail(day, complete, outcome.ok ? 'ffmpeg wrote no frames' : outcome.reason);
      return;
    }
    const sidecar: Sidecar = {
      day,
      frames: outcome.frames,
      fps: settings.fps,
      ...size,
      madeAt: new Date(this.options.clock.wallNow()).toISOString(),
      complete,
    };
    // The sidecar whole and in place before the video appears, so a listed video always has one.
    const partialSidecar = `${this.sidecarPath(day)}.partial`;
    await writeFile(partialSidecar, JSON.stringify(sidecar));
    await rename(partialSidecar, this.sidecarPath(day));
    await rename(partial, join(this.options.recordingsFolder, timelapseFileName(day)));
    if (complete) await rm(folder, { recursive: true, force: true });
    const seconds = Math.round((outcome.frames / settings.fps) * 10) / 10;
    this.jobState = {
      state: 'done',
      day,
      framesDone: outcome.frames,
      framesTotal: outcome.frames,
      message: `made the time-lapse of ${day}: ${outcome.frames} frames, ${seconds} s${outcome.pauses > 0 ? ` (paused ${outcome.pauses} time(s) while the show needed the machine)` : ''}`,
    };
    this.log.info({ day, frames: outcome.frames, pauses: outcome.pauses, complete }, 'time-lapse made');
    this.options.afterEncode?.();
  }

  /** Waits while the show is under pressure: an encode never starts into it. */
  private async untilCalm(day: string): Promise<void> {
    for (;;) {
      const why = this.options.pressure();
      if (why === null || this.closed) return;
      this.jobState = { state: 'waiting', day, framesDone: 0, framesTotal: 0, message: `waiting: ${why}` };
      await new Promise<void>((resolve) => this.options.clock.setTimeout(resolve, PRESSURE_CHECK_MS));
    }
  }

  private fail(day: string, complete: boolean, reason: string): void {
    if (complete) this.failures.set(day, (this.failures.get(day) ?? 0) + 1);
    this.jobState = { ...this.jobState, state: 'failed', day, message: `could not make it: ${reason}` };
    this.log.error({ day, reason }, 'time-lapse encode failed');
  }

  private sidecarPath(day: string): string {
    return join(this.options.recordingsFolder, `.timelapse-${day}.json`);
  }

  private async readSidecar(day: string): Promise<Sidecar | null> {
    try {
      return JSON.parse(await readFile(this.sidecarPath(day), 'utf8')) as Sidecar;
    } catch {
      return null;
    }
  }

  private async snapshots(day: string): Promise<string[]> {
    try {
      return (await readdir(join(snapshotsRoot(this.options.dataDir), day))).filter((name) =>
        /^\d{6}\.jpg$/.test(name),
      );
    } catch {
      return [];
    }
  }
}

function notFound(day: string): AppError {
  return new AppError('TIMELAPSE_NOT_FOUND', `there is no time-lapse of ${day}`);
}
