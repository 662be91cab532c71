// The audio bed's player: for the bed cue on air, one ffmpeg per playlist file at a time decodes it
// to PCM in the engine's format (s16le 48 kHz stereo), the next file's decoder started as soon as
// the current one starts so it is ready when the current one ends. The playout takes exactly one
// tick's samples per tick, so the bed follows the program clock: continuous across video cues,
// transitions, pauses and failover. A decoder runs at most a few seconds ahead: its pipe is paused
// (ffmpeg blocks on the write) until the playout has used the buffered audio.
//
// A playlist that plays again (a looping show's next pass, a repeat) carries on after the file that
// was on air when it stopped, rather than starting over at its first file.
//
// A file that cannot be decoded (gone, not audio, broken) is skipped with a log line and an alert;
// the program's own sound is never touched. When every file of the playlist fails in a row, the bed
// stays silent until the next cue rather than respawning ffmpeg in a loop.
import type { Logger } from '../../core/logger.ts';
import { bedFileFailedAlert } from '../../errors/alert-messages.ts';
import type { AlertSink } from '../../errors/alert-sink.ts';
import { audioFileDecoderArgs, FFMPEG_BIN } from '../../ffmpeg/argv.ts';
import { readLines } from '../../process/lines.ts';
import { DECODER_NICE } from '../../process/priority.ts';
import { startShortRun, type ShortRun } from '../../process/run.ts';
import type { BedAt } from './bed-plan.ts';

const BYTES_PER_SECOND = 48_000 * 4;
/** A decoder is paused once this much audio waits, resumed below the low mark. */
const HIGH_WATER_BYTES = 3 * BYTES_PER_SECOND;
const LOW_WATER_BYTES = 1.5 * BYTES_PER_SECOND;
const STDERR_LINES_KEPT = 4;

/** What the playout needs of the bed (the BedPlayer; a fake in unit tests). */
export interface BedSource {
  /** Fills `out` (s16le stereo) with the next samples of the bed cue on air (silence when none);
   *  true when any of it is bed audio. */
  read(at: BedAt | null, out: Buffer): boolean;
  /** These cues start soon (or are on air but not playing yet): start their first files now, so
   *  they play from their first sample; a file started ahead for a cue not listed is dropped. */
  prepare(upcoming: readonly BedAt[]): void;
  stop(): Promise<void>;
}

/** How a file is decoded (real ffmpeg by default; tests may pass another command). */
export type BedDecoderSpawn = (path: string, label: string) => ShortRun;

export interface BedPlayerOptions {
  /** A library asset's file, null when it is not in the library. */
  assetPath: (assetId: number) => string | null;
  logger: Logger;
  alerts?: AlertSink;
  spawn?: BedDecoderSpawn;
}

export interface BedPlayerStats {
  filesStarted: number;
  filesFailed: number;
  /** Ticks whose bed audio was not decoded in time (silence was played in its place). */
  underruns: number;
}

/** One playlist file being decoded. */
class FileDecoder {
  private chunks: Buffer[] = [];
  private queued = 0;
  private paused = false;
  private readonly run: ShortRun | null;
  /** Bytes it delivered in all. */
  delivered = 0;
  finished = false;
  /** Why it failed (null: not failed, or not finished). */
  failure: string | null = null;
  private readonly stderrTail: string[] = [];
  private abandoned = false;

  constructor(
    readonly assetId: number,
    readonly index: number,
    path: string | null,
    spawn: BedDecoderSpawn,
  ) {
    if (path === null) {
      this.run = null;
      this.finished = true;
      this.failure = 'it is not in the media library';
      return;
    }
    this.run = spawn(path, `bed:asset:${assetId}`);
    const stdout = this.run.readable(1);
    stdout?.on('data', (chunk: Buffer) => {
      if (this.abandoned) return;
      this.chunks.push(chunk);
      this.queued += chunk.length;
      this.delivered += chunk.length;
      if (this.queued > HIGH_WATER_BYTES && !this.paused) {
        this.paused = true;
        stdout.pause();
      }
    });
    const stderr = this.run.readable(2);
    if (stderr)
      readLines(stderr, (line) => {
        this.stderrTail.push(line);
        if (this.stderrTail.length > STDERR_LINES_KEPT) this.stderrTail.shift();
      });
    void this.run.ended.then((end) => {
      this.finished = true;
      if (end.spawnError) this.failure = `ffmpeg could not start (${end.spawnError.message})`;
      else if (end.code !== 0 && !this.abandoned)
        this.failure =
          `ffmpeg ended with code ${end.code ?? end.signal ?? '?'}: ${this.stderrTail.at(-1) ?? ''}`.trim();
      else if (this.delivered === 0) this.failure = 'it has no audio';
    });
  }

  /** Bytes waiting to be played. */
  get buffered(): number {
    return this.queued;
  }

  /** Played to its end: finished and nothing left. */
  get done(): boolean {
    return this.finished && this.queued === 0;
  }

  /** Copies up to out.length − at bytes into out from `at`; returns how many. */
  take(out: Buffer, at: number): number {
    let written = 0;
    while (at + written < out.length && this.chunks.length > 0) {
      const head = this.chunks[0]!;
      const n = Math.min(head.length, out.length - at - written);
      head.copy(out, at + written, 0, n);
      written += n;
      if (n === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(n);
    }
    this.queued -= written;
    if (this.paused && this.queued < LOW_WATER_BYTES) {
      this.paused = false;
      this.run?.readable(1)?.resume();
    }
    return written;
  }

  /** Ends it without a word (its cue is over, or the show stops). */
  async abandon(): Promise<void> {
    this.abandoned = true;
    this.chunks = [];
    this.queued = 0;
    if (!this.run) return;
    this.run.readable(1)?.resume(); // a paused pipe would keep a dying ffmpeg blocked
    this.run.kill();
    await this.run.ended;
  }
}

/** The playlist of one bed cue on air. */
interface Playing {
  instance: string;
  assetIds: readonly number[];
  loop: boolean;
  current: FileDecoder | null;
  next: FileDecoder | null;
  /** Files that failed one after the other: all of them → the bed is silent until the next cue. */
  failuresInRow: number;
}

/** A playlist by its files, in order: the same list under another cue (or pass) carries on. */
function playlistKey(assetIds: readonly number[]): string {
  return assetIds.join(',');
}

export class BedPlayer implements BedSource {
  private playing: Playing | null = null;
  /** Where each playlist carries on when it plays again: the file after the one that was on air
   *  when it stopped, so a looping show's passes go through the whole list, not its first file. */
  private readonly carryOn = new Map<string, number>();
  /** The first file of each cue about to start, by its instance. */
  private readonly prepared = new Map<string, FileDecoder>();
  private readonly spawn: BedDecoderSpawn;
  private readonly stats: BedPlayerStats = { filesStarted: 0, filesFailed: 0, underruns: 0 };
  private stopped = false;

  constructor(private readonly options: BedPlayerOptions) {
    this.spawn =
      options.spawn ??
      ((path, label) =>
        startShortRun(
          {
            command: FFMPEG_BIN,
            args: audioFileDecoderArgs({ path }),
            nice: DECODER_NICE,
            stdio: ['ignore', 'pipe', 'pipe'],
          },
          { label, logger: options.logger },
        ));
  }

  snapshot(): BedPlayerStats {
    return { ...this.stats };
  }

  prepare(upcoming: readonly BedAt[]): void {
    if (this.stopped) return;
    const wanted = new Set(upcoming.map((at) => at.instance));
    for (const [instance, decoder] of this.prepared)
      if (!wanted.has(instance)) {
        void decoder.abandon();
        this.prepared.delete(instance);
      }
    for (const at of upcoming)
      if (!this.prepared.has(at.instance) && this.playing?.instance !== at.instance)
        this.prepared.set(at.instance, this.startFile(at.cue.assetIds, this.nextStart(at.cue.assetIds)));
  }

  read(at: BedAt | null, out: Buffer): boolean {
    if (this.stopped || !at) {
      if (this.playing) this.end();
      out.fill(0);
      return false;
    }
    if (this.playing?.instance !== at.instance) this.begin(at);
    const playing = this.playing!;
    this.skipFailedNext(playing);
    let written = 0;
    while (written < out.length && playing.current) {
      const current = playing.current;
      written += current.take(out, written);
      if (written >= out.length) break;
      if (!current.done) {
        this.stats.underruns++;
        break;
      }
      this.advance(playing, current);
    }
    if (written < out.length) out.fill(0, written);
    return written > 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const decoders = [this.playing?.current, this.playing?.next, ...this.prepared.values()];
    this.playing = null;
    this.prepared.clear();
    await Promise.all(decoders.map((decoder) => decoder?.abandon()));
  }

  private begin(at: BedAt): void {
    this.end();
    const { assetIds, loop } = at.cue;
    const start = this.nextStart(assetIds);
    let first = this.prepared.get(at.instance) ?? null;
    this.prepared.delete(at.instance);
    // Prepared while the same playlist was still moving on: that file has just been played.
    if (first !== null && first.index !== start) {
      void first.abandon();
      first = null;
    }
    first ??= this.startFile(assetIds, start);
    this.playing = { instance: at.instance, assetIds, loop, current: first, next: null, failuresInRow: 0 };
    this.playing.next = this.startNext(this.playing, 0);
    this.options.logger.info({ cue: at.cue.id, files: assetIds.length, loop }, 'audio bed cue started');
  }

  private end(): void {
    if (!this.playing) return;
    const { assetIds, current } = this.playing;
    if (current) this.carryOn.set(playlistKey(assetIds), (current.index + 1) % assetIds.length);
    else this.carryOn.delete(playlistKey(assetIds)); // played out (or failed): from the top again
    void this.playing.current?.abandon();
    void this.playing.next?.abandon();
    this.playing = null;
  }

  /** The current file has played out (or failed): on to the next. */
  private advance(playing: Playing, finished: FileDecoder): void {
    if (finished.failure !== null) {
      playing.failuresInRow++;
      this.fileFailed(finished);
    } else {
      playing.failuresInRow = 0;
    }
    if (playing.failuresInRow >= playing.assetIds.length) {
      this.options.logger.warn(
        { files: playing.assetIds.length },
        'no file of the audio bed could be played: the bed is silent until its next cue',
      );
      void playing.next?.abandon();
      playing.current = null;
      playing.next = null;
      return;
    }
    playing.current = playing.next;
    playing.next = playing.current ? this.startNext(playing, playing.current.index) : null;
  }

  /** The file decoded ahead failed before its turn: start the one after it now, so no gap. */
  private skipFailedNext(playing: Playing): void {
    const next = playing.next;
    if (!next || !next.finished || next.failure === null || next.delivered > 0) return;
    playing.failuresInRow++;
    this.fileFailed(next);
    playing.next =
      playing.failuresInRow >= playing.assetIds.length ? null : this.startNext(playing, next.index);
  }

  /** The file a playlist starts with now: the one after the file on air if it is playing, else
   *  where it stopped last time, else the first. */
  private nextStart(assetIds: readonly number[]): number {
    const key = playlistKey(assetIds);
    const playing = this.playing;
    if (playing?.current && playlistKey(playing.assetIds) === key)
      return (playing.current.index + 1) % assetIds.length;
    return this.carryOn.get(key) ?? 0;
  }

  private startNext(playing: Playing, index: number): FileDecoder | null {
    const count = playing.assetIds.length;
    const next = index + 1 < count ? index + 1 : playing.loop ? 0 : null;
    return next === null ? null : this.startFile(playing.assetIds, next);
  }

  private startFile(assetIds: readonly number[], index: number): FileDecoder {
    const assetId = assetIds[index]!;
    this.stats.filesStarted++;
    return new FileDecoder(assetId, index, this.options.assetPath(assetId), this.spawn);
  }

  private fileFailed(decoder: FileDecoder): void {
    this.stats.filesFailed++;
    const reason = decoder.failure ?? 'unknown';
    this.options.logger.warn(
      { assetId: decoder.assetId, reason },
      'an audio bed file could not be played: skipped to the next',
    );
    this.options.alerts?.raise({
      key: `audio-bed:asset:${decoder.assetId}`,
      source: 'engine',
      ...bedFileFailedAlert({ assetId: decoder.assetId, reason }),
    });
  }
}
