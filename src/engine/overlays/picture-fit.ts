// Overlay pictures fitted off the main thread. A picture much larger than it is drawn (a
// 40-megapixel logo shown 400 px wide) is decoded and scaled on one shared worker thread, and the
// main thread only copies the small result into place: scaling it there held the event loop the
// playout and the API share for 70–250 ms at every render. The worker fits each (content, drawn
// size) once and keeps it in a small cache, so a lower third re-rendered for new text reuses its
// template. The bytes are handed over, not copied (copying 76 MB takes 40–60 ms).
// The worker starts at the first large picture and keeps the process alive only while a fit is
// owed; where it cannot start, pictures are fitted on the main thread (and the log says so, once).
import { Worker } from 'node:worker_threads';
import { createLogger, type Logger } from '../../core/logger.ts';
import { workerEntry } from '../../core/worker-entry.ts';
import { FitCache, type FitSize, type FittedPicture } from './picture-fit-core.ts';
import type { FitJob, FitReply } from './picture-fit-worker.ts';

export type { FitSize, FittedPicture };

/** Pictures of at most this many pixels are drawn as before, on the main thread (a few ms). */
export const SMALL_PICTURE_PIXELS = 2_000_000;

export interface PictureFitterOptions {
  log: Logger;
  /** The worker's module; default picture-fit-worker beside this file (tests pass a broken one). */
  workerEntry?: URL;
}

interface Job {
  bytes: Uint8Array;
  target: FitSize;
  resolve: (fitted: FittedPicture) => void;
  reject: (error: Error) => void;
}

export class PictureFitter {
  private worker: Worker | null = null;
  private ready = false;
  private broken = false;
  private nextId = 0;
  /** Waiting for the worker to be ready: their bytes are still here. */
  private readonly queued: Job[] = [];
  /** Handed to the worker. */
  private readonly sent = new Map<number, Job>();
  /** Where the pictures are fitted when the worker cannot run. */
  private mainThreadCache: FitCache | null = null;
  private workerFits = 0;

  constructor(private readonly options: PictureFitterOptions) {}

  /**
   * The picture in `bytes` decoded and scaled to `target`. The bytes are handed over: the caller
   * must not use them afterwards (they are moved to the worker's memory).
   */
  fit(bytes: Uint8Array, target: FitSize): Promise<FittedPicture> {
    const worker = this.ensureWorker();
    if (worker === null) return this.fitOnMainThread(bytes, target);
    return new Promise<FittedPicture>((resolve, reject) => {
      this.queued.push({ bytes, target, resolve, reject });
      worker.ref(); // held while a fit is owed, let go when idle
      this.sendQueued();
    });
  }

  /** How many pictures were decoded and scaled, not taken from a cache (for tests). */
  fitCount(): number {
    return this.workerFits + (this.mainThreadCache?.fitCount() ?? 0);
  }

  /** The pictures are fitted on the worker (false before the first, or after it failed). */
  usesWorker(): boolean {
    return this.worker !== null && !this.broken;
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = null;
    this.ready = false;
  }

  private fitOnMainThread(bytes: Uint8Array, target: FitSize): Promise<FittedPicture> {
    this.mainThreadCache ??= new FitCache();
    return this.mainThreadCache.fit(bytes, target);
  }

  private sendQueued(): void {
    const worker = this.worker;
    if (!worker || !this.ready) return;
    for (const job of this.queued.splice(0)) {
      const id = this.nextId++;
      // Moved, not copied, when the bytes own their whole buffer (a loader's fresh read).
      const owned = job.bytes.byteOffset === 0 && job.bytes.byteLength === job.bytes.buffer.byteLength;
      const bytes = owned ? job.bytes : new Uint8Array(job.bytes);
      this.sent.set(id, job);
      worker.postMessage({ id, bytes, target: job.target } satisfies FitJob, [bytes.buffer as ArrayBuffer]);
    }
  }

  private ensureWorker(): Worker | null {
    if (this.worker !== null || this.broken) return this.worker;
    try {
      const worker = new Worker(
        this.options.workerEntry ?? workerEntry(import.meta.url, 'picture-fit-worker'),
      );
      worker.on('message', (reply: FitReply) => {
        if ('ready' in reply) {
          this.ready = true;
          this.sendQueued();
          return;
        }
        const job = this.sent.get(reply.id);
        this.sent.delete(reply.id);
        if (this.sent.size === 0 && this.queued.length === 0) worker.unref();
        if ('fitted' in reply) {
          this.workerFits = reply.fitCount;
          job?.resolve(reply.fitted);
        } else job?.reject(new Error(reply.error));
      });
      worker.on('error', (error) => this.failed(worker, error));
      worker.on('exit', (code) => this.failed(worker, new Error(`the picture thread stopped (${code})`)));
      // Idle, the thread never keeps the process alive; unref after the listeners, which ref it.
      worker.unref();
      this.worker = worker;
      this.ready = false;
    } catch (error) {
      this.broken = true;
      this.warnMainThread(error instanceof Error ? error : new Error(String(error)));
    }
    return this.worker;
  }

  private failed(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    const wasReady = this.ready;
    this.worker = null;
    this.ready = false;
    void worker.terminate();
    // Fits the worker took are lost with their bytes: they fail, and the overlay is rendered again.
    for (const job of this.sent.values())
      job.reject(new Error(`${error.message}; the picture is tried again`));
    this.sent.clear();
    if (!wasReady) {
      // It never started: the main thread does the fitting from now on.
      this.broken = true;
      this.warnMainThread(error);
    }
    for (const job of this.queued.splice(0)) {
      const again = this.fit(job.bytes, job.target);
      again.then(job.resolve, job.reject);
    }
  }

  private warnMainThread(error: Error): void {
    this.options.log.warn(
      { err: error.message },
      'the picture thread could not start; large overlay pictures are scaled on the main thread, which may delay the playout',
    );
  }
}

let shared: PictureFitter | null = null;

/** The process's one fitter (the playout's overlays and the builder's preview share it). */
export function sharedPictureFitter(log?: Logger): PictureFitter {
  shared ??= new PictureFitter({ log: log ?? createLogger('picture-fit') });
  return shared;
}
