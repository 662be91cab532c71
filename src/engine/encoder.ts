// The one long-lived encoder: raw program video on stdin + PCM on fd 3 → H.264 + AAC in FLV on
// stdout, fed into the fan-out hub. Camera switches and overlays never restart it.
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { encoderArgs, FFMPEG_BIN, type EncoderOptions } from '../ffmpeg/argv.ts';
import { FrameWriter } from '../process/frame-pipe.ts';
import { stopAfterEndOfInput } from '../process/graceful.ts';
import { Supervisor, type ExitCause, type SupervisorState } from '../process/supervisor.ts';
import type { FanoutHub, HubInput } from './fanout/hub.ts';
import type { ProgramSink } from './playout.ts';
import type { Writable } from 'node:stream';

/** Frames lent to the playout at most (see Encoder.frameBuffer). */
const MAX_LENT_FRAMES = 3;

export interface EncoderStats {
  state: SupervisorState;
  restarts: number;
  framesWritten: number;
  /** Ticks dropped because no encoder was running (a restart) or it fell too far behind. */
  framesDropped: number;
  /** Bytes waiting in the encoder's stdin (a growing backlog means it cannot keep up). */
  backlogBytes: number;
  bytesOut: number;
}

export class Encoder implements ProgramSink {
  private readonly supervisor: Supervisor;
  private video: Writable | null = null;
  /** The video pipe of the current (or starting) run: a FIFO Node writes, grown to 1 MiB. */
  private videoPipe: FrameWriter | null = null;
  private input: HubInput | null = null;
  private audio: Writable | null = null;
  private restarts = 0;
  private framesWritten = 0;
  private framesDropped = 0;
  private bytesOut = 0;
  private readonly maxBacklogBytes: number;
  private readonly frameBytes: number;
  private readonly poolSize: number;
  /** Frames lent to the playout to composite into (in the kernels' memory, so the compositor
   *  writes the program frame where the pipe write reads it: no copy). A few suffice: a frame is
   *  busy only until its pipe write completes, usually within the tick. */
  private readonly lendable: Uint8Array[] = [];
  private readonly busy = new Set<Uint8Array>();
  private lent: Uint8Array | null = null;
  private readonly allocLendable: (() => Uint8Array) | null;
  /** Frame buffers free for the current run; a buffer returns when its pipe write completes. */
  private freeFrames: Buffer[] = [];
  private allocatedFrames = 0;
  private readonly clock: Clock;
  private stopping = false;
  private settings: EncoderOptions;
  private runs = 0;
  /** How the previous run ended ('restart': reconfigure() ended it). */
  private lastExit: ExitCause | null = null;

  constructor(options: {
    settings: EncoderOptions;
    hub: FanoutHub;
    clock: Clock;
    logger: Logger;
    /** Frames the encoder may fall behind before ticks are dropped (default: half a second). */
    maxBacklogFrames?: number;
    /** Allocates a program frame the playout can composite into (the kernels' allocFrame); may
     *  throw when that memory is full. Without it every tick's frame is copied. */
    allocFrame?: () => Uint8Array;
    /** A new FLV stream began after the first: outputs need a new session. `reconfigured` when
     *  reconfigure() asked for it, `recovered` after the encoder died. */
    onNewStream?: (why: 'reconfigured' | 'recovered') => void;
  }) {
    const { width, height, fps } = options.settings;
    this.settings = options.settings;
    this.clock = options.clock;
    this.frameBytes = (width * height * 3) / 2;
    const maxBacklogFrames = options.maxBacklogFrames ?? Math.ceil(fps / 2);
    this.maxBacklogBytes = maxBacklogFrames * this.frameBytes;
    this.poolSize = maxBacklogFrames + 1;
    this.allocLendable = options.allocFrame ?? null;
    this.supervisor = new Supervisor({
      label: 'encoder',
      redactedDescription: `ffmpeg ${options.settings.videoEncoder} encoder ${options.settings.width}x${options.settings.height}@${options.settings.fps}`,
      spawn: () => {
        this.closeVideoPipe();
        const pipe = new FrameWriter();
        this.videoPipe = pipe;
        return {
          command: FFMPEG_BIN,
          args: encoderArgs(this.settings),
          stdio: [pipe.readFd ?? 'ignore', 'pipe', 'pipe', 'pipe'],
        };
      },
      clock: options.clock,
      watchFd: 1,
      stallTimeoutMs: 10_000,
      // A crashed encoder is the whole output: the first retry is immediate.
      backoff: { baseMs: 100, capMs: 5000 },
      logger: options.logger,
    });
    this.supervisor.on('spawn', (run) => {
      // Each run is an input of its own: the hub splices the runs into one program.
      this.input?.close();
      const input = options.hub.openInput({ name: `encoder run ${this.runs + 1}` });
      this.input = input;
      if (++this.runs > 1) options.onNewStream?.(this.lastExit === 'restart' ? 'reconfigured' : 'recovered');
      const pipe = this.videoPipe!;
      pipe.releaseReader(); // the child has its copy; ours would hide its exit from our writes
      const video = pipe.stream;
      const audio = run.writable(3);
      // A dying encoder closes its pipes under us: the exit event handles it, not a crash here.
      video.on('error', () => undefined);
      audio.on('error', () => undefined);
      this.video = video;
      this.audio = audio;
      // Buffers still queued in the dead run's pipe are left to the garbage collector.
      this.freeFrames = [];
      this.allocatedFrames = 0;
      run.readable(1).on('data', (chunk: Buffer) => {
        this.bytesOut += chunk.length;
        input.push(chunk);
      });
      run.stderr?.resume();
    });
    this.supervisor.on('exit', (info) => {
      this.lastExit = info.cause;
      this.video = null;
      this.audio = null;
      // The pipe is closed by the next spawn or stop(): a restart spawns the next run before
      // this event arrives, and this.videoPipe is that run's by then.
      if (info.cause !== 'requested' && info.cause !== 'restart' && !this.stopping) {
        this.restarts++;
        options.logger.error(
          { cause: info.cause, code: info.code, stderr: info.stderrTail.slice(-3) },
          'encoder exited',
        );
      }
    });
  }

  start(): void {
    this.supervisor.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // Closing its inputs lets ffmpeg encode and flush the last frames before it exits.
    this.video?.end();
    this.audio?.end();
    await stopAfterEndOfInput(this.supervisor, this.clock);
    this.closeVideoPipe();
  }

  private closeVideoPipe(): void {
    this.videoPipe?.close();
    this.videoPipe = null;
  }

  /**
   * A frame the playout may composite the next tick into and pass back to writeTick(), which then
   * writes it without a copy; null when none is free (the playout uses its own frame, and
   * writeTick copies it) or the tick would be dropped anyway.
   */
  frameBuffer(): Uint8Array | null {
    const video = this.video;
    if (!video || !this.audio || video.writableLength >= this.maxBacklogBytes) return null;
    this.lent = this.lendable.find((frame) => !this.busy.has(frame)) ?? this.newLendable();
    return this.lent;
  }

  private newLendable(): Uint8Array | null {
    if (!this.allocLendable || this.lendable.length >= MAX_LENT_FRAMES) return null;
    try {
      const frame = this.allocLendable();
      this.lendable.push(frame);
      return frame;
    } catch {
      return null; // the kernels' memory is full: copy instead
    }
  }

  /**
   * Writes one tick, or drops it whole when no encoder runs or the encoder is this far behind:
   * a bounded queue keeps memory flat, and dropping video and audio together keeps them in sync.
   * A frame from frameBuffer() is written as it is; any other is copied into a pooled buffer
   * (the caller reuses its own): a fresh 3 MB buffer per 1080p tick would keep the garbage
   * collector busy.
   */
  writeTick(frame: Uint8Array, pcm: Buffer): void {
    const lent = frame === this.lent;
    this.lent = null;
    const video = this.video;
    if (lent && video && this.audio && video.writableLength < this.maxBacklogBytes) {
      this.busy.add(frame);
      // Called when written, or with an error when the run's pipe is closed: free again either way.
      video.write(frame, () => this.busy.delete(frame));
      this.audio.write(pcm);
      this.framesWritten++;
      return;
    }
    const buffer = video && this.audio ? this.takeFrameBuffer() : undefined;
    if (!video || !this.audio || !buffer || video.writableLength >= this.maxBacklogBytes) {
      if (buffer) this.freeFrames.push(buffer);
      this.framesDropped++;
      return;
    }
    buffer.set(frame);
    video.write(buffer, () => {
      if (this.video === video) this.freeFrames.push(buffer);
    });
    this.audio.write(pcm);
    this.framesWritten++;
  }

  private takeFrameBuffer(): Buffer | undefined {
    const free = this.freeFrames.pop();
    if (free) return free;
    if (this.allocatedFrames >= this.poolSize) return undefined;
    this.allocatedFrames++;
    return Buffer.allocUnsafeSlow(this.frameBytes);
  }

  /**
   * Restarts the encoder with new settings (degraded mode: bitrate, output size). The program
   * input (size, fps) must not change. Costs every destination a reconnect of a second or two.
   */
  reconfigure(settings: EncoderOptions): void {
    const { width, height, fps } = this.settings;
    this.settings = { ...settings, width, height, fps };
    this.supervisor.restartNow('encoder settings changed', { keepAttempts: true });
  }

  get currentSettings(): Readonly<EncoderOptions> {
    return this.settings;
  }

  get pid(): number | null {
    return this.supervisor.pid;
  }

  stats(): EncoderStats {
    return {
      state: this.supervisor.state,
      restarts: this.restarts,
      framesWritten: this.framesWritten,
      framesDropped: this.framesDropped,
      backlogBytes: this.video?.writableLength ?? 0,
      bytesOut: this.bytesOut,
    };
  }
}
