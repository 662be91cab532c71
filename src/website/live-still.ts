// The one live still the website outputs share: the public /live.jpg and the scheduled push read
// it from here. A new JPEG is made at most once per interval, whoever asks and however often;
// callers that arrive while one is being made wait for that one. While nothing is on air the
// still is the "be right back" slate.
import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { ProgramPicture } from '../engine/index.ts';
import type { JpegSize } from '../preview/picture-jpeg.ts';
import { beRightBackJpeg } from './be-right-back.ts';

export interface LiveStillSource {
  /** The on-air program picture, or null when nothing is on air (read at once). */
  picture(): { executionId: number; picture: ProgramPicture } | null;
  /** The size and interval in force now (settings may change between calls). */
  config(): { size: JpegSize; intervalS: number };
}

export interface Still {
  jpeg: Buffer;
  /** A strong validator of the bytes (quoted, as in the header). */
  etag: string;
  /** Wall-clock ms when it was made (Last-Modified). */
  madeAtWallMs: number;
  /** Monotonic ms when it was made (its age). */
  madeAtMs: number;
  /** False: the "be right back" slate. */
  onAir: boolean;
  size: JpegSize;
  intervalS: number;
}

export const LIVE_STILL_QUALITY = 80;

/** Makes the JPEG of a picture; reads the picture before it returns (the engine reuses it). */
export type PictureToJpeg = (picture: ProgramPicture, size: JpegSize) => Promise<Buffer>;

export class LiveStill {
  private latest: Still | null = null;
  private making: Promise<Still> | null = null;
  private slate: { key: string; jpeg: Promise<Buffer> } | null = null;
  private made = 0;

  constructor(
    private readonly source: LiveStillSource,
    private readonly clock: Clock,
    /** Off the event loop the playout shares (src/preview/jpeg-thread.ts): 30–110 ms for 1080p. */
    private readonly toJpeg: PictureToJpeg,
  ) {}

  /** The still of this interval: the cached one while it is younger than the interval. */
  current(): Promise<Still> {
    const { size, intervalS } = this.source.config();
    const latest = this.latest;
    if (
      latest &&
      latest.size.width === size.width &&
      latest.size.height === size.height &&
      this.clock.now() - latest.madeAtMs < intervalS * 1000
    )
      return Promise.resolve(latest);
    this.making ??= this.make(size, intervalS).finally(() => {
      this.making = null;
    });
    return this.making;
  }

  /** How many JPEGs were made since the start (the cache's effect, for tests and logs). */
  madeCount(): number {
    return this.made;
  }

  private async make(size: JpegSize, intervalS: number): Promise<Still> {
    const onAir = this.source.picture();
    const jpeg = onAir ? await this.toJpeg(onAir.picture, size) : await this.slateJpeg(size);
    this.made += 1;
    const still: Still = {
      jpeg,
      etag: `"${createHash('sha256').update(jpeg).digest('base64url').slice(0, 27)}"`,
      madeAtWallMs: this.clock.wallNow(),
      madeAtMs: this.clock.now(),
      onAir: onAir !== null,
      size,
      intervalS,
    };
    this.latest = still;
    return still;
  }

  private slateJpeg(size: JpegSize): Promise<Buffer> {
    const key = `${size.width}x${size.height}`;
    if (this.slate?.key !== key) {
      const jpeg = beRightBackJpeg(size, LIVE_STILL_QUALITY).catch((error: unknown) => {
        this.slate = null; // drawn again next time
        throw error;
      });
      this.slate = { key, jpeg };
    }
    return this.slate.jpeg;
  }
}
