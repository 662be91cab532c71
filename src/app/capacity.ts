// The capacity service: where a show starts on its quality ladder on this machine, so that it does
// not start in overload (issue 13). The operator's choice — the timeline's size and frame rate,
// the profile's preset and bitrate — is the ceiling: the ladder degraded mode steps down from and
// back up to. The capacity check (src/engine/quality/capacity.ts) measures which level of that
// ladder this machine can run now ahead of real time; this service keeps the answer per ceiling in the
// settings store (a restart reuses it), runs one measurement at a time, and says where a show
// starts:
//   - pre-flight reuses a result at most 24 h old for the ceiling, else measures (operator waits);
//   - the show runner (GO LIVE, schedules, crash resume) starts at the stored result, whatever its
//     age (the best knowledge there is; the show's own symptoms correct it on air), and at the
//     ceiling when there is none;
//   - a hardware encoder costs the CPU little: no measurement, the show starts at the ceiling;
//   - a measurement in the background (the first start) gives way to one an operator waits for:
//     it is stopped at once and not stored.
// The check judges a level by a real-time trial beside whatever else runs, so a measurement made
// beside the demo (at the first start, or a pre-flight the demo is still on air for) comes out on
// the cautious side: the show starts a little low and degraded mode steps it up after calm
// minutes. The free-cores figure reported counts the appliance's own CPU (its process and the
// show's ffmpeg children) as free, since the new show takes their place.
import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { systemClock, type Clock } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import {
  buildLadder,
  createTrialRunner,
  describeLevel,
  formatFps,
  parseProcessCpuSeconds,
  readIdleSeconds,
  readProcessCpuSeconds,
  runCapacityCheck,
  type CapacityCheckOptions,
  type CapacityProgress,
  type CapacityResult,
  type QualityLevel,
  type TrialRunner,
} from '../engine/index.ts';
import { profileSettings, type EncodingProfile, type VideoEncoder } from '../ffmpeg/argv.ts';
import type { EncoderDetection } from '../ffmpeg/hardware.ts';
import type { SettingsRepository } from '../store/repositories/records.ts';
import { compileTimeline } from '../timeline/resolver.ts';
import type { Timeline } from '../timeline/schema.ts';

/** Settings key of the stored results (one JSON object keyed by ceiling). */
export const CAPACITY_SETTING = 'quality.capacity';
/** Pre-flight measures again when the stored result is older than this. */
export const CAPACITY_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Results kept (the newest); a venue uses a handful of timelines. */
const KEPT_RESULTS = 20;

/** What a show asks of the machine at the operator's settings. */
export interface ShowCeiling {
  width: number;
  height: number;
  fps: number;
  /** The profile's x264 preset, or the show's own. */
  preset: string;
  profile: EncodingProfile;
  bitrateKbps: number;
  encoder: VideoEncoder;
  /** Sources decoding at once (the one on air, the next one pre-rolling, their backups). */
  cameras: number;
}

/** A show as the service needs it: its timeline, its encoder options, the cameras' backups. */
export interface CapacityShow {
  timeline: Timeline;
  encoder?: {
    preset?: string | undefined;
    profile?: EncodingProfile | undefined;
    bitrateKbps?: number | undefined;
  };
  /** The backup the engine would put on air for a camera (none: null or undefined). */
  backupOf?: (cameraId: number) => number | null | undefined;
}

/**
 * Sources decoding at once (pure): the engine pre-rolls the next cue's source while one is on air
 * and keeps the backups of both hot, so the most over any cue and the next (the first follows the
 * last in a loop). A slate-only timeline decodes nothing.
 */
export function camerasAtOnce(
  timeline: Timeline,
  backupOf: (cameraId: number) => number | null | undefined = () => null,
): number {
  const cues = compileTimeline(timeline).video;
  const sourcesOf = (index: number): string[] => {
    const source = cues[index]!.source;
    if (source.kind === 'camera') {
      const backup = backupOf(source.cameraId);
      return [
        `camera:${source.cameraId}`,
        ...(backup !== null && backup !== undefined ? [`camera:${backup}`] : []),
      ];
    }
    if (source.kind === 'media') return [`media:${source.assetId ?? source.mediaUrl ?? ''}`];
    return [];
  };
  let most = 0;
  for (let i = 0; i < cues.length; i++) {
    const next = i + 1 < cues.length ? i + 1 : timeline.loop ? 0 : i;
    most = Math.max(most, new Set([...sourcesOf(i), ...sourcesOf(next)]).size);
  }
  return most;
}

/** The ceiling of a show on an encoder (pure): as the engine builds it (src/engine/engine.ts). */
export function ceilingOf(show: CapacityShow, encoder: VideoEncoder): ShowCeiling {
  const { width, height, fps } = compileTimeline(show.timeline);
  const profile = show.encoder?.profile ?? 'reliability';
  const settings = profileSettings(profile, show.encoder?.bitrateKbps);
  return {
    width,
    height,
    fps,
    preset: show.encoder?.preset ?? settings.preset,
    profile,
    bitrateKbps: settings.bitrateKbps,
    encoder,
    cameras: camerasAtOnce(show.timeline, show.backupOf),
  };
}

/** One stored result per key. */
export function ceilingKey(c: ShowCeiling): string {
  return `${c.encoder} ${c.preset} ${c.width}x${c.height}@${formatFps(c.fps)} ${c.profile} ${c.bitrateKbps}k ${c.cameras}src`;
}

/** The CPU ladder of a ceiling, built as the engine builds it (same defaults for its floor). */
export function ladderOf(c: ShowCeiling): QualityLevel[] {
  return buildLadder(
    { preset: c.preset, fps: c.fps, width: c.width, height: c.height },
    { encoder: c.encoder },
  );
}

function sameLevel(a: QualityLevel, b: QualityLevel): boolean {
  return a.preset === b.preset && a.fps === b.fps && a.width === b.width && a.height === b.height;
}

const LevelSchema = z.object({
  preset: z.string(),
  fps: z.number().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

const StoredCapacitySchema = z.object({
  key: z.string(),
  measuredAt: z.string(),
  chosen: LevelSchema,
  description: z.string(),
  summary: z.string(),
  tried: z.array(
    z.object({
      index: z.number().int().min(0),
      description: z.string(),
      accepted: z.boolean(),
      reason: z.string(),
      /** Cores the level needed to keep the trial's pace, and what its parts got (trial figures). */
      neededCores: z.number().optional(),
      gotCores: z.number().optional(),
    }),
  ),
  decoder: z.object({
    coresAtCeiling: z.number(),
    measured: z.boolean(),
    reason: z.string().optional(),
  }),
  freeCores: z.number().nullable(),
  durationMs: z.number(),
});
/** A measurement as stored (and as pre-flight lists it). */
export type StoredCapacity = z.output<typeof StoredCapacitySchema>;

/** Where a show starts, and why when that is below the operator's settings. */
export interface StartLevel {
  level: number;
  description: string;
  /** null at the operator's settings. */
  reason: string | null;
}

/** What pre-flight learns. */
export type CapacityAnswer =
  | { kind: 'hardware'; ceiling: ShowCeiling; ladder: QualityLevel[]; startLevel: 0 }
  | {
      kind: 'measured';
      ceiling: ShowCeiling;
      ladder: QualityLevel[];
      startLevel: number;
      result: StoredCapacity;
      /** Measured for this answer (else reused). */
      measuredNow: boolean;
      ageMs: number;
    }
  | {
      /** Measuring was not allowed now (a show is on air); the stored result, if any, stands. */
      kind: 'unmeasured';
      ceiling: ShowCeiling;
      ladder: QualityLevel[];
      startLevel: number;
      result: StoredCapacity | null;
      why: string;
    };

/** The measurement under way, for the control room. */
export interface MeasuringStatus {
  /** "Measuring this machine: testing veryfast, 30 fps, 1920×1080 (2/4)". */
  message: string;
  step: number;
  of: number;
}

/** A measurement given way to one an operator waits for (never stored). */
export class CapacityCheckStopped extends Error {
  override readonly name = 'CapacityCheckStopped';
}

export type CapacityPriority = 'operator' | 'background';

/** Runs one capacity check; stops as soon as it can once `signal` aborts. */
export type CapacityCheckRunner = (
  options: CapacityCheckOptions,
  signal: AbortSignal,
) => Promise<CapacityResult>;

/** One process of /proc: its parent and CPU seconds so far. */
export interface ProcessEntry {
  ppid: number;
  cpuSeconds: number;
}

/** The parent pid from the text of /proc/<pid>/stat (field 4). */
export function parseParentPid(statText: string): number | null {
  const close = statText.lastIndexOf(')');
  const ppid = close < 0 ? NaN : Number(statText.slice(close + 2).split(' ')[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

/** Every descendant of `root` in a process table (pure); `except` and their descendants left out. */
export function descendantsOf(
  root: number,
  table: ReadonlyMap<number, ProcessEntry>,
  except: ReadonlySet<number> = new Set(),
): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, entry] of table) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), pid]);
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (except.has(pid)) continue;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

function readProcessTable(): Map<number, ProcessEntry> {
  const table = new Map<number, ProcessEntry>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return table;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = parseParentPid(text);
      const cpuSeconds = parseProcessCpuSeconds(text);
      if (ppid !== null && cpuSeconds !== null) table.set(Number(name), { ppid, cpuSeconds });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/**
 * CPU seconds this appliance has used since the tally began, besides the tests: its own process
 * and its descendants (the show on air's decoders, encoder, publishers). A counter that only
 * rises: a process that ends keeps what it used; one that starts counts from its start.
 */
export class ApplianceCpuTally {
  private readonly last = new Map<number, number>();
  private total = 0;
  private readonly ownStart: NodeJS.CpuUsage;

  constructor(
    private readonly readTable: () => ReadonlyMap<number, ProcessEntry> = readProcessTable,
    private readonly root = process.pid,
    private readonly ownCpu: (since?: NodeJS.CpuUsage) => NodeJS.CpuUsage = (since) =>
      process.cpuUsage(since),
  ) {
    this.ownStart = this.ownCpu();
    const table = this.readTable();
    for (const pid of descendantsOf(root, table)) this.last.set(pid, table.get(pid)!.cpuSeconds);
  }

  read(except: ReadonlySet<number>): number {
    const table = this.readTable();
    for (const pid of descendantsOf(this.root, table, except)) {
      const now = table.get(pid)!.cpuSeconds;
      this.total += Math.max(0, now - (this.last.get(pid) ?? 0));
      this.last.set(pid, now);
    }
    const own = this.ownCpu(this.ownStart);
    return this.total + (own.user + own.system) / 1e6;
  }
}

/**
 * The real check, stoppable: the trial runner's only timer is a test's deadline, which kills the
 * test's process group; on abort every pending deadline fires at once, and later tests are refused
 * without starting. The appliance's own CPU counts as free (the new show replaces what is on air).
 */
export const realCapacityCheck: CapacityCheckRunner = (options, signal) => {
  const clock = options.clock ?? systemClock;
  const deadlines = new Set<() => void>();
  const trialClock: Clock = {
    now: () => clock.now(),
    wallNow: () => clock.wallNow(),
    setTimeout(fn, ms) {
      let done = false;
      const fire = (): void => {
        if (done) return;
        done = true;
        deadlines.delete(fire);
        handle.cancel();
        fn();
      };
      const handle = clock.setTimeout(fire, ms);
      deadlines.add(fire);
      return {
        cancel: () => {
          done = true;
          deadlines.delete(fire);
          handle.cancel();
        },
      };
    },
  };
  signal.addEventListener('abort', () => [...deadlines].forEach((fire) => fire()), { once: true });
  const tally = new ApplianceCpuTally();
  const tests = new Set<number>();
  const trials = createTrialRunner({
    clock: trialClock,
    readCpuSeconds: (pid) => {
      tests.add(pid);
      return readProcessCpuSeconds(pid);
    },
    readIdleSeconds: () => {
      const idle = readIdleSeconds();
      return idle === null ? null : idle + tally.read(tests);
    },
  });
  const runTrial: TrialRunner = async (spec) =>
    signal.aborted ? { ok: false, reason: 'the measurement was stopped' } : trials(spec);
  return runCapacityCheck({ ...options, runTrial });
};

export interface CapacityServiceDeps {
  settings: Pick<SettingsRepository, 'get' | 'set'>;
  /** The machine's H.264 encoder (the same detection the engine uses). */
  detectEncoder: () => Promise<EncoderDetection>;
  clock?: Clock;
  logger?: Logger;
  runCheck?: CapacityCheckRunner;
  /** Pre-flight measures again past this age. Default 24 h. */
  maxAgeMs?: number;
}

interface Job {
  key: string;
  ceiling: ShowCeiling;
  priority: CapacityPriority;
  controller: AbortController;
  progress: CapacityProgress | null;
  promise: Promise<StoredCapacity>;
  settle: { resolve: (result: StoredCapacity) => void; reject: (error: unknown) => void };
}

const cores = (n: number): string => n.toFixed(2);

/** "just now", "12 min ago", "5 h ago". */
export function formatAge(ms: number): string {
  if (ms < 60_000) return 'just now';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  return `${Math.round(ms / 3_600_000)} h ago`;
}

export class CapacityService {
  private readonly deps: CapacityServiceDeps;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly runCheck: CapacityCheckRunner;
  private readonly maxAgeMs: number;
  private current: Job | null = null;
  private readonly waiting: Job[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(deps: CapacityServiceDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? createLogger('capacity');
    this.runCheck = deps.runCheck ?? realCapacityCheck;
    this.maxAgeMs = deps.maxAgeMs ?? CAPACITY_MAX_AGE_MS;
  }

  /** The stored result for a ceiling, whatever its age (null: never measured, or no longer valid). */
  known(ceiling: ShowCeiling): StoredCapacity | null {
    const stored = this.readAll()[ceilingKey(ceiling)];
    if (!stored) return null;
    return ladderOf(ceiling).some((level) => sameLevel(level, stored.chosen)) ? stored : null;
  }

  /** Where a show with this ceiling starts: the stored result, else the ceiling (0). */
  startLevelFor(ceiling: ShowCeiling): number {
    return this.startFor(ceiling).level;
  }

  /** The same for a show (the runner): the machine's encoder decides the ceiling. */
  async startLevelForShow(show: CapacityShow): Promise<StartLevel> {
    const detection = await this.deps.detectEncoder();
    return this.startFor(ceilingOf(show, detection.encoder));
  }

  /**
   * Pre-flight: a result at most 24 h old for the show's ceiling, else a new measurement (which
   * stops a background one). `measure: false` (a show is on air) only reads what is stored.
   */
  async answer(
    show: CapacityShow,
    encoder: VideoEncoder,
    options: { measure: boolean; priority?: CapacityPriority; why?: string },
  ): Promise<CapacityAnswer> {
    const ceiling = ceilingOf(show, encoder);
    const ladder = ladderOf(ceiling);
    if (encoder !== 'libx264') return { kind: 'hardware', ceiling, ladder, startLevel: 0 };
    const stored = this.known(ceiling);
    if (stored) {
      const ageMs = this.ageOf(stored);
      if (ageMs !== null && ageMs <= this.maxAgeMs)
        return {
          kind: 'measured',
          ceiling,
          ladder,
          startLevel: this.indexIn(ladder, stored),
          result: stored,
          measuredNow: false,
          ageMs,
        };
    }
    if (!options.measure)
      return {
        kind: 'unmeasured',
        ceiling,
        ladder,
        startLevel: stored ? this.indexIn(ladder, stored) : 0,
        result: stored,
        why: options.why ?? 'measuring was not allowed now',
      };
    const result = await this.measure(ceiling, options.priority ?? 'operator');
    return {
      kind: 'measured',
      ceiling,
      ladder,
      startLevel: this.indexIn(ladder, result),
      result,
      measuredNow: true,
      ageMs: 0,
    };
  }

  /**
   * Measures a ceiling now. One measurement runs at a time; a request for the ceiling being
   * measured (or waiting) joins it; an operator's request goes before background ones and stops
   * a background one running (it rejects with CapacityCheckStopped).
   */
  measure(ceiling: ShowCeiling, priority: CapacityPriority): Promise<StoredCapacity> {
    const key = ceilingKey(ceiling);
    // A job already stopped is not joined: it will reject.
    const same = [this.current, ...this.waiting].find(
      (job) => job?.key === key && !job.controller.signal.aborted,
    );
    if (same) {
      if (priority === 'operator') same.priority = 'operator';
      return same.promise;
    }
    let settle!: Job['settle'];
    const promise = new Promise<StoredCapacity>((resolve, reject) => (settle = { resolve, reject }));
    const job: Job = {
      key,
      ceiling,
      priority,
      controller: new AbortController(),
      progress: null,
      promise,
      settle,
    };
    if (priority === 'operator') {
      const firstBackground = this.waiting.findIndex((waiting) => waiting.priority === 'background');
      this.waiting.splice(firstBackground < 0 ? this.waiting.length : firstBackground, 0, job);
      if (this.current?.priority === 'background') this.current.controller.abort();
    } else {
      this.waiting.push(job);
    }
    this.pump();
    return promise;
  }

  /** Stops background measurements (a real show is going on air: it must have the machine). */
  stopBackground(): void {
    for (const job of this.waiting.filter((waiting) => waiting.priority === 'background')) {
      this.waiting.splice(this.waiting.indexOf(job), 1);
      job.settle.reject(new CapacityCheckStopped('a show went on air'));
    }
    if (this.current?.priority === 'background') this.current.controller.abort();
  }

  /** The measurement under way (null when none). */
  measuring(): MeasuringStatus | null {
    const progress = this.current?.progress;
    return progress ? { message: progress.message, step: progress.step, of: progress.of } : null;
  }

  /** Called when a measurement starts, moves on or ends. */
  onMeasuring(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private startFor(ceiling: ShowCeiling): StartLevel {
    const ladder = ladderOf(ceiling);
    const atCeiling: StartLevel = { level: 0, description: describeLevel(ladder[0]!), reason: null };
    if (ceiling.encoder !== 'libx264') return atCeiling;
    const stored = this.known(ceiling);
    if (!stored) return atCeiling;
    const level = this.indexIn(ladder, stored);
    if (level === 0) return atCeiling;
    const ageMs = this.ageOf(stored);
    const top = stored.tried.find((verdict) => verdict.index === 0);
    const figures =
      top?.neededCores !== undefined && top.gotCores !== undefined
        ? `they need ${cores(top.neededCores)} cores to keep ahead of real time and got ${cores(top.gotCores)} here`
        : (top?.reason ?? 'no level above it fitted');
    return {
      level,
      description: describeLevel(ladder[level]!),
      reason: `this machine's capacity check${ageMs === null ? '' : ` (${formatAge(ageMs)})`} found your settings too much for it (${figures})`,
    };
  }

  private indexIn(ladder: readonly QualityLevel[], stored: StoredCapacity): number {
    return Math.max(
      0,
      ladder.findIndex((level) => sameLevel(level, stored.chosen)),
    );
  }

  /** Age by the wall clock; null when the clock says it was measured in the future (it stepped). */
  private ageOf(stored: StoredCapacity): number | null {
    const age = this.clock.wallNow() - Date.parse(stored.measuredAt);
    return Number.isFinite(age) && age >= -60_000 ? Math.max(0, age) : null;
  }

  private pump(): void {
    if (this.current || this.waiting.length === 0) return;
    const job = this.waiting.shift()!;
    this.current = job;
    void this.run(job).finally(() => {
      this.current = null;
      this.changed();
      this.pump();
    });
  }

  private async run(job: Job): Promise<void> {
    const { ceiling } = job;
    const ladder = ladderOf(ceiling);
    const log = this.log.child({ ceiling: job.key, priority: job.priority });
    log.info(`measuring this machine for ${describeLevel(ladder[0]!)}`);
    try {
      const result = await this.runCheck(
        {
          ladder,
          cameras: ceiling.cameras,
          bitrateKbps: ceiling.bitrateKbps,
          profile: ceiling.profile,
          clock: this.clock,
          logger: log,
          onProgress: (progress) => {
            job.progress = progress;
            this.changed();
          },
        },
        job.controller.signal,
      );
      if (job.controller.signal.aborted)
        throw new CapacityCheckStopped('an operator’s measurement went first');
      const stored = this.store(job.key, result);
      log.info({ chosen: stored.description, durationMs: stored.durationMs }, stored.summary);
      job.settle.resolve(stored);
    } catch (error) {
      const stopped = job.controller.signal.aborted && !(error instanceof CapacityCheckStopped);
      const reason = stopped ? new CapacityCheckStopped('an operator’s measurement went first') : error;
      if (reason instanceof CapacityCheckStopped) log.info(`measurement stopped: ${reason.message}`);
      else log.error({ err: reason }, 'the capacity check failed');
      job.settle.reject(reason);
    }
  }

  private store(key: string, result: CapacityResult): StoredCapacity {
    const stored: StoredCapacity = {
      key,
      measuredAt: new Date(this.clock.wallNow()).toISOString(),
      chosen: { ...result.chosen },
      description: result.description,
      summary: result.summary,
      tried: result.tried.map((verdict) => ({
        index: verdict.index,
        description: verdict.description,
        accepted: verdict.accepted,
        reason: verdict.reason,
        ...(verdict.trial && verdict.trial.neededCores !== null && verdict.trial.usedCores !== null
          ? { neededCores: verdict.trial.neededCores, gotCores: verdict.trial.usedCores }
          : {}),
      })),
      decoder: { ...result.decoder },
      freeCores: result.freeCores,
      durationMs: result.durationMs,
    };
    const all = { ...this.readAll(), [key]: stored };
    const newest = Object.values(all)
      .sort((a, b) => b.measuredAt.localeCompare(a.measuredAt))
      .slice(0, KEPT_RESULTS);
    try {
      this.deps.settings.set(CAPACITY_SETTING, Object.fromEntries(newest.map((r) => [r.key, r])));
    } catch (error) {
      // A full disk loses the memory of it, not the answer.
      this.log.error({ err: error }, 'could not store the capacity result');
    }
    return stored;
  }

  /** Every valid stored result (a damaged entry is left out: that ceiling is measured again). */
  private readAll(): Record<string, StoredCapacity> {
    let raw: unknown;
    try {
      raw = this.deps.settings.get<unknown>(CAPACITY_SETTING, {});
    } catch (error) {
      this.log.error({ err: error }, 'could not read the stored capacity results');
      return {};
    }
    if (raw === null || typeof raw !== 'object') return {};
    const out: Record<string, StoredCapacity> = {};
    for (const [key, value] of Object.entries(raw)) {
      const parsed = StoredCapacitySchema.safeParse(value);
      if (parsed.success && parsed.data.key === key) out[key] = parsed.data;
    }
    return out;
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.log.error({ err: error }, 'a measuring listener failed');
      }
    }
  }
}
