// The timeline builder's preview: one rendered frame of the program at a moment of an unsaved
// timeline. The answer is the JPEG itself; what it shows and what could not be shown travel in
// headers, so the page can put the picture in an <img> and the sentences next to it.
// A timeline the schema refuses is TIMELINE_INVALID (422, every JSON path, as validate answers);
// one that only breaks a rule (overlapping cues, a cue past the end) is still drawn, the way the
// resolver would play it, so the builder can preview while the operator fixes it.
import { z } from 'zod';
import { cameraMedia as realCameraMedia } from '../../cameras/probe.ts';
import { systemClock } from '../../core/clock.ts';
import { AppError } from '../../errors/registry.ts';
import { appliancePictures } from '../../preview/pictures.ts';
import {
  PREVIEW_MAX_WIDTH,
  PREVIEW_MIN_WIDTH,
  renderPreviewFrame,
  type PreviewPictures,
} from '../../preview/program-frame.ts';
import { bindMediaNames, diskMediaLibrary } from '../../timeline/media-paths.ts';
import { TimelineDocumentSchema } from '../../timeline/schema.ts';
import { validateTimelineDocument } from '../../timeline/validate.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiInstance } from '../http.ts';

/** Renders at once at most this many frames (each may wait for a camera); more wait their turn. */
const MAX_CONCURRENT = 2;

export const PreviewFrameBody = z.strictObject({
  document: z.unknown().meta({ description: 'The timeline document { "timeline": { … } }, saved or not.' }),
  at: z
    .number({ error: 'must be a time in seconds' })
    .finite()
    .min(0, { error: 'must not be negative' })
    .meta({ description: 'Seconds from the timeline start (clamped to its last frame).' }),
  width: z
    .number({ error: 'must be a width in pixels' })
    .int({ error: 'must be a whole number' })
    .min(PREVIEW_MIN_WIDTH, { error: `must be at least ${PREVIEW_MIN_WIDTH}` })
    .max(PREVIEW_MAX_WIDTH, { error: `must be at most ${PREVIEW_MAX_WIDTH}` })
    .default(640)
    .meta({ description: 'JPEG width; the height follows the timeline’s aspect ratio.' }),
});

/** Header values are ASCII: sentences go percent-encoded (decodeURIComponent on the page). */
function headerText(value: string): string {
  return encodeURIComponent(value);
}

export function registerTimelinePreviewRoutes(
  app: ApiInstance,
  deps: ApiDeps,
  pictures: PreviewPictures = appliancePictures({
    store: deps.store,
    dataDir: deps.dataDir,
    mediaRoot: deps.dataDir,
    cameraMedia: deps.cameraMedia ?? realCameraMedia,
    clock: deps.clock ?? systemClock,
  }),
): void {
  const clock = deps.clock ?? systemClock;
  let running = 0;
  const waiting: Array<() => void> = [];
  const slot = async (): Promise<() => void> => {
    if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    return () => {
      running--;
      waiting.shift()?.();
    };
  };

  app.post(
    '/api/timelines/preview-frame',
    {
      schema: {
        tags: ['timelines'],
        summary:
          'A JPEG of what the program shows at a moment of a (possibly unsaved) timeline: the video source (camera snapshot, media, slate) with the overlays on air then. Headers: X-Preview-Frame, X-Preview-Seconds, X-Preview-Video, X-Preview-Overlays (cue ids), X-Preview-Notices (percent-encoded JSON list of sentences: a camera that did not answer, a missing file)',
        body: PreviewFrameBody,
        produces: ['image/jpeg'],
      },
    },
    async (request, reply) => {
      const { document, at, width } = request.body;
      const checked = validateTimelineDocument(document);
      let timeline;
      if (checked.ok) timeline = checked.document.timeline;
      else {
        const parsed = TimelineDocumentSchema.safeParse(document);
        if (!parsed.success) {
          const count = checked.errors.length;
          throw new AppError(
            'TIMELINE_INVALID',
            `the timeline has ${count} problem${count === 1 ? '' : 's'}; fix ${count === 1 ? 'it' : 'them'} to see the preview`,
            checked.errors,
          );
        }
        timeline = parsed.data.timeline;
      }
      // Media named by an upload's name finds its file, as on air.
      timeline = bindMediaNames(timeline, diskMediaLibrary(deps.dataDir, deps.store.assets.list()));
      const release = await slot();
      try {
        const frame = await renderPreviewFrame(
          { timeline, seconds: at, width, now: new Date(clock.wallNow()) },
          pictures,
        );
        return reply
          .type('image/jpeg')
          .header('cache-control', 'no-store')
          .header('x-preview-frame', String(frame.frame))
          .header('x-preview-seconds', String(frame.seconds))
          .header('x-preview-video', headerText(frame.video))
          .header('x-preview-overlays', headerText(frame.overlays.join(',')))
          .header('x-preview-notices', headerText(JSON.stringify(frame.notices)))
          .send(frame.jpeg);
      } finally {
        release();
      }
    },
  );
}
