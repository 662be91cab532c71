// The worker thread that decodes an overlay's picture and scales it to its drawn size
// (picture-fit.ts starts it): drawing a 40-megapixel logo scaled down took 70–250 ms of the event
// loop the playout and the API share. Hashing for the cache happens here too: a 76 MB PNG takes
// 40–60 ms to hash, or even to copy.
import { parentPort } from 'node:worker_threads';
import { FitCache, type FitSize, type FittedPicture } from './picture-fit-core.ts';

export interface FitJob {
  id: number;
  bytes: Uint8Array;
  target: FitSize;
}

export type FitReply =
  { ready: true } | { id: number; fitted: FittedPicture; fitCount: number } | { id: number; error: string };

const cache = new FitCache();

parentPort?.on('message', (job: FitJob) => {
  cache.fit(job.bytes, job.target).then(
    (fitted) =>
      parentPort?.postMessage({ id: job.id, fitted, fitCount: cache.fitCount() } satisfies FitReply, [
        fitted.rgba.buffer as ArrayBuffer,
      ]),
    (error: unknown) =>
      parentPort?.postMessage({
        id: job.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies FitReply),
  );
});
// Jobs wait for this: until then the caller still holds their bytes, for the main thread.
parentPort?.postMessage({ ready: true } satisfies FitReply);
