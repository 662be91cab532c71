// Snapshot JPEGs made on a worker thread: the picture is copied at once (a millisecond for 1080p;
// the engine reuses its buffer next tick) and the fitting and encoding happen off the event loop
// the playout shares. The worker starts at the first snapshot and keeps the process alive only
// while a JPEG is owed.
// Where it cannot start, the conversion falls back to the main thread (and says so, once).
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../core/worker-entry.ts';
import type { Logger } from '../core/logger.ts';
import type { ProgramPicture } from '../engine/index.ts';
import { pictureToJpeg, type JpegSize } from './picture-jpeg.ts';
import type { JpegJob, JpegReply } from './jpeg-worker.ts';

export class JpegThread {
  private worker: Worker | null = null;
  private broken = false;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { job: JpegJob; resolve: (jpeg: Buffer) => void; reject: (error: Error) => void }
  >();

  constructor(
    private readonly log: Logger,
    private readonly quality: number,
  ) {}

  /** The picture as a JPEG of exactly `box`; the picture is read before this returns. */
  convert(picture: ProgramPicture, box: JpegSize): Promise<Buffer> {
    const worker = this.ensureWorker();
    if (worker === null) return pictureToJpeg(picture, box, this.quality);
    const data = picture.data.slice();
    const id = this.nextId++;
    const job: JpegJob = {
      id,
      width: picture.width,
      height: picture.height,
      data,
      box,
      quality: this.quality,
    };
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { job, resolve, reject });
      worker.ref(); // held while a JPEG is owed, let go when idle
      worker.postMessage(job, [data.buffer]);
    });
  }

  /** The snapshots are made on the worker (false before the first, or after it failed). */
  usesWorker(): boolean {
    return this.worker !== null && !this.broken;
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = null;
  }

  private ensureWorker(): Worker | null {
    if (this.worker !== null || this.broken) return this.worker;
    try {
      const worker = new Worker(workerEntry(import.meta.url, 'jpeg-worker'));
      worker.on('message', (reply: JpegReply) => {
        const waiting = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if (this.pending.size === 0) worker.unref();
        if ('jpeg' in reply)
          waiting?.resolve(Buffer.from(reply.jpeg.buffer, reply.jpeg.byteOffset, reply.jpeg.byteLength));
        else waiting?.reject(new Error(reply.error));
      });
      worker.on('error', (error) => this.failed(error));
      worker.on('exit', () => {
        if (this.worker === worker) this.worker = null;
        this.finishOnMainThread();
      });
      // Idle, the thread never keeps the process alive; unref after the listeners, which ref it.
      worker.unref();
      this.worker = worker;
    } catch (error) {
      this.failed(error instanceof Error ? error : new Error(String(error)));
    }
    return this.worker;
  }

  private failed(error: Error): void {
    this.broken = true;
    this.worker = null;
    this.finishOnMainThread();
    this.log.warn(
      { err: error.message },
      'the snapshot thread could not run; snapshots are made on the main thread',
    );
  }

  /** Snapshots the thread did not answer are made here, from their copies. */
  private finishOnMainThread(): void {
    for (const { job, resolve, reject } of this.pending.values())
      pictureToJpeg({ width: job.width, height: job.height, data: job.data }, job.box, job.quality).then(
        resolve,
        reject,
      );
    this.pending.clear();
  }
}
