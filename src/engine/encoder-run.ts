// One run of the encoder: one ffmpeg that reads the program as NUT on stdin (raw yuv420p frames
// and s16le PCM, each with its program timestamp) and writes H.264 + AAC in FLV on stdout, into
// its own input of the fan-out hub. The Encoder (encoder.ts) decides when runs start and end; a
// run never restarts itself (a crashed run is replaced by a new one, which the hub splices in).
import type { Writable } from 'node:stream';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { FFMPEG_BIN, programEncoderArgs, type VideoEncoderOptions } from '../ffmpeg/argv.ts';
import { NutWriter } from '../ffmpeg/nut.ts';
import { FrameWriter } from '../process/frame-pipe.ts';
import { stopAfterEndOfInput } from '../process/graceful.ts';
import { Supervisor, type ExitInfo, type SupervisorState } from '../process/supervisor.ts';
import type { FanoutHub, HubInput } from './fanout/hub.ts';
import { AUDIO_RATE, formatFps, formatKey, sampleAt, tickMs, type ProgramFormat } from './program-clock.ts';

/** Audio (1 s) that may queue behind a full video backlog before audio is dropped too. */
const AUDIO_SLACK_BYTES = AUDIO_RATE * 4;

export interface EncoderRunOptions {
  id: number;
  format: ProgramFormat;
  /** The timeline's frame rate: ticks and NUT video pts count at it. */
  fps: number;
  encoder: Omit<VideoEncoderOptions, 'fps'>;
  /** The first tick this run is fed (its first frame, a keyframe). */
  firstTick: number;
  /** Its audio starts this many ticks before its first frame: the takeover cuts at the new
   *  keyframe's decode time, which is before its first frame (B-frames) and before the AAC
   *  encoder's first full frame, so the new run must have audio from there. */
  audioLeadTicks?: number;
  /** A make-before-break takeover at firstTick (the hub holds the old run's output there). */
  planned: boolean;
  hub: FanoutHub;
  clock: Clock;
  logger: Logger;
  /** Frames it may fall behind (queued in its pipe) before ticks are dropped for it. */
  maxBacklogFrames: number;
  /** The run ended (requested or not). */
  onExit: (run: EncoderRun, info: ExitInfo) => void;
  /** Output bytes (FLV) of this run. */
  onOutput?: (bytes: number) => void;
}

export class EncoderRun {
  readonly id: number;
  readonly format: ProgramFormat;
  readonly firstTick: number;
  /** The first tick whose audio it takes. */
  readonly firstAudioTick: number;
  readonly settings: Omit<VideoEncoderOptions, 'fps'>;
  private readonly fps: number;
  private readonly supervisor: Supervisor;
  private readonly pipe: FrameWriter;
  private readonly nut: NutWriter;
  private readonly input: HubInput;
  private readonly maxBacklogBytes: number;
  private readonly clock: Clock;
  private stream: Writable | null;
  /** The next audio sample this run expects: its audio is one continuous track. */
  private nextSample: number | null = null;
  private lastVideoTick: number | null = null;
  private ended = false;
  framesWritten = 0;
  framesDropped = 0;
  bytesOut = 0;

  constructor(options: EncoderRunOptions) {
    this.id = options.id;
    this.format = options.format;
    this.firstTick = options.firstTick;
    this.firstAudioTick = options.firstTick - (options.audioLeadTicks ?? 0);
    this.settings = options.encoder;
    this.fps = options.fps;
    this.clock = options.clock;
    const { width, height } = options.format;
    this.nut = new NutWriter({
      width,
      height,
      videoTimeBase: { num: 1, den: options.fps },
      videoFrameRate: { num: options.fps, den: options.format.decimation },
      audioSampleRate: AUDIO_RATE,
      audioChannels: 2,
    });
    this.maxBacklogBytes = options.maxBacklogFrames * this.nut.videoFrameBytes;
    this.pipe = new FrameWriter();
    this.stream = this.pipe.stream;
    this.stream.on('error', () => undefined); // a dying encoder closes its pipe: 'exit' handles it
    this.stream.write(this.nut.header());
    this.input = options.hub.openInput({
      name: `encoder run ${options.id} (${formatKey(options.format)} ${options.encoder.preset ?? ''})`,
      startMs: tickMs(options.firstTick, options.fps),
      planned: options.planned,
      onError: (error) => {
        options.logger.error(
          { run: this.id, err: error.message },
          'encoder output is corrupt; ending the run',
        );
        this.supervisor.kill('SIGKILL', 'corrupt output');
      },
    });
    const args = programEncoderArgs({
      ...options.encoder,
      width,
      height,
      fps: formatFps(options.format, options.fps),
      tickRate: options.fps,
      keyframeOrigin: options.firstTick / options.fps,
    });
    this.supervisor = new Supervisor({
      label: `encoder:${this.id}`,
      redactedDescription: `ffmpeg ${options.encoder.videoEncoder} encoder ${formatKey(options.format)}`,
      spawn: () => ({ command: FFMPEG_BIN, args, stdio: [this.pipe.readFd ?? 'ignore', 'pipe', 'pipe'] }),
      clock: options.clock,
      restart: 'never',
      watchFd: 1,
      // The first output waits for the first keyframe tick and x264's lookahead.
      startupTimeoutMs: 20_000,
      stallTimeoutMs: 10_000,
      logger: options.logger,
    });
    this.supervisor.on('spawn', (run) => {
      this.pipe.releaseReader(); // the child has its copy; ours would hide its exit from our writes
      run.readable(1).on('data', (chunk: Buffer) => {
        this.bytesOut += chunk.length;
        options.onOutput?.(chunk.length);
        this.input.push(chunk);
      });
      run.stderr?.resume();
    });
    this.supervisor.on('exit', (info) => {
      this.ended = true;
      this.input.close();
      this.pipe.close();
      this.stream = null;
      options.onExit(this, info);
    });
  }

  start(): void {
    this.supervisor.start();
  }

  /** Takes tick `tick`: on the run's own grid and from its first tick on. */
  takes(tick: number): boolean {
    return !this.ended && tick >= this.firstTick && tick % this.format.decimation === 0;
  }

  /** Frames queued in its pipe beyond what ffmpeg has read. */
  get backlogBytes(): number {
    return this.stream?.writableLength ?? 0;
  }

  /** True when a frame written now would wait behind more than the allowed backlog. */
  get backlogged(): boolean {
    return this.backlogBytes >= this.maxBacklogBytes;
  }

  /**
   * Writes tick `tick`'s audio (the PCM of every tick since its previous write, starting at
   * sample `firstSample`) and its frame, or drops the frame (null, or the encoder is too far
   * behind): the gap in video timestamps is the truth, audio stays continuous.
   * `onWritten` is called when the frame's bytes have left Node (it may be reused then).
   */
  write(
    tick: number,
    frame: Uint8Array | null,
    pcm: Buffer,
    firstSample: number,
    onWritten?: () => void,
  ): void {
    const stream = this.stream;
    if (!stream) {
      onWritten?.();
      return;
    }
    stream.cork();
    // A run starts its audio where its first tick starts; later its audio follows on without a
    // hole or an overlap, whatever the playout dropped in between.
    const expected = this.nextSample ?? sampleAt(tick, this.fps);
    const skip = Math.max(0, expected - firstSample) * 4;
    if (stream.writableLength > this.maxBacklogBytes + AUDIO_SLACK_BYTES) {
      // The encoder has stopped reading altogether (its stall timer will end it): audio waits no
      // more either, so memory stays bounded; it resumes where the ticks are then.
      this.nextSample = null;
    } else if (skip < pcm.length) {
      const audio = skip > 0 ? pcm.subarray(skip) : pcm;
      stream.write(this.nut.audioFrameHeader(Math.max(expected, firstSample), audio.length));
      stream.write(audio);
      this.nextSample = Math.max(expected, firstSample) + audio.length / 4;
    }
    const keep =
      frame !== null && !this.backlogged && (this.lastVideoTick === null || tick > this.lastVideoTick);
    if (keep) {
      stream.write(this.nut.videoFrameHeader(tick, frame.length));
      stream.write(frame, () => onWritten?.());
      this.lastVideoTick = tick;
      this.framesWritten++;
    } else {
      if (frame !== null) this.framesDropped++;
      onWritten?.();
    }
    stream.uncork();
  }

  /** Program ms of the newest video this run has sent out (null before its first). */
  get outputMs(): number | null {
    return this.input.lastVideoMs();
  }

  /** Its output is what consumers receive now. */
  get onAir(): boolean {
    return this.input.onAir();
  }

  get pid(): number | null {
    return this.supervisor.pid;
  }

  get state(): SupervisorState {
    return this.supervisor.state;
  }

  /** Ends its input so ffmpeg encodes and flushes what it has, then stops it. */
  async finish(graceMs = 3000): Promise<void> {
    this.stream?.end();
    await stopAfterEndOfInput(this.supervisor, this.clock, graceMs);
    this.pipe.close();
  }

  /** Gives up this run: a planned takeover that failed (the hub keeps the run on air). */
  async abandon(): Promise<void> {
    this.input.abandon();
    this.stream?.destroy();
    await this.supervisor.stop('abandoned');
    this.pipe.close();
  }
}
