// One decoder process per source (camera, media file, slate): raw yuv420p frames at the program
// size on fd 1, s16le 48 kHz stereo PCM on fd 3. The source keeps its latest complete frame, a
// short audio queue, and its health (the age of its last frame). It never blocks the playout.
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { FramePipe } from '../../process/frame-pipe.ts';
import { DECODER_NICE } from '../../process/priority.ts';
import { Supervisor, type SpawnSpec, type SupervisorState } from '../../process/supervisor.ts';

export const AUDIO_BYTES_PER_SECOND = 48000 * 2 * 2;

/** How a decoder run ended, for the owner to tell why (stderr is unredacted). */
export interface DecoderExit {
  stderrTail: readonly string[];
  code: number | null;
  /** Killed by us for sending nothing. */
  timedOut: boolean;
  runMs: number;
}

export interface SourceHealth {
  key: string;
  state: SupervisorState;
  frames: number;
  /** ms since the last complete frame; null before the first. */
  frameAgeMs: number | null;
  restarts: number;
  audioUnderruns: number;
}

export interface DecodedSourceOptions {
  key: string;
  /** A function is re-evaluated before every (re)start. */
  spawn: SpawnSpec | (() => SpawnSpec);
  onExit?: (exit: DecoderExit) => void;
  /** Safe to log: never the URL (it may hold credentials). */
  description: string;
  width: number;
  height: number;
  clock: Clock;
  logger: Logger;
  /** Frame buffers for this source (the compositor's allocator avoids copies). */
  allocFrame: () => Uint8Array;
  freeFrame?: (frame: Uint8Array) => void;
  /** No frame for this long → the process group is SIGKILLed and restarted. */
  stallTimeoutMs?: number;
  /** First frame deadline (RTSP connect + first keyframe). */
  startupTimeoutMs?: number;
  /** Longest wait between reconnect attempts of a failing source. Default 10000. */
  reconnectIntervalMs?: number;
  /** Audio kept for the playout, at most (older audio is dropped so latency stays bounded). */
  maxAudioMs?: number;
}

export class DecodedSource {
  readonly key: string;
  private readonly supervisor: Supervisor;
  private readonly clock: Clock;
  private readonly frameBytes: number;
  private front: Uint8Array;
  private back: Uint8Array;
  private backFill = 0;
  private hasFrame = false;
  private lastFrameAt: number | null = null;
  private frames = 0;
  private restarts = 0;
  private audio: Buffer[] = [];
  private audioBytes = 0;
  private readonly maxAudioBytes: number;
  private audioUnderruns = 0;
  private readonly free: ((frame: Uint8Array) => void) | undefined;
  /** Video of the current (or starting) run: reads land straight in `back`, no allocation. */
  private videoPipe: FramePipe | null = null;

  constructor(options: DecodedSourceOptions) {
    this.key = options.key;
    this.clock = options.clock;
    this.frameBytes = (options.width * options.height * 3) / 2;
    this.front = options.allocFrame();
    this.back = options.allocFrame();
    this.free = options.freeFrame;
    this.maxAudioBytes = align4(((options.maxAudioMs ?? 500) / 1000) * AUDIO_BYTES_PER_SECOND);
    this.supervisor = new Supervisor({
      label: `source:${options.key}`,
      redactedDescription: options.description,
      spawn: () => {
        const spec = typeof options.spawn === 'function' ? options.spawn() : options.spawn;
        // A new run starts on a frame and sample boundary.
        this.closeVideoPipe();
        this.backFill = 0;
        this.discardAudio();
        const pipe = new FramePipe({
          buffer: () => this.back.subarray(this.backFill),
          onRead: (bytes) => this.onVideo(bytes),
        });
        this.videoPipe = pipe;
        // Below the playout and the encoder: a decoder that waits shows its frame a tick later.
        return {
          nice: DECODER_NICE,
          ...spec,
          stdio: ['ignore', pipe.writeFd ?? 'ignore', 'pipe', 'pipe'],
        };
      },
      clock: options.clock,
      stallTimeoutMs: options.stallTimeoutMs ?? 3000,
      startupTimeoutMs: options.startupTimeoutMs ?? 15000,
      backoff: { baseMs: 1000, capMs: Math.max(1000, options.reconnectIntervalMs ?? 10_000) },
      logger: options.logger,
    });
    this.supervisor.on('spawn', (run) => {
      this.videoPipe?.releaseWriter(); // the child has its copy; ours would hide its EOF
      run.readable(3).on('data', (chunk: Buffer) => this.onAudio(chunk));
      run.stderr?.resume();
    });
    this.supervisor.on('exit', (info) => {
      this.closeVideoPipe();
      this.restarts++;
      options.onExit?.({
        stderrTail: info.stderrTail,
        code: info.code,
        timedOut: info.cause === 'stalled',
        runMs: info.runMs,
      });
    });
  }

  start(): void {
    this.supervisor.start();
  }

  async stop(): Promise<void> {
    await this.supervisor.stop();
    this.closeVideoPipe();
    this.free?.(this.front);
    this.free?.(this.back);
  }

  /** The latest complete frame if it is younger than maxAgeMs, else null. Valid until the next data event. */
  frame(maxAgeMs: number): Uint8Array | null {
    if (!this.hasFrame || this.lastFrameAt === null) return null;
    return this.clock.now() - this.lastFrameAt <= maxAgeMs ? this.front : null;
  }

  /** ms since the last complete frame; null before the first. */
  frameAgeMs(): number | null {
    return this.lastFrameAt === null ? null : this.clock.now() - this.lastFrameAt;
  }

  /** Fills `out` with the oldest queued PCM, padding with silence; true when any real audio was used. */
  readAudio(out: Buffer): boolean {
    let written = 0;
    while (written < out.length && this.audio.length > 0) {
      const head = this.audio[0]!;
      const take = Math.min(head.length, out.length - written);
      head.copy(out, written, 0, take);
      written += take;
      if (take === head.length) this.audio.shift();
      else this.audio[0] = head.subarray(take);
    }
    this.audioBytes -= written;
    if (written < out.length) {
      out.fill(0, written);
      if (written > 0 || this.hasFrame) this.audioUnderruns++;
    }
    return written > 0;
  }

  /** Throws away queued audio (when this source goes on air, so it starts current). */
  discardAudio(): void {
    this.audio = [];
    this.audioBytes = 0;
  }

  health(): SourceHealth {
    return {
      key: this.key,
      state: this.supervisor.state,
      frames: this.frames,
      frameAgeMs: this.frameAgeMs(),
      restarts: this.restarts,
      audioUnderruns: this.audioUnderruns,
    };
  }

  /** `bytes` more bytes were read into `back` at backFill (never past the end of the frame). */
  private onVideo(bytes: number): void {
    this.backFill += bytes;
    if (this.backFill < this.frameBytes) return;
    [this.front, this.back] = [this.back, this.front];
    this.backFill = 0;
    this.hasFrame = true;
    this.lastFrameAt = this.clock.now();
    this.frames++;
    this.supervisor.markAlive(); // stall detection counts whole frames, not bytes
  }

  private closeVideoPipe(): void {
    this.videoPipe?.close();
    this.videoPipe = null;
  }

  private onAudio(chunk: Buffer): void {
    this.audio.push(chunk);
    this.audioBytes += chunk.length;
    // Keep latency bounded: drop the oldest audio (whole 4-byte sample frames) beyond the cap.
    let excess = align4(this.audioBytes - this.maxAudioBytes);
    while (excess > 0 && this.audio.length > 0) {
      const head = this.audio[0]!;
      if (head.length <= excess) {
        this.audio.shift();
        this.audioBytes -= head.length;
        excess -= head.length;
      } else {
        this.audio[0] = head.subarray(excess);
        this.audioBytes -= excess;
        excess = 0;
      }
    }
  }
}

function align4(bytes: number): number {
  return Math.max(0, Math.floor(bytes / 4) * 4);
}
