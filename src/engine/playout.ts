// The playout clock: monotonic and frame-indexed. Tick n is due at start + n/fps; each tick
// resolves the timeline, composites one program frame and writes exactly one video frame and
// that tick's share of audio. It never waits for a source: a missing or stale frame is replaced
// by the slate, a missing slate by black. If the event loop runs late, overdue ticks are written
// back to back so the output keeps real time.
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import {
  lookahead,
  resolveFrame,
  sourceKey,
  type ActiveOverlay,
  type CompiledTimeline,
  type ProgramState,
  type VideoSource,
} from '../timeline/resolver.ts';
import { composite, type Kernels, type Program, type ProgramOverlay } from './compositor/index.ts';
import { CameraFailover, type FrameAge, type OnAirChoice } from './failover.ts';
import { LiveOverrides } from './overrides.ts';
import type { OverlayRenderer } from './overlays/cache.ts';
import { SYSTEM_CARDS, type SystemCard } from './system-cards.ts';

export interface ProgramSink {
  /**
   * One tick: its video frame and its PCM, written together (or dropped together). The frame is
   * valid only during the call (the playout composites the next tick into it); the PCM is the
   * sink's to keep.
   */
  writeTick(frame: Uint8Array, pcm: Buffer): void;
  /**
   * Optional: a frame to composite the next tick into, passed back to writeTick() (so the sink
   * need not copy it); null to use the playout's own.
   */
  frameBuffer?(): Uint8Array | null;
}

/** What the playout needs of its sources (SourcePool in production, a fake in tests). */
export interface PlayoutSources {
  /** Start what is wanted soon, stop what is not. */
  reconcile(wanted: Iterable<VideoSource>): void;
  get(key: string):
    | {
        frame(maxAgeMs: number): Uint8Array | null;
        /** ms since the newest frame; null before the first. */
        frameAgeMs(): number | null;
        readAudio(out: Buffer): boolean;
        discardAudio(): void;
      }
    | undefined;
}

export interface PlayoutStats {
  /** The program position of the next tick (frames from the show's start; stands still while
   *  paused, moves on a jump). */
  frame: number;
  paused: boolean;
  ticks: number;
  /** Ticks written more than one frame interval after they were due. */
  lateTicks: number;
  maxLatenessMs: number;
  /** Ticks whose on-air source had no fresh frame (the slate or black was shown instead). */
  substitutedFrames: number;
  compositeMsTotal: number;
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
  /** Start decoders this long before their cue. */
  preRollSeconds?: number;
  /** A source frame older than this is not shown (the slate stands in). */
  staleAfterMs?: number;
  /** Decides what replaces a failed camera (default: no backups, the slate). */
  failover?: CameraFailover;
  /** The operator's overrides (emergency slate, pinned/forced camera, cleared overlays). */
  overrides?: LiveOverrides;
  /** Called with each tick's state (telemetry, tests). */
  onTick?: (state: ProgramState, lateness: number) => void;
  onEnded?: () => void;
}

/** PCM samples per tick: exact over time even when 48000/fps is not whole. */
export function samplesForTick(frame: number, fps: number): number {
  return Math.floor(((frame + 1) * 48000) / fps) - Math.floor((frame * 48000) / fps);
}

/** A camera put on air by an override that has no picture yet: the timeline's choice stays on air
 *  this long while it connects, then the failover decides (its backup or the slate). */
const OVERRIDE_CONNECT_MS = 5000;

export class Playout {
  private readonly options: PlayoutOptions;
  private readonly frameMs: number;
  private readonly target: Uint8Array;
  private readonly staleAfterMs: number;
  private readonly preRollSeconds: number;
  private readonly slateKey: string;
  /** Output tick counter: paces the clock and the audio. */
  private next: number;
  /** Program position: what the timeline shows. Equal to `next` unless paused or jumped. */
  private position: number;
  private paused = false;
  private readonly overrides: LiveOverrides;
  private overrideKey: string | null = null;
  private overrideSince = 0;
  private startedAt = 0;
  private timer: TimerHandle | null = null;
  private running = false;
  private onAirKey: string | null = null;
  private readonly stats: PlayoutStats;
  private readonly failover: CameraFailover;
  private lastChoice: OnAirChoice | null = null;
  private timelineOverlays = true;
  private readonly cards = new Set<SystemCard>();

  constructor(options: PlayoutOptions) {
    this.options = options;
    this.frameMs = 1000 / options.timeline.fps;
    this.target = options.kernels.allocFrame(options.timeline.width, options.timeline.height);
    this.staleAfterMs = options.staleAfterMs ?? 1000;
    this.preRollSeconds = options.preRollSeconds ?? 5;
    this.next = options.startFrame ?? 0;
    this.position = this.next;
    this.overrides = options.overrides ?? new LiveOverrides();
    this.slateKey = sourceKey(options.timeline.slate);
    this.failover = options.failover ?? new CameraFailover(() => undefined);
    this.stats = {
      frame: this.next,
      paused: false,
      ticks: 0,
      lateTicks: 0,
      maxLatenessMs: 0,
      substitutedFrames: 0,
      compositeMsTotal: 0,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.prepare(this.next); // spawns decoders: the clock starts after, so tick 0 is not born late
    this.startedAt = this.options.clock.now();
    this.schedule();
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

  snapshot(): PlayoutStats {
    return { ...this.stats, frame: this.position, paused: this.paused };
  }

  /** Holds the timeline where it is; the output goes on (live cameras stay live). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Moves the program to a position (frames from the show's start). */
  seek(frame: number): void {
    this.position = Math.max(0, Math.floor(frame));
    this.overrides.jumped();
    if (this.running) this.prepare(this.position);
  }

  /** Starts what an override needs at once (a pinned or forced camera's decoder). */
  overridesChanged(): void {
    if (this.running) this.prepare(this.position);
  }

  /** What is on air now, and what it stands in for (null before the first tick). */
  onAir(): OnAirChoice | null {
    return this.lastChoice;
  }

  /** Degraded mode: leave the timeline's overlays out (system cards still show). */
  setTimelineOverlays(enabled: boolean): void {
    this.timelineOverlays = enabled;
  }

  /** Shows or hides a system card (e.g. the degraded-quality notice) over the program. */
  setCard(card: SystemCard, shown: boolean): void {
    if (shown) this.cards.add(card);
    else this.cards.delete(card);
  }

  private dueAt(frame: number): number {
    return this.startedAt + (frame - (this.options.startFrame ?? 0)) * this.frameMs;
  }

  private schedule(): void {
    if (!this.running) return;
    const wait = this.dueAt(this.next) - this.options.clock.now();
    this.timer = this.options.clock.setTimeout(() => this.runDueTicks(), Math.max(0, wait));
  }

  private runDueTicks(): void {
    const now = this.options.clock.now();
    while (this.running && this.dueAt(this.next) <= now) {
      const lateness = now - this.dueAt(this.next);
      if (!this.tick(this.next, lateness)) return;
      this.next++;
    }
    this.schedule();
  }

  /** Starts what the next seconds need: decoders (pre-roll) and overlay bitmaps. */
  private prepare(frame: number, state?: ProgramState): void {
    const { timeline, pool, overlays } = this.options;
    const ahead = lookahead(timeline, frame, this.preRollSeconds);
    const scheduled: VideoSource[] = ahead.sources.map((s) => s.source);
    if (state?.video.transition) scheduled.push(state.video.transition.from);
    for (const cameraId of this.overrides.wantedCameras()) scheduled.push({ kind: 'camera', cameraId });
    // Backups decode alongside the cameras they stand in for, so a failover is instant.
    pool.reconcile([timeline.slate, ...scheduled, ...this.failover.standbyFor(scheduled)]);
    if (overlays) {
      const system = Object.entries(SYSTEM_CARDS).map(([cueId, params]) => ({ cueId, params }));
      void overlays
        .sync([...ahead.overlays.map((o) => ({ cueId: o.cueId, params: o.params })), ...system])
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error }, 'overlay render failed; the overlay is skipped');
        });
    }
  }

  /** The failover's choice for a scheduled source (a failed camera → its backup or the slate). */
  private choose(scheduled: VideoSource): OnAirChoice {
    return this.failover.choose(scheduled, this.options.clock.now(), this.frameAge);
  }

  private readonly frameAge: FrameAge = (key) => this.options.pool.get(key)?.frameAgeMs();

  private frameOf(choice: OnAirChoice): Uint8Array | null {
    const source = choice.source;
    if (source.kind === 'black') return null;
    // The slate is a still: its last frame never goes stale (it is decoded at a low rate).
    if (source.kind === 'slate') {
      if (choice.replacing) this.stats.substitutedFrames++;
      return this.slateFrame();
    }
    // A camera chosen by the failover is fresh by its rule; a media file by the stale rule.
    const maxAge = source.kind === 'camera' ? Infinity : this.staleAfterMs;
    const fresh = this.options.pool.get(sourceKey(source))?.frame(maxAge) ?? null;
    if (fresh) return fresh;
    this.stats.substitutedFrames++;
    return this.slateFrame();
  }

  private slateFrame(): Uint8Array | null {
    return this.options.pool.get(this.slateKey)?.frame(Infinity) ?? null;
  }

  /** One tick; false when the (non-looping) timeline has ended. */
  private tick(frame: number, lateness: number): boolean {
    const { timeline, kernels, sink, overlays, clock } = this.options;
    const state = resolveFrame(timeline, this.position);
    if (state.ended) {
      this.stop();
      this.options.onEnded?.();
      return false;
    }
    if ((frame - (this.options.startFrame ?? 0)) % timeline.fps === 0) this.prepare(this.position, state);

    const wanted = this.overrides.apply(state, timeline.slate);
    if (!wanted.video) this.overrideKey = null;
    const override = wanted.video && this.overrideReady(wanted.video) ? wanted.video : null;
    const video = override ? { source: override, transition: null } : state.video;
    const choice = this.choose(video.source);
    this.lastChoice = choice;
    const failedToSlate = choice.replacing?.failed === true && choice.replacing.replacement.kind === 'slate';
    if (failedToSlate) this.cards.add('technical_difficulties');
    else this.cards.delete('technical_difficulties');
    const program: Program = {
      video: video.transition
        ? {
            kind: video.transition.type,
            from: this.frameOf(this.choose(video.transition.from)),
            to: this.frameOf(choice),
            progress: video.transition.progress,
          }
        : { kind: 'single', frame: this.frameOf(choice) },
      overlays: overlays ? this.overlayLayers(wanted.overlays, overlays) : [],
    };
    const target = sink.frameBuffer?.() ?? this.target;
    const began = clock.now();
    composite({ width: timeline.width, height: timeline.height, data: target }, program, kernels);
    this.stats.compositeMsTotal += clock.now() - began;

    const pcm = Buffer.alloc(samplesForTick(frame, timeline.fps) * 4);
    const key = sourceKey(choice.source);
    const onAir = this.options.pool.get(key);
    if (this.onAirKey !== key) {
      onAir?.discardAudio(); // start the new source's audio current, not from its backlog
      this.onAirKey = key;
    }
    onAir?.readAudio(pcm);
    sink.writeTick(target, pcm);

    this.stats.ticks++;
    if (lateness > this.frameMs) this.stats.lateTicks++;
    this.stats.maxLatenessMs = Math.max(this.stats.maxLatenessMs, lateness);
    this.options.onTick?.(state, lateness);
    if (!this.paused) this.position++;
    return true;
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

  private overlayLayers(active: readonly ActiveOverlay[], renderer: OverlayRenderer): ProgramOverlay[] {
    const layers: ProgramOverlay[] = [];
    const add = (cueId: string, opacity: number): void => {
      const image = renderer.get(cueId)?.yuva;
      if (!image || image.width === 0 || image.height === 0) return;
      layers.push({
        image: { width: image.width, height: image.height, data: image.data },
        x: image.left,
        y: image.top,
        opacity,
      });
    };
    if (this.timelineOverlays) for (const overlay of active) add(overlay.cueId, overlay.opacity);
    for (const card of this.cards) add(card, 1); // above every timeline layer
    return layers;
  }
}
