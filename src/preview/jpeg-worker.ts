// The worker thread that turns a copied program picture into a snapshot JPEG (jpeg-thread.ts
// starts it): fitting a 1080p picture into 1280×720 takes 50–100 ms of JavaScript, which on the
// main thread would make the playout miss ticks at every snapshot.
import { parentPort } from 'node:worker_threads';
import { pictureToJpeg } from './picture-jpeg.ts';

export interface JpegJob {
  id: number;
  width: number;
  height: number;
  data: Uint8Array;
  box: { width: number; height: number };
  quality: number;
}

export type JpegReply = { id: number; jpeg: Uint8Array } | { id: number; error: string };

parentPort?.on('message', (job: JpegJob) => {
  pictureToJpeg({ width: job.width, height: job.height, data: job.data }, job.box, job.quality).then(
    (jpeg) => {
      const bytes = new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
      parentPort?.postMessage({ id: job.id, jpeg: bytes } satisfies JpegReply);
    },
    (error: unknown) =>
      parentPort?.postMessage({
        id: job.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies JpegReply),
  );
});
