// A still picture (the slate): decoded once by a short ffmpeg (stillPictureArgs: one raw frame on
// stdout, then exit) and kept. No process runs afterwards and the picture never goes stale; a
// failed decode is tried again with backoff. It has no sound: the playout pads silence.
import { Supervisor, type SpawnSpec } from '../../process/supervisor.ts';
import type { DecodedSourceOptions, SourceHealth } from './decoded-source.ts';

export interface StillSourceOptions extends Pick<
  DecodedSourceOptions,
  'key' | 'description' | 'width' | 'height' | 'clock' | 'logger' | 'allocFrame' | 'freeFrame'
> {
  /** Makes exactly one raw frame on stdout, then exits. */
  spawn: SpawnSpec;
}

export class StillSource {
  readonly key: string;
  private readonly supervisor: Supervisor;
  private readonly frameBytes: number;
  private readonly options: StillSourceOptions;
  private picture: Uint8Array | null = null;
  private runs = 0;

  constructor(options: StillSourceOptions) {
    this.options = options;
    this.key = options.key;
    this.frameBytes = (options.width * options.height * 3) / 2;
    this.supervisor = new Supervisor({
      label: `still:${options.key}`,
      redactedDescription: options.description,
      spawn: { ...options.spawn, stdio: ['ignore', 'pipe', 'pipe'] },
      clock: options.clock,
      // Done when it has made its picture; tried again only when it failed.
      restart: 'on-failure',
      backoff: { baseMs: 1000, capMs: 30_000 },
      stallTimeoutMs: 15_000,
      logger: options.logger,
    });
    this.supervisor.on('spawn', (run) => {
      this.runs++;
      const chunks: Buffer[] = [];
      let bytes = 0;
      run.stdout?.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        bytes += chunk.length;
        this.supervisor.markAlive();
        if (bytes >= this.frameBytes && this.picture === null) {
          const picture = this.options.allocFrame();
          picture.set(Buffer.concat(chunks).subarray(0, this.frameBytes));
          this.picture = picture;
        }
      });
      run.stderr?.resume();
    });
  }

  start(): void {
    this.supervisor.start();
  }

  async stop(): Promise<void> {
    await this.supervisor.stop();
    if (this.picture) this.options.freeFrame?.(this.picture);
    this.picture = null;
  }

  frame(): Uint8Array | null {
    return this.picture;
  }

  /** 0 once the picture is there (a still is always current), null before. */
  frameAgeMs(): number | null {
    return this.picture === null ? null : 0;
  }

  readAudio(out: Buffer): boolean {
    out.fill(0);
    return false;
  }

  discardAudio(): void {}

  health(): SourceHealth {
    return {
      key: this.key,
      state: this.picture !== null ? 'running' : this.supervisor.state,
      frames: this.picture !== null ? 1 : 0,
      frameAgeMs: this.frameAgeMs(),
      restarts: Math.max(0, this.runs - 1),
      audioUnderruns: 0,
    };
  }
}
