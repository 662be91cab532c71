// FanoutHub: the encoder's runs in (one FLV stream each), one program out to any number of
// consumers (publishers, HLS preview, recorder, browser preview) that come and go at any time.
//
//   input.push(chunk) ─► FlvParser ─► ProgramSplicer ─► GopCache ─► per consumer: bounded queue ─► Writable
//
// - The splicer (splice.ts) makes the runs one continuous program: an encoder restart (a crash,
//   or a planned reconfiguration with the new run started beside the old) never starts a new
//   stream for a consumer; timestamps continue and new sequence headers arrive in-band.
// - A consumer attached mid-stream first gets the GOP-cache snapshot (header, onMetaData,
//   AVC/AAC sequence headers, the current GOP), then live tags; so a (re)started publisher
//   always starts with a decodable keyframe. If the cache holds no GOP, media is skipped until
//   the next keyframe.
// - Each consumer writes to its Writable honouring backpressure (stop when write() returns
//   false, resume on 'drain'). Tags wait in the consumer's own queue, bounded in bytes.
// - When the queue would overflow, the consumer drops the not-yet-written media in its queue
//   and every media tag up to the next video keyframe: whole GOPs are dropped, output resumes
//   at a keyframe, never mid-GOP. Header/metadata/sequence-header tags are never dropped.
// - Nothing here waits on a consumer: push() only parses, copies references and calls
//   non-blocking write(); a dead or slow consumer cannot hold up the hub or the others.
// - Stats per consumer let the owner detect a silent stall: `stalledMs` grows while data is
//   pending and the Writable acknowledges nothing (e.g. an ffmpeg that stopped reading stdin).
import type { Writable } from 'node:stream';
import { systemClock } from '../../core/clock.ts';
import type { Clock } from '../../core/clock.ts';
import { FlvParser } from './flv.ts';
import type { FlvTag } from './flv.ts';
import { GopCache } from './gop-cache.ts';
import type { GopCacheStats } from './gop-cache.ts';
import { ProgramSplicer, type SplicedOutput, type SplicerStats } from './splice.ts';

export const DEFAULT_MAX_QUEUE_BYTES = 8 * 1024 * 1024;

export interface FanoutHubOptions {
  clock?: Clock;
  /** Bound on the cached GOP (see GopCache). */
  maxGopBytes?: number;
  /** Default per-consumer queue bound in bytes (default 8 MiB). */
  maxQueueBytes?: number;
}

export interface AttachOptions {
  /** For logs and stats, e.g. "youtube" or "preview". */
  name?: string;
  /** Queue bound for this consumer (default: the hub's maxQueueBytes). */
  maxQueueBytes?: number;
  /** Call writable.end() when detached (default false: the owner decides). */
  endOnDetach?: boolean;
  /** Called once if the Writable errors (the consumer is then removed from the hub). */
  onError?: (error: Error) => void;
}

/**
 * active: receiving; ending: input ended, flushing its queue before writable.end();
 * ended: writable.end() called; detached: removed by the owner; closed: the Writable closed
 * by itself; failed: the Writable errored.
 */
export type ConsumerState = 'active' | 'ending' | 'ended' | 'detached' | 'closed' | 'failed';

export interface FanoutConsumerStats {
  id: number;
  name: string;
  state: ConsumerState;
  /** clock.now() at attach. */
  attachedAt: number;
  /** Bytes handed to writable.write(). */
  bytesSent: number;
  /** Bytes the Writable acknowledged (write callback without error): bytes actually written. */
  bytesWritten: number;
  /** Bytes waiting in this consumer's queue (not yet handed to the Writable). */
  bytesQueued: number;
  maxQueueBytes: number;
  /** bytesQueued / maxQueueBytes × 100. */
  queueFullnessPercent: number;
  /** Bytes buffered inside the Writable itself (writableLength). */
  writableBuffered: number;
  /** GOPs of which at least one tag was dropped because the queue overflowed. */
  droppedGops: number;
  droppedBytes: number;
  droppedTags: number;
  /** Number of overflow events. */
  overflows: number;
  /** Skipping media until the next keyframe (after attach without a cached GOP, or an overflow). */
  awaitingKeyframe: boolean;
  /** clock.now() of the last acknowledged write, or null if none yet. */
  lastWriteAt: number | null;
  /** clock.now() since which the Writable has been asking us to wait for 'drain', or null. */
  blockedSince: number | null;
  /** Time (ms) data has been pending without the Writable acknowledging any: a stall when large. */
  stalledMs: number;
  error: string | null;
}

export interface FanoutHubStats {
  bytesIn: number;
  tagsIn: number;
  /** clock.now() of the last push(), or null. */
  lastInputAt: number | null;
  /** The last input whose stream was corrupt, and why (that input was closed). */
  inputFailed: string | null;
  /** Program ms of the newest tag sent to consumers (unbounded; FLV carries it mod 2^32). */
  programMs: number | null;
  splicer: SplicerStats;
  cache: GopCacheStats;
  consumers: FanoutConsumerStats[];
}

/** One encoder run's FLV stream into the hub. */
export interface HubInput {
  readonly id: number;
  /** Feeds its bytes. A corrupt stream closes this input (reported through onError). */
  push(chunk: Uint8Array): void;
  /** Its stream ended (the encoder run exited). */
  close(): void;
  /** Gives up a planned takeover by this input (see ProgramSplicer.abandon). */
  abandon(): void;
  /** Its output is what consumers receive now. */
  onAir(): boolean;
  /** Program ms of its newest video tag (null before the first, or once it has ended). */
  lastVideoMs(): number | null;
}

export interface OpenInputOptions {
  /** For logs and stats, e.g. "encoder run 3". */
  name: string;
  /** The program time (ms) of the first frame this run is fed. */
  startMs?: number;
  /** A make-before-break takeover at startMs (see splice.ts). */
  planned?: boolean;
  /** The stream was corrupt; the input is closed already. */
  onError?: (error: Error) => void;
}

interface QueueEntry {
  bytes: Buffer;
  /** Media may be dropped on overflow; control tags (header, metadata, sequence headers) may not. */
  media: boolean;
  keyframe: boolean;
  /** GOP sequence number (increments on every input keyframe), for counting dropped GOPs. */
  gop: number;
}

type AwaitReason = 'sync' | 'overflow' | null;

export class FanoutConsumer {
  readonly id: number;
  readonly name: string;
  readonly maxQueueBytes: number;
  readonly writable: Writable;

  private stateValue: ConsumerState = 'active';
  private queue: (QueueEntry | undefined)[] = [];
  private head = 0;
  private queued = 0;
  private sent = 0;
  private acked = 0;
  private droppedBytes = 0;
  private droppedTags = 0;
  private droppedGops = 0;
  private lastDroppedGop = -1;
  private overflows = 0;
  private awaiting: AwaitReason = 'sync';
  private hasHeader = false;
  private blocked = false;
  private blockedSince: number | null = null;
  private lastWriteAt: number | null = null;
  private lastProgressAt: number;
  private readonly attachedAt: number;
  private errorMessage: string | null = null;
  private readonly endOnDetach: boolean;
  private readonly onError: ((error: Error) => void) | undefined;
  private readonly clock: Clock;
  private readonly release: (consumer: FanoutConsumer) => void;
  private readonly handleDrain = (): void => {
    this.blocked = false;
    this.blockedSince = null;
    this.pump();
  };
  private readonly handleClose = (): void => {
    if (this.stateValue === 'active' || this.stateValue === 'ending') this.finish('closed');
    else if (this.stateValue === 'ended') this.finish('ended'); // done: leave the hub's list
  };
  private readonly handleError = (error: Error): void => {
    // Stays installed even after detach, so a late EPIPE never becomes an unhandled 'error'.
    if (this.errorMessage === null) this.errorMessage = error.message;
    if (this.stateValue === 'active' || this.stateValue === 'ending' || this.stateValue === 'ended') {
      this.finish('failed');
      this.onError?.(error);
    }
  };

  /** @internal created by FanoutHub.attach */
  constructor(
    id: number,
    writable: Writable,
    options: AttachOptions,
    defaults: { maxQueueBytes: number; clock: Clock },
    release: (consumer: FanoutConsumer) => void,
  ) {
    this.id = id;
    this.name = options.name ?? `consumer-${id}`;
    this.writable = writable;
    this.maxQueueBytes = options.maxQueueBytes ?? defaults.maxQueueBytes;
    if (!(this.maxQueueBytes > 0)) throw new RangeError('maxQueueBytes must be positive');
    this.endOnDetach = options.endOnDetach ?? false;
    this.onError = options.onError;
    this.clock = defaults.clock;
    this.release = release;
    this.attachedAt = this.clock.now();
    this.lastProgressAt = this.attachedAt;
    this.blocked = writable.writableNeedDrain;
    if (this.blocked) this.blockedSince = this.attachedAt;
    writable.on('drain', this.handleDrain);
    writable.on('close', this.handleClose);
    writable.on('error', this.handleError);
  }

  get state(): ConsumerState {
    return this.stateValue;
  }

  stats(): FanoutConsumerStats {
    const now = this.clock.now();
    const pending = this.queued > 0 || this.sent > this.acked;
    return {
      id: this.id,
      name: this.name,
      state: this.stateValue,
      attachedAt: this.attachedAt,
      bytesSent: this.sent,
      bytesWritten: this.acked,
      bytesQueued: this.queued,
      maxQueueBytes: this.maxQueueBytes,
      queueFullnessPercent: Math.round((this.queued / this.maxQueueBytes) * 1000) / 10,
      writableBuffered: this.writable.writableLength,
      droppedGops: this.droppedGops,
      droppedBytes: this.droppedBytes,
      droppedTags: this.droppedTags,
      overflows: this.overflows,
      awaitingKeyframe: this.awaiting !== null,
      lastWriteAt: this.lastWriteAt,
      blockedSince: this.blockedSince,
      stalledMs: pending && (this.isOpen() || this.stateValue === 'ended') ? now - this.lastProgressAt : 0,
      error: this.errorMessage,
    };
  }

  /** Stops feeding this consumer (its queue is discarded). */
  detach(): void {
    if (!this.isOpen()) return;
    this.finish('detached');
    if (this.endOnDetach) this.safeEnd();
  }

  // ---- used by FanoutHub -------------------------------------------------------------------

  /** @internal the start of what this consumer must see: the GOP-cache snapshot. */
  start(
    parts: readonly { bytes: Buffer; media: boolean; keyframe: boolean }[],
    hasGop: boolean,
    gop: number,
  ): void {
    for (const part of parts) {
      if (part.media) this.offerMedia(part.bytes, part.keyframe, gop, false);
      else this.offerControl(part.bytes, false);
    }
    // The snapshot starts with the header when the hub has seen one; otherwise the live header
    // will come through offerHeader. Without a cached GOP, media waits for the next keyframe.
    if (parts.length > 0) this.hasHeader = true;
    if (!hasGop) this.awaiting = 'sync';
    this.pump();
  }

  /** @internal */
  offerHeader(bytes: Buffer): void {
    if (this.hasHeader || this.stateValue !== 'active') return;
    this.hasHeader = true;
    this.offerControl(bytes, true);
  }

  /** @internal header/metadata/sequence headers: never dropped. */
  offerControl(bytes: Buffer, pump = true): void {
    if (this.stateValue !== 'active') return;
    this.enqueue({ bytes, media: false, keyframe: false, gop: -1 });
    if (pump) this.pump();
  }

  /** @internal */
  offerMedia(bytes: Buffer, keyframe: boolean, gop: number, pump = true): void {
    if (this.stateValue !== 'active') return;
    if (this.awaiting !== null) {
      if (!keyframe) {
        if (this.awaiting === 'overflow') this.countDrop(bytes.length, gop);
        return;
      }
      this.awaiting = null;
    }
    if (this.queued + bytes.length > this.maxQueueBytes) {
      this.overflows++;
      this.dropQueuedMedia();
      if (!keyframe || this.queued + bytes.length > this.maxQueueBytes) {
        this.countDrop(bytes.length, gop);
        this.awaiting = 'overflow';
        return;
      }
    }
    this.enqueue({ bytes, media: true, keyframe, gop });
    if (pump) this.pump();
  }

  /** @internal input ended: flush the queue, then end the Writable. */
  endInput(): void {
    if (this.stateValue !== 'active') return;
    this.stateValue = 'ending';
    this.pump();
  }

  // ---- internals -----------------------------------------------------------------------------

  private isOpen(): boolean {
    return this.stateValue === 'active' || this.stateValue === 'ending';
  }

  private enqueue(entry: QueueEntry): void {
    this.queue.push(entry);
    this.queued += entry.bytes.length;
  }

  private countDrop(bytes: number, gop: number): void {
    this.droppedBytes += bytes;
    this.droppedTags++;
    if (gop !== this.lastDroppedGop) {
      this.droppedGops++;
      this.lastDroppedGop = gop;
    }
  }

  private dropQueuedMedia(): void {
    const kept: QueueEntry[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const entry = this.queue[i]!;
      if (entry.media) {
        this.queued -= entry.bytes.length;
        this.countDrop(entry.bytes.length, entry.gop);
      } else {
        kept.push(entry);
      }
    }
    this.queue = kept;
    this.head = 0;
  }

  private pump(): void {
    while (!this.blocked && this.head < this.queue.length && this.isOpen()) {
      const entry = this.queue[this.head]!;
      this.queue[this.head] = undefined; // let the bytes go
      this.head++;
      this.queued -= entry.bytes.length;
      this.write(entry.bytes);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.stateValue === 'ending' && this.head >= this.queue.length) {
      this.stateValue = 'ended';
      this.safeEnd();
    }
  }

  private write(bytes: Buffer): void {
    const length = bytes.length;
    if (this.sent === this.acked) this.lastProgressAt = this.clock.now(); // idle → busy
    this.sent += length;
    let ok: boolean;
    try {
      ok = this.writable.write(bytes, (error?: Error | null) => {
        if (error) return; // reported through 'error'
        this.acked += length;
        this.lastWriteAt = this.clock.now();
        this.lastProgressAt = this.lastWriteAt;
      });
    } catch (error) {
      this.handleError(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (!ok) {
      this.blocked = true;
      this.blockedSince = this.clock.now();
    }
  }

  private safeEnd(): void {
    try {
      this.writable.end();
    } catch {
      // ignore: an error is reported through 'error'
    }
  }

  private finish(state: ConsumerState): void {
    this.stateValue = state;
    this.queue = [];
    this.head = 0;
    this.queued = 0;
    this.writable.off('drain', this.handleDrain);
    this.writable.off('close', this.handleClose);
    this.release(this);
  }
}

export class FanoutHub {
  readonly cache: GopCache;
  private readonly splicer: ProgramSplicer;
  private readonly clock: Clock;
  private readonly maxQueueBytes: number;
  private readonly consumers = new Map<number, FanoutConsumer>();
  private nextId = 1;
  private gopSeq = 0;
  private bytesIn = 0;
  private tagsIn = 0;
  private programMs: number | null = null;
  private lastInputAt: number | null = null;
  private inputError: Error | null = null;
  private inputEnded = false;
  private defaultInput: HubInput | null = null;
  private keyframeWaiters: Array<() => void> = [];

  constructor(options: FanoutHubOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxQueueBytes = options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES;
    this.cache = new GopCache(options.maxGopBytes === undefined ? {} : { maxGopBytes: options.maxGopBytes });
    this.splicer = new ProgramSplicer((out) => this.dispatch(out));
  }

  /** A new encoder run's stream. The first goes on air at its first keyframe; see splice.ts. */
  openInput(options: OpenInputOptions): HubInput {
    const id = this.splicer.open(options.name, {
      ...(options.startMs !== undefined ? { startMs: options.startMs } : {}),
      ...(options.planned !== undefined ? { planned: options.planned } : {}),
    });
    const parser = new FlvParser();
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      this.splicer.close(id);
    };
    return {
      id,
      push: (chunk) => {
        if (closed) return;
        this.bytesIn += chunk.length;
        this.lastInputAt = this.clock.now();
        try {
          parser.pushEach(chunk, (packet) => {
            if (packet.kind !== 'header') this.tagsIn++;
            this.splicer.packet(id, packet);
          });
        } catch (error) {
          this.inputError = error instanceof Error ? error : new Error(String(error));
          close();
          options.onError?.(this.inputError);
        }
      },
      close,
      abandon: () => {
        if (closed) return;
        closed = true;
        this.splicer.abandon(id);
      },
      onAir: () => this.splicer.onAirInput === id,
      lastVideoMs: () => this.splicer.lastVideoMs(id),
    };
  }

  /**
   * Feeds a single-run stream (tests, tools): the bytes go to one input opened on first use.
   * Throws FlvParseError on corrupt input (after delivering the tags before the corruption).
   */
  push(chunk: Uint8Array): void {
    this.defaultInput ??= this.openInput({
      name: 'input',
      onError: (error) => {
        throw error;
      },
    });
    this.defaultInput.push(chunk);
  }

  /**
   * The program ended (the show stopped): every consumer flushes its queue, then its Writable is
   * ended.
   */
  end(): void {
    this.inputEnded = true;
    this.defaultInput?.close();
    for (const consumer of [...this.consumers.values()]) consumer.endInput();
  }

  /** Adds a consumer; it first receives the GOP-cache snapshot, then live tags. */
  attach(writable: Writable, options: AttachOptions = {}): FanoutConsumer {
    const consumer = new FanoutConsumer(
      this.nextId++,
      writable,
      options,
      { maxQueueBytes: this.maxQueueBytes, clock: this.clock },
      (released) => this.consumers.delete(released.id),
    );
    this.consumers.set(consumer.id, consumer);
    const parts = this.cache.snapshotParts().map((part) => ({
      bytes: part.bytes,
      media: part.role === 'gop',
      keyframe: part.tag?.keyframe ?? false,
    }));
    consumer.start(parts, this.cache.hasGop, this.gopSeq);
    if (this.inputEnded) consumer.endInput();
    return consumer;
  }

  /** Same as consumer.detach(). */
  detach(consumer: FanoutConsumer): void {
    consumer.detach();
  }

  list(): FanoutConsumer[] {
    return [...this.consumers.values()];
  }

  /**
   * Calls `listener` once, at the next video keyframe: after the GOP cache has begun the new GOP
   * and before any consumer receives the keyframe. A consumer detached in the listener ends with
   * a complete GOP, and one attached there starts with that keyframe (a planned session restart).
   * Returns a function that cancels the wait.
   */
  onNextKeyframe(listener: () => void): () => void {
    const waiter = () => listener();
    this.keyframeWaiters.push(waiter);
    return () => {
      this.keyframeWaiters = this.keyframeWaiters.filter((w) => w !== waiter);
    };
  }

  stats(): FanoutHubStats {
    return {
      bytesIn: this.bytesIn,
      tagsIn: this.tagsIn,
      lastInputAt: this.lastInputAt,
      inputFailed: this.inputError?.message ?? null,
      programMs: this.programMs,
      splicer: this.splicer.stats(),
      cache: this.cache.stats(),
      consumers: this.list().map((consumer) => consumer.stats()),
    };
  }

  private wakeKeyframeWaiters(): void {
    const waiters = this.keyframeWaiters;
    this.keyframeWaiters = [];
    for (const waiter of waiters) {
      try {
        waiter();
      } catch {
        // A listener's failure must not stop the stream for everyone else.
      }
    }
  }

  private dispatch(out: SplicedOutput): void {
    if (out.kind === 'header') {
      this.cache.add(out.header);
      for (const consumer of this.consumers.values()) consumer.offerHeader(out.header.raw);
      return;
    }
    const tag = out.tag;
    this.cache.add(tag);
    if (out.kind === 'metadata') {
      // Consumers need onMetaData before the first media (the frame rate); later ones are for
      // newcomers only (see splice.ts).
      if (this.programMs === null)
        for (const consumer of this.consumers.values()) consumer.offerControl(tag.raw);
      return;
    }
    this.programMs = out.time;
    if (isControl(tag)) {
      for (const consumer of this.consumers.values()) consumer.offerControl(tag.raw);
      return;
    }
    if (tag.keyframe) {
      this.gopSeq++;
      if (this.keyframeWaiters.length > 0) this.wakeKeyframeWaiters();
    }
    for (const consumer of this.consumers.values()) {
      consumer.offerMedia(tag.raw, tag.keyframe, this.gopSeq);
    }
  }
}

function isControl(tag: FlvTag): boolean {
  return tag.kind === 'metadata' || tag.kind === 'avc-sequence-header' || tag.kind === 'aac-sequence-header';
}
