// The playout clock: monotonic and tick-indexed. Tick N (program time N/fps, see
// program-clock.ts) is due at start + (N − N₀)/fps; each tick resolves the timeline, composites
// one program frame per format the encoder wants (one; two while a reconfiguration overlaps) and
// writes it with the PCM since the previous tick. It never waits for a source: a missing or stale
// frame is replaced by the slate, a missing slate by black. If the event loop runs late, the
// overdue ticks are skipped — the encoder sees a gap of the right length, never frames squeezed
// together — and the program position still follows the wall clock.
//
// Before the clock starts, it pre-rolls: the first cue's source, its backups and the slate are
// started, and the first tick waits for a picture from them (at most PREROLL_MS, then the slate)
// so a show starts on its first camera, never on black.
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { AudioMeter, type AudioLevels } from './audio-meter.ts';
import { bedAt, bedStartingSoon, sourceAudioOf, type AudioBedPlan } from './audio/bed-plan.ts';
import type { BedSource } from './audio/bed-player.ts';
import { dbToGain } from './audio/gains.ts';
import { ProgramMixer, type MixerReading } from './audio/mixer.ts';
import {
  lookahead,
  resolveFrame,
  sourceKey,
  type ActiveOverlay,
  type CompiledTimeline,
  type ProgramState,
  type VideoSource,
} from '../timeline/resolver.ts';
import {
  blendOverlays,
  composite,
  type FrameBuffer,
  type Kernels,
  type Program,
  type ProgramOverlay,
} from './compositor/index.ts';
import { CameraFailover, type FrameAge, type OnAirChoice } from './failover.ts';
import { LiveOverrides } from './overrides.ts';
import type { OverlayRenderer } from './overlays/cache.ts';
import { scaleOverlay } from './overlays/scale.ts';
import type { YuvaImage } from './overlays/yuva.ts';
import { formatKey, sameFormat, sampleAt, type ProgramFormat } from './program-clock.ts';
import { SYSTEM_CARDS, type SystemCard } from './system-cards.ts';

/** A program picture: yuv420p at the encoded size, overlays included. */
export type ProgramPicture = FrameBuffer;

export interface ProgramSink {
  /** The format the program is encoded in now (failover and audio follow its sources). */
  readonly currentFormat: ProgramFormat;
  /** Run a tick every this many ticks (the finest grid the encoder wants). */
  tickEvery(): number;
  /** Formats to composite for tick N (none when no run takes its picture). */
  formatsFor(tick: number): readonly ProgramFormat[];
  /** Optional: a frame to composite into, passed back to writeTick() (so the sink need not copy). */
  frameBuffer?(format: ProgramFormat): Uint8Array | null;
  /**
   * One tick: its frames by format key (valid only during the call, unless from frameBuffer) and
   * the PCM of every tick since the previous write, starting at sample `firstSample`.
   */
  writeTick(tick: number, frames: ReadonlyMap<string, Uint8Array>, pcm: Buffer, firstSample: number): void;
}

/** What the playout needs of a source decoded in one format. */
export interface PlayoutSource {
  frame(maxAgeMs: number): Uint8Array | null;
  /** ms since the newest frame; null before the first. */
  frameAgeMs(): number | null;
  readAudio(out: Buffer): boolean;
  discardAudio(): void;
}

/** What the playout needs of its sources (SourcePool in production, a fake in tests). */
export interface PlayoutSources {
  /** Start what is wanted soon (in each format), stop what is not. */
  reconcile(wanted: Iterable<VideoSource>, formats: readonly ProgramFormat[]): void;
  get(key: string, format: ProgramFormat): PlayoutSource | undefined;
}

export interface PlayoutStats {
  /** The program position of the next tick (timeline frames from the show's start; stands still
   *  while paused, moves on a jump). */
  frame: number;
  paused: boolean;
  /** Ticks written. */
  ticks: number;
  /** Ticks written more than one frame interval after they were due. */
  lateTicks: number;
  /** Ticks never written because the loop ran too late for them (gaps in the program). */
  skippedTicks: number;
  /** Ticks a briefly late loop filled with the next tick's picture (no gap; counted late too). */
  repeatedTicks: number;
  maxLatenessMs: number;
  /** Ticks whose on-air source had no fresh frame (the slate or black was shown instead). */
  substitutedFrames: number;
  compositeMsTotal: number;
  /** Of that, blending the overlays (their whole cost per frame: they are rendered once). */
  overlayMsTotal: number;
  /** Milliseconds the clock waited for the first picture before it started (pre-roll). */
  prerollMs: number | null;
  /** What the first tick showed: 'source' (the first cue's picture), 'standby' (a backup),
   *  'slate' or 'black'. Null before it. */
  firstPicture: 'source' | 'standby' | 'slate' | 'black' | null;
}

/** The program's own mix: the audio bed and the loudness control. */
export interface PlayoutAudio {
  /** The timeline's bed (compileAudioBed); null: none. */
  bed: AudioBedPlan | null;
  /** Plays the bed's files (null: the bed is silent). */
  bedSource: BedSource | null;
  /** Integrated loudness the program is held at (LUFS); null: off. */
  loudnessTarget: number | null;
}

export interface PlayoutOptions {
  timeline: CompiledTimeline;
  clock: Clock;
  kernels: Kernels;
  pool: PlayoutSources;
  overlays: OverlayRenderer | null;
  sink: ProgramSink;
  logger: Logger;
  /** First frame to play (crash resume starts mid-show). */
  startFrame?: number;
  /** Program tick of the first tick (the program's epoch; tests start near a timestamp wrap). */
  firstTick?: number;
  /** Start decoders this long before their cue. */
  preRollSeconds?: number;
  /** The first tick waits at most this long for its source's picture (then the slate). */
  prerollMs?: number;
  /** The program position follows the wall clock through the pre-roll too (a resumed show picks
   *  up where the schedule is); otherwise the timeline starts when its first picture is ready. */
  catchUpPreroll?: boolean;
  /** A source frame older than this is not shown (the slate stands in). */
  staleAfterMs?: number;
  /** Decides what replaces a failed camera (default: no backups, the slate). */
  failover?: CameraFailover;
  /** The operator's overrides (emergency slate, pinned/forced camera, cleared overlays). */
  overrides?: LiveOverrides;
  /** The bed and loudness control; absent (or neither): the on-air source's sound goes out as it is. */
  audio?: PlayoutAudio;
  /** Called with each tick's state (telemetry, tests). */
  onTick?: (state: ProgramState, lateness: number) => void;
  onEnded?: () => void;
}

/** PCM samples per tick: exact over time even when 48000/fps is not whole. */
export function samplesForTick(frame: number, fps: number): number {
  return sampleAt(frame + 1, fps) - sampleAt(frame, fps);
}

/** A camera put on air by an override that has no picture yet: the timeline's choice stays on air
 *  this long while it connects, then the failover decides (its backup or the slate). */
const OVERRIDE_CONNECT_MS = 5000;
/** Pre-roll: wait at most this long for the first cue's picture, then start with the slate. */
export const PREROLL_MS = 5000;
/** Pre-roll check interval. */
const PREROLL_POLL_MS = 25;
/** A loop late by up to this many ticks (a passing stall: a child spawned, a GC) fills them with
 *  the picture it makes, at their own timestamps, so the program has no hole; later than that,
 *  the machine is short and the missed ticks are skipped (a gap of the right length). */
const MAX_REPEATED_TICKS = 5;

const EMPTY_PCM = Buffer.alloc(0);

export class Playout {
  private readonly options: PlayoutOptions;
  private readonly fps: number;
  private readonly tickMs: number;
  private readonly staleAfterMs: number;
  private readonly preRollSeconds: number;
  private readonly prerollMs: number;
  private readonly slateKey: string;
  /** Own frames per format (used when the sink lends none). */
  private readonly own = new Map<string, Uint8Array>();
  /** Overlays shrunk for smaller formats, by format key then cue id. */
  private readonly scaled = new Map<string, Map<string, { source: YuvaImage; image: YuvaImage | null }>>();
  /** The next tick that may run. */
  private next: number;
  private readonly firstTick: number;
  private lastTick: number | null = null;
  /** Program position: what the timeline shows. Moves with the ticks unless paused or jumped. */
  private position: number;
  /** The timeline frame the last tick put on air (null before the first, and after a jump). */
  private onAirFrame: number | null = null;
  private paused = false;
  private readonly overrides: LiveOverrides;
  private overrideKey: string | null = null;
  private overrideSince = 0;
  private startedAt = 0;
  private timer: TimerHandle | null = null;
  private running = false;
  private audioKey: string | null = null;
  /** The picture of the last tick in the encoded format (a view of a reused buffer). */
  private lastPicture: ProgramPicture | null = null;
  /** Program audio levels, measured on the PCM written to the encoder. */
  private readonly audioMeter = new AudioMeter();
  /** The engine's mixer: only when there is a bed or a loudness target (otherwise a pass-through). */
  private readonly mixer: ProgramMixer | null;
  private bedPcm = Buffer.alloc(0);
  private readonly stats: PlayoutStats;
  private readonly failover: CameraFailover;
  private lastChoice: OnAirChoice | null = null;
  private readonly cards = new Set<SystemCard>();
  /** A format the sources are decoded in ahead of a reconfiguration (see prepareFormat). */
  private extraFormat: ProgramFormat | null = null;

  constructor(options: PlayoutOptions) {
    this.options = options;
    this.fps = options.timeline.fps;
    this.tickMs = 1000 / options.timeline.fps;
    this.staleAfterMs = options.staleAfterMs ?? 1000;
    this.preRollSeconds = options.preRollSeconds ?? 5;
    this.prerollMs = options.prerollMs ?? PREROLL_MS;
    this.firstTick = options.firstTick ?? 0;
    this.next = this.firstTick;
    this.position = options.startFrame ?? 0;
    this.overrides = options.overrides ?? new LiveOverrides();
    this.slateKey = sourceKey(options.timeline.slate);
    this.failover = options.failover ?? new CameraFailover(() => undefined);
    const audio = options.audio;
    this.mixer =
      audio && (audio.bed !== null || audio.loudnessTarget !== null)
        ? new ProgramMixer({ duckDb: audio.bed?.duckDb ?? 0, loudnessTarget: audio.loudnessTarget })
        : null;
    this.stats = {
      frame: this.position,
      paused: false,
      ticks: 0,
      lateTicks: 0,
      skippedTicks: 0,
      repeatedTicks: 0,
      maxLatenessMs: 0,
      substitutedFrames: 0,
      compositeMsTotal: 0,
      overlayMsTotal: 0,
      prerollMs: null,
      firstPicture: null,
    };
  }

  /** Starts the decoders the first seconds need, then the clock once the first picture is there. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.prepare(this.position);
    const began = this.options.clock.now();
    const check = (): void => {
      if (!this.running) return;
      const waited = this.options.clock.now() - began;
      const ready = this.prerollReady();
      if (ready === 'source' || ready === 'standby' || waited >= this.prerollMs) {
        this.stats.prerollMs = Math.round(waited);
        if (ready !== 'source')
          this.options.logger.warn(
            { waitedMs: Math.round(waited), using: ready ?? 'slate' },
            'the first source sent no picture in time: the show starts with what stands in',
          );
        this.startClock();
        return;
      }
      this.timer = this.options.clock.setTimeout(check, PREROLL_POLL_MS);
    };
    check();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
  }

  /** The program position of the next tick. */
  get frame(): number {
    return this.position;
  }

  /** The next program tick the clock will run (for planning a reconfiguration). */
  get nextTick(): number {
    return this.next;
  }

  snapshot(): PlayoutStats {
    return { ...this.stats, frame: this.position, paused: this.paused };
  }

  /**
   * Holds the timeline on the frame on air (not the next one: an overlay about to go stays); the
   * output goes on (live cameras stay live).
   */
  pause(): void {
    if (!this.paused && this.onAirFrame !== null) this.position = this.onAirFrame;
    this.paused = true;
  }

  /** Moves on from the held frame at the next tick. */
  resume(): void {
    if (this.paused && this.onAirFrame === this.position) this.position++;
    this.paused = false;
  }

  /** Moves the program to a position (frames from the show's start). */
  seek(frame: number): void {
    this.position = Math.max(0, Math.floor(frame));
    this.onAirFrame = null;
    this.overrides.jumped();
    if (this.running) this.prepare(this.position);
  }

  /** Starts what an override needs at once (a pinned or forced camera's decoder). */
  overridesChanged(): void {
    if (this.running) this.prepare(this.position);
  }

  /**
   * The program picture of the last tick, overlays included (yuv420p at the encoded size; null
   * before the first). Its buffer is reused by the next tick: read or copy it at once.
   */
  programPicture(): ProgramPicture | null {
    return this.lastPicture;
  }

  /** The program's audio levels over the last 100 ms (null before the first 50 ms of audio). */
  audioLevels(): AudioLevels | null {
    return this.audioMeter.latest();
  }

  /** The mixer's gains and loudness (null: the program's sound is the source's own). */
  audioMix(): MixerReading | null {
    return this.mixer?.reading() ?? null;
  }

  /** What is on air now, and what it stands in for (null before the first tick). */
  onAir(): OnAirChoice | null {
    return this.lastChoice;
  }

  /** Shows or hides a system card (e.g. the degraded-quality notice) over the program. */
  setCard(card: SystemCard, shown: boolean): void {
    if (shown) this.cards.add(card);
    else this.cards.delete(card);
  }

  /**
   * Decodes the sources in another format too (ahead of a reconfiguration to it, so the new
   * encoder run has pictures from its first tick); null stops that. The format the encoder uses
   * is always decoded.
   */
  prepareFormat(format: ProgramFormat | null): void {
    this.extraFormat = format;
    if (this.running) this.prepare(this.position);
  }

  /** Every source on air now (and the slate) has a picture in this format. */
  formatReady(format: ProgramFormat): boolean {
    const keys = new Set([this.slateKey]);
    const choice = this.lastChoice;
    if (choice) keys.add(sourceKey(choice.source));
    for (const key of keys) {
      if (key === sourceKey({ kind: 'black' })) continue;
      if ((this.options.pool.get(key, format)?.frameAgeMs() ?? null) === null) return false;
    }
    return true;
  }

  // ── clock ──

  private startClock(): void {
    this.startedAt = this.options.clock.now();
    if (this.options.catchUpPreroll && this.stats.prerollMs !== null)
      this.position += Math.round((this.stats.prerollMs * this.fps) / 1000);
    this.schedule();
  }

  private dueAt(tick: number): number {
    return this.startedAt + (tick - this.firstTick) * this.tickMs;
  }

  /** The next tick on the grid the sink wants, at or after `from`. */
  private onGrid(from: number): number {
    const every = Math.max(1, this.options.sink.tickEvery());
    return Math.ceil(from / every) * every;
  }

  private schedule(): void {
    if (!this.running) return;
    const tick = this.onGrid(this.next);
    const wait = this.dueAt(tick) - this.options.clock.now();
    this.timer = this.options.clock.setTimeout(() => this.runDueTick(), Math.max(0, wait));
  }

  private runDueTick(): void {
    if (!this.running) return;
    const now = this.options.clock.now();
    const every = Math.max(1, this.options.sink.tickEvery());
    // The latest tick on the grid that is due: earlier ones it passed are skipped, not squeezed in.
    const latestDue = this.firstTick + Math.floor((now - this.startedAt) / this.tickMs + 1e-9);
    let tick = Math.floor(latestDue / every) * every;
    const first = this.onGrid(this.next);
    if (tick < first) tick = first;
    if (this.dueAt(tick) > now) {
      this.schedule();
      return;
    }
    const missed: number[] = [];
    for (let t = first; t < tick; t += every) missed.push(t);
    if (missed.length > MAX_REPEATED_TICKS) {
      this.stats.skippedTicks += missed.length;
      missed.length = 0;
    }
    if (!this.tick(tick, now - this.dueAt(tick), missed)) return;
    this.next = tick + 1;
    this.schedule();
  }

  // ── what the ticks need ──

  /** Formats the sources must be decoded in now. */
  private decodeFormats(): ProgramFormat[] {
    const formats = [this.options.sink.currentFormat];
    for (const format of [...this.options.sink.formatsFor(this.next), this.extraFormat]) {
      if (format && !formats.some((f) => sameFormat(f, format))) formats.push(format);
    }
    return formats;
  }

  /** Starts what the next seconds need: decoders (pre-roll) and overlay bitmaps. */
  private prepare(frame: number, state?: ProgramState): void {
    const { timeline, pool, overlays } = this.options;
    const ahead = lookahead(timeline, frame, this.preRollSeconds);
    const scheduled: VideoSource[] = ahead.sources.map((s) => s.source);
    if (state?.video.transition) scheduled.push(state.video.transition.from);
    for (const cameraId of this.overrides.wantedCameras()) scheduled.push({ kind: 'camera', cameraId });
    // Backups decode alongside the cameras they stand in for, so a failover is instant.
    pool.reconcile(
      [timeline.slate, ...scheduled, ...this.failover.standbyFor(scheduled)],
      this.decodeFormats(),
    );
    const audio = this.options.audio;
    if (audio?.bed && audio.bedSource) {
      // The cue on air (at the show's start it is not playing yet) and the next one to start.
      const soon = [
        bedAt(audio.bed, timeline, frame),
        bedStartingSoon(audio.bed, timeline, frame, Math.round(this.preRollSeconds * this.fps)),
      ];
      audio.bedSource.prepare(soon.filter((at) => at !== null));
    }
    if (overlays) {
      const system = Object.entries(SYSTEM_CARDS).map(([cueId, params]) => ({ cueId, params }));
      void overlays
        .sync([...ahead.overlays.map((o) => ({ cueId: o.cueId, params: o.params })), ...system])
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error }, 'overlay render failed; the overlay is skipped');
        });
    }
  }

  /** What the first tick can show: its own source, a backup standing in, the slate, or nothing. */
  private prerollReady(): 'source' | 'standby' | 'slate' | null {
    const state = resolveFrame(this.options.timeline, this.position);
    const format = this.options.sink.currentFormat;
    const slate = this.options.pool.get(this.slateKey, format)?.frame(Infinity) ? 'slate' : null;
    if (state.ended) return 'source';
    const wanted = this.overrides.apply(state, this.options.timeline.slate).video ?? state.video.source;
    if (wanted.kind === 'black') return 'source';
    if (wanted.kind === 'slate') return slate === null ? null : 'source';
    const fresh = (key: string): boolean =>
      (this.options.pool.get(key, format)?.frame(this.staleAfterMs) ?? null) !== null;
    if (fresh(sourceKey(wanted))) return 'source';
    if (wanted.kind === 'camera')
      for (const backup of this.failover.standbyFor([wanted])) if (fresh(sourceKey(backup))) return 'standby';
    return slate;
  }

  /** The failover's choice for a scheduled source (a failed camera → its backup or the slate). */
  private choose(scheduled: VideoSource): OnAirChoice {
    return this.failover.choose(scheduled, this.options.clock.now(), this.frameAge);
  }

  private readonly frameAge: FrameAge = (key) =>
    this.options.pool.get(key, this.options.sink.currentFormat)?.frameAgeMs();

  private frameOf(choice: OnAirChoice, format: ProgramFormat, count: boolean): Uint8Array | null {
    const source = choice.source;
    if (source.kind === 'black') return null;
    // The slate is a still: its last frame never goes stale (it is decoded at a low rate).
    if (source.kind === 'slate') {
      if (choice.replacing && count) this.stats.substitutedFrames++;
      return this.slateFrame(format);
    }
    // A camera chosen by the failover is fresh by its rule; a media file by the stale rule.
    const maxAge = source.kind === 'camera' ? Infinity : this.staleAfterMs;
    const fresh = this.options.pool.get(sourceKey(source), format)?.frame(maxAge) ?? null;
    if (fresh) return fresh;
    if (count) this.stats.substitutedFrames++;
    return this.slateFrame(format);
  }

  private slateFrame(format: ProgramFormat): Uint8Array | null {
    return this.options.pool.get(this.slateKey, format)?.frame(Infinity) ?? null;
  }

  /** One tick (and the missed ticks it fills); false when the (non-looping) timeline has ended. */
  private tick(tick: number, lateness: number, fill: readonly number[] = []): boolean {
    const { timeline, kernels, sink, overlays, clock } = this.options;
    // Ticks skipped since the last one still move the program on: it follows the wall clock.
    if (this.lastTick !== null && !this.paused) this.position += tick - this.lastTick - 1 - fill.length;
    if (!this.paused) this.position += fill.length;
    const state = resolveFrame(timeline, this.position);
    if (state.ended) {
      this.stop();
      this.options.onEnded?.();
      return false;
    }
    const previous = this.lastTick;
    this.lastTick = tick;
    if (previous === null || Math.floor(tick / this.fps) !== Math.floor(previous / this.fps))
      this.prepare(this.position, state);

    const wanted = this.overrides.apply(state, timeline.slate);
    if (!wanted.video) this.overrideKey = null;
    const override = wanted.video && this.overrideReady(wanted.video) ? wanted.video : null;
    const video = override ? { source: override, transition: null } : state.video;
    const choice = this.choose(video.source);
    const fromChoice = video.transition ? this.choose(video.transition.from) : null;
    this.lastChoice = choice;
    const failedToSlate = choice.replacing?.failed === true && choice.replacing.replacement.kind === 'slate';
    if (failedToSlate) this.cards.add('technical_difficulties');
    else this.cards.delete('technical_difficulties');

    const frames = new Map<string, Uint8Array>();
    const formats = sink.formatsFor(tick);
    formats.forEach((format, index) => {
      const count = index === 0;
      const layers = overlays ? this.overlayLayers(wanted.overlays, overlays, format) : [];
      const program: Program = {
        video:
          video.transition && fromChoice
            ? {
                kind: video.transition.type,
                from: this.frameOf(fromChoice, format, false),
                to: this.frameOf(choice, format, count),
                progress: video.transition.progress,
              }
            : { kind: 'single', frame: this.frameOf(choice, format, count) },
        overlays: [],
      };
      const target = sink.frameBuffer?.(format) ?? this.ownFrame(format);
      const frame = { width: format.width, height: format.height, data: target };
      const began = clock.now();
      composite(frame, program, kernels);
      const videoDone = clock.now();
      blendOverlays(frame, layers, kernels);
      const done = clock.now();
      this.stats.compositeMsTotal += done - began;
      this.stats.overlayMsTotal += done - videoDone;
      frames.set(formatKey(format), target);
      if (count) this.lastPicture = frame;
    });
    if (this.stats.firstPicture === null) this.stats.firstPicture = this.pictureKind(choice);

    // Audio: every sample since the previous tick, from what is on air (in the encoder's format).
    const firstSample = sampleAt(previous === null ? tick : previous + 1, this.fps);
    const pcm = Buffer.alloc((sampleAt(tick + 1, this.fps) - firstSample) * 4);
    const current = sink.currentFormat;
    const key = `${sourceKey(choice.source)}@${formatKey(current)}`;
    const onAir = this.options.pool.get(sourceKey(choice.source), current);
    if (this.audioKey !== key) {
      onAir?.discardAudio(); // start the new source's audio current, not from its backlog
      this.audioKey = key;
    }
    onAir?.readAudio(pcm);
    if (this.mixer) this.mixAudio(pcm, state);
    this.audioMeter.push(pcm);
    if (fill.length > 0) {
      // The audio of every tick goes with the first; each filled tick shows this picture.
      sink.writeTick(fill[0]!, frames, pcm, firstSample);
      for (const filled of fill.slice(1))
        sink.writeTick(filled, frames, EMPTY_PCM, sampleAt(filled, this.fps));
      sink.writeTick(tick, frames, EMPTY_PCM, sampleAt(tick, this.fps));
      this.stats.repeatedTicks += fill.length;
      this.stats.lateTicks += fill.length;
      this.stats.ticks += fill.length;
    } else {
      sink.writeTick(tick, frames, pcm, firstSample);
    }

    this.stats.ticks++;
    if (lateness > this.tickMs) this.stats.lateTicks++;
    this.stats.maxLatenessMs = Math.max(this.stats.maxLatenessMs, lateness);
    this.options.onTick?.(state, lateness);
    this.onAirFrame = this.position;
    if (!this.paused) this.position++;
    return true;
  }

  /** The bed under (or instead of) the source's sound, then the loudness gain and the limiter. */
  private mixAudio(pcm: Buffer, state: ProgramState): void {
    const audio = this.options.audio!;
    const plan = audio.bed;
    const timeline = this.options.timeline;
    const at = plan ? bedAt(plan, timeline, this.position) : null;
    let bed: Buffer | null = null;
    if (audio.bedSource && plan) {
      if (this.bedPcm.length !== pcm.length) this.bedPcm = Buffer.alloc(pcm.length);
      audio.bedSource.read(at, this.bedPcm);
      if (at) bed = this.bedPcm;
    }
    const volume = at ? dbToGain(at.cue.volumeDb) : 0;
    // The fade at the next position (the same while paused: the fade holds with the timeline).
    const after = plan && at ? bedAt(plan, timeline, this.position + (this.paused ? 0 : 1)) : null;
    this.mixer!.process(pcm, bed, {
      replaceSource: at !== null && plan !== null && sourceAudioOf(plan, state.video.cueId) === 'replace',
      bedGainFrom: volume * (at?.fade ?? 0),
      bedGainTo: after?.instance === at?.instance ? volume * (after?.fade ?? 0) : 0,
    });
  }

  private pictureKind(choice: OnAirChoice): PlayoutStats['firstPicture'] {
    if (choice.source.kind === 'black') return 'black';
    if (choice.replacing?.replacement.kind === 'backup') return 'standby';
    if (choice.source.kind === 'slate' && choice.replacing) return 'slate';
    const format = this.options.sink.currentFormat;
    const shown =
      choice.source.kind === 'slate' ? this.slateFrame(format) : this.frameOf(choice, format, false);
    if (shown === null) return 'black';
    return shown === this.slateFrame(format) && choice.source.kind !== 'slate' ? 'slate' : 'source';
  }

  private ownFrame(format: ProgramFormat): Uint8Array {
    const key = formatKey(format);
    let frame = this.own.get(key);
    if (!frame) {
      frame = this.options.kernels.allocFrame(format.width, format.height);
      this.own.set(key, frame);
    }
    return frame;
  }

  /** An override's camera goes on air once it has a picture (or after OVERRIDE_CONNECT_MS). */
  private overrideReady(source: VideoSource): boolean {
    const key = sourceKey(source);
    const now = this.options.clock.now();
    if (key !== this.overrideKey) {
      this.overrideKey = key;
      this.overrideSince = now;
    }
    if (source.kind !== 'camera') return true;
    const age = this.frameAge(key);
    return (age !== null && age !== undefined) || now - this.overrideSince >= OVERRIDE_CONNECT_MS;
  }

  private overlayLayers(
    active: readonly ActiveOverlay[],
    renderer: OverlayRenderer,
    format: ProgramFormat,
  ): ProgramOverlay[] {
    const layers: ProgramOverlay[] = [];
    const factor = format.height / this.options.timeline.height;
    const add = (cueId: string, opacity: number): void => {
      const rendered = renderer.get(cueId)?.yuva;
      if (!rendered || rendered.width === 0 || rendered.height === 0) return;
      const image = factor === 1 ? rendered : this.shrunk(cueId, rendered, format, factor);
      if (!image) return;
      layers.push({
        image: { width: image.width, height: image.height, data: image.data },
        x: image.left,
        y: image.top,
        opacity,
      });
    };
    for (const overlay of active) add(overlay.cueId, overlay.opacity);
    for (const card of this.cards) add(card, 1); // above every timeline layer
    return layers;
  }

  /** The overlay shrunk for a smaller format, made once per render. */
  private shrunk(
    cueId: string,
    rendered: YuvaImage,
    format: ProgramFormat,
    factor: number,
  ): YuvaImage | null {
    const key = formatKey(format);
    let cache = this.scaled.get(key);
    if (!cache) {
      // Only the formats in use keep a cache.
      for (const other of [...this.scaled.keys()])
        if (!this.decodeFormats().some((f) => formatKey(f) === other)) this.scaled.delete(other);
      cache = new Map();
      this.scaled.set(key, cache);
    }
    const hit = cache.get(cueId);
    if (hit && hit.source === rendered) return hit.image;
    const image = scaleOverlay(rendered, factor);
    cache.set(cueId, { source: rendered, image });
    return image;
  }
}
