// What an output's ffmpeg reports through -progress, turned into the facts its owner needs: did
// the output grow since the last report (live / stalled), bytes sent in this run and in all runs,
// and the bitrate over the last few seconds. Pure: the caller passes the time of each report.
import type { FfmpegProgress } from '../../ffmpeg/progress.ts';

export interface MeterOptions {
  /** Span the bitrate is averaged over, in ms. Default 5000. */
  windowMs?: number;
  /** Output below this size is headers only (FLV header, onMetaData, sequence headers: ~450 B):
   *  growth counts once the output has at least this much. Default 1024. */
  mediaFloorBytes?: number;
  /**
   * What growth means. 'bytes' (default, for destinations): total_size, the bytes the socket took.
   * 'time': the output position (out_time), for files: the size of an MP4 on disk grows in
   * 256 kB steps as ffmpeg flushes its buffer (7 s apart at 300 kbit/s), while out_time advances
   * with every packet written, and stops if the disk hangs.
   */
  growthBy?: 'bytes' | 'time';
}

export class OutputMeter {
  private readonly windowMs: number;
  private readonly mediaFloorBytes: number;
  private readonly growthBy: 'bytes' | 'time';
  /** Bytes of the runs before this one. */
  private earlierBytes = 0;
  private runBytes = 0;
  /** The previous report's measure of this run (bytes, or output time when no size is known). */
  private lastMeasure: number | null = null;
  private lastReportAt: number | null = null;
  /** (time, bytes of all runs) samples for the bitrate, oldest first. */
  private samples: { at: number; bytes: number }[] = [];

  constructor(options: MeterOptions = {}) {
    this.windowMs = options.windowMs ?? 5000;
    this.mediaFloorBytes = options.mediaFloorBytes ?? 1024;
    this.growthBy = options.growthBy ?? 'bytes';
  }

  /** A new run starts: its counters start at zero; the total keeps what earlier runs sent. */
  beginRun(): void {
    this.earlierBytes += this.runBytes;
    this.runBytes = 0;
    this.lastMeasure = null;
    this.lastReportAt = null;
    this.samples = [];
  }

  /**
   * One -progress block at time `now` (ms). `fallbackBytes` stands in for total_size when ffmpeg
   * reports none (the HLS muxer writes many files: total_size=N/A). Returns true when the output
   * grew since the previous block of this run and holds more than headers; the first block only
   * sets the baseline. Headers alone prove nothing: a muxer can write them and then hold back
   * every media packet.
   */
  update(progress: FfmpegProgress, now: number, fallbackBytes?: number): boolean {
    const bytes = progress.sizeBytes ?? fallbackBytes;
    if (bytes !== undefined) this.runBytes = Math.max(this.runBytes, bytes);
    const measure =
      this.growthBy === 'time'
        ? (progress.timeSeconds ?? bytes)
        : (progress.sizeBytes ?? progress.timeSeconds ?? fallbackBytes);
    this.lastReportAt = now;
    this.samples.push({ at: now, bytes: this.totalBytes });
    while (this.samples.length > 2 && this.samples[1]!.at <= now - this.windowMs) this.samples.shift();
    if (measure === undefined) return false;
    const pastHeaders = this.growthBy === 'time' || bytes === undefined || bytes >= this.mediaFloorBytes;
    const grew = this.lastMeasure !== null && measure > this.lastMeasure && pastHeaders;
    this.lastMeasure = measure;
    return grew;
  }

  /** Bytes this run has sent. */
  get sessionBytes(): number {
    return this.runBytes;
  }

  /** Bytes every run has sent. */
  get totalBytes(): number {
    return this.earlierBytes + this.runBytes;
  }

  /**
   * Average over the last window, in kbit/s; 0 when reports stopped coming (a stalled or ended
   * run sends nothing), null before two reports a second apart exist.
   */
  bitrateKbps(now: number): number | null {
    if (this.lastReportAt === null) return null;
    if (now - this.lastReportAt > Math.min(this.windowMs, 3000)) return 0;
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < 1000) return null;
    return Math.round(((last.bytes - first.bytes) * 8) / (last.at - first.at));
  }
}
