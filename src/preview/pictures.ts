// Where the builder's preview frame gets its pictures on a real appliance: a camera's snapshot
// (cached a few seconds per camera, one ffmpeg per camera at a time, so scrubbing the playhead
// does not start a process per request), a media file's still or a video's frame at the cue's
// elapsed time (ffmpeg), the slate (the timeline's test pattern, else the built-in bars with
// "We'll be right back", made once per size). Paths resolve as the show runner resolves them:
// assets inside <dataDir>/assets, media URLs inside the media root.
// Every picture is checked against the pixel limit from its header before it is decoded, and
// everything fetched by URL (images, a dynamic_text's data) goes through the bounded reader:
// a size cap and one time limit for the whole read (src/net/bounded-fetch.ts).
import { access } from 'node:fs/promises';
import type { CameraMedia } from '../cameras/probe.ts';
import { runBinaryProcess } from '../cameras/probe.ts';
import { MAX_IMAGE_PIXELS } from '../assets/image-header.ts';
import { loadImageFromUrl, readImageFile } from '../assets/image-load.ts';
import type { Clock } from '../core/clock.ts';
import { localMediaPath as resolveMediaPath } from '../timeline/media-paths.ts';
import type { ImageRef } from '../engine/overlays/render.ts';
import { insideAssets } from '../assets/ingest.ts';
import { isAppError } from '../errors/registry.ts';
import { fetchJsonObject, type BoundedFetch } from '../net/bounded-fetch.ts';
import { escapeFilterValue, FFMPEG_BIN, num } from '../ffmpeg/argv.ts';
import type { Store } from '../store/store.ts';
import type { VideoSource } from '../timeline/resolver.ts';
import type { Picture, PreviewPictures } from './program-frame.ts';
import { messageOf } from '../core/message-of.ts';

/** A camera snapshot is reused this long (the preview is a guide, not a monitor). */
export const SNAPSHOT_REUSE_MS = 5000;
const FILE_FRAME_TIMEOUT_MS = 15_000;
/** A dynamic_text's data must arrive whole within this long (the builder waits for the frame). */
export const PREVIEW_DATA_TIMEOUT_MS = 3000;
/** An image by URL must arrive whole within this long. */
export const PREVIEW_IMAGE_TIMEOUT_MS = 10_000;
const SLATE_TEXT = "We'll be right back";

/** ffmpeg argv: one frame of a video file at `seconds` (or its last frame) as a JPEG on stdout. */
export function videoFrameArgs(path: string, seconds: number | 'last'): string[] {
  const seek = seconds === 'last' ? ['-sseof', '-0.5'] : ['-ss', num(Math.max(0, seconds))];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    // The frame is decoded here and again by the preview: no bigger than any picture may be.
    '-max_pixels',
    String(MAX_IMAGE_PIXELS),
    ...seek,
    '-i',
    path,
    '-frames:v',
    '1',
    '-f',
    'image2pipe',
    '-c:v',
    'mjpeg',
    '-q:v',
    '3',
    'pipe:1',
  ];
}

/** ffmpeg argv: the built-in slate (SMPTE HD bars with its caption, as the engine draws it) as one JPEG. */
export function slateStillArgs(width: number, height: number): string[] {
  const fontSize = Math.max(12, Math.round(height / 18));
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `smptehdbars=size=${width}x${height}:rate=1`,
    '-vf',
    `drawtext=font=Sans:expansion=none:text=${escapeFilterValue(SLATE_TEXT)}` +
      `:fontsize=${fontSize}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=${Math.round(fontSize / 3)}` +
      `:x=(w-text_w)/2:y=h-text_h-${Math.round(height / 12)}`,
    '-frames:v',
    '1',
    '-f',
    'image2pipe',
    '-c:v',
    'mjpeg',
    '-q:v',
    '3',
    'pipe:1',
  ];
}

async function runJpeg(args: string[], what: string): Promise<Buffer> {
  const result = await runBinaryProcess(FFMPEG_BIN, args, FILE_FRAME_TIMEOUT_MS);
  if (result.code === 0 && result.stdout.length > 0) return result.stdout;
  const line = result.stderr.trim().split('\n').pop();
  throw new Error(`${what} could not be read${line ? ` (${line.slice(0, 200)})` : ''}`);
}

export interface AppliancePicturesOptions {
  store: Store;
  dataDir: string;
  /** Where media_url paths and test patterns live (the show runner's media root). */
  mediaRoot: string;
  cameraMedia: CameraMedia;
  clock: Clock;
  /** Default: the global fetch (through the bounded reader). */
  fetch?: BoundedFetch;
}

/** Pictures from this appliance's cameras, asset library and media folder; one per API. */
export function appliancePictures(options: AppliancePicturesOptions): PreviewPictures {
  const { store, dataDir, mediaRoot, cameraMedia, clock } = options;
  const fetchOption = options.fetch ? { fetch: options.fetch } : {};
  const snapshots = new Map<number, { at: number; jpeg: Promise<Buffer> }>();
  const slates = new Map<string, Promise<Buffer>>();

  const assetPath = (id: number): { path: string; name: string; duration: number | null } => {
    let asset;
    try {
      asset = store.assets.get(id);
    } catch (error) {
      if (isAppError(error) && error.code === 'ASSET_NOT_FOUND')
        throw new Error(`asset ${id} is not in the media library`, { cause: error });
      throw error;
    }
    const path = insideAssets(dataDir, asset.file_path);
    if (!path) throw new Error(`the file of asset ${id} is outside the media folder`);
    const duration = asset.metadata?.['duration'];
    return { path, name: asset.filename, duration: typeof duration === 'number' ? duration : null };
  };
  const mediaPath = (url: string): string => {
    const path = resolveMediaPath(mediaRoot, url);
    if (!path) throw new Error(`${url} is outside the media folder`);
    return path;
  };
  /** A still picture to decode: by URL (bounded) or from the media folder, within the pixel limit. */
  const readPicture = async (path: string, what: string): Promise<Uint8Array> => {
    if (/^https?:\/\//.test(path)) {
      return loadImageFromUrl(path, { clock, timeoutMs: PREVIEW_IMAGE_TIMEOUT_MS, ...fetchOption });
    }
    try {
      return await readImageFile(path, what);
    } catch (error) {
      if (isAppError(error)) throw error;
      throw new Error(`${what} is missing from the media folder`, { cause: error });
    }
  };

  const cameraPicture = (cameraId: number): Promise<Buffer> => {
    const now = clock.now();
    const cached = snapshots.get(cameraId);
    if (cached && now - cached.at < SNAPSHOT_REUSE_MS) return cached.jpeg;
    let connection;
    try {
      connection = store.cameras.connection(cameraId);
    } catch (error) {
      if (isAppError(error) && error.code === 'CAMERA_NOT_FOUND')
        return Promise.reject(new Error(`camera ${cameraId} is not configured on this appliance`));
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const jpeg = cameraMedia.snapshot(connection.url).catch((error: unknown) => {
      snapshots.delete(cameraId); // a failure is not reused: the next request tries again
      const reason = messageOf(error).replace(/[.\s]+$/, '');
      throw new Error(
        `camera ${cameraId} "${connection.name}" did not answer: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`,
        { cause: error },
      );
    });
    snapshots.set(cameraId, { at: now, jpeg });
    return jpeg;
  };

  const mediaPicture = async (
    source: Extract<VideoSource, { kind: 'media' }>,
    elapsedSeconds: number,
  ): Promise<Picture> => {
    const file =
      source.assetId !== undefined
        ? assetPath(source.assetId)
        : { path: mediaPath(source.mediaUrl ?? ''), name: source.mediaUrl ?? '', duration: null };
    const what = source.assetId !== undefined ? `media "${file.name}"` : `media ${file.name}`;
    if (source.mediaType === 'image') return readPicture(file.path, what);
    // Only whether it is there: reading a whole video file here cost its size in memory.
    if (!/^https?:\/\//.test(file.path))
      await access(file.path).catch(() => {
        throw new Error(`${what} is missing from the media folder`);
      });
    // A looping video repeats; one that plays once holds its last frame.
    let at: number | 'last' = elapsedSeconds;
    if (file.duration !== null && file.duration > 0 && elapsedSeconds >= file.duration)
      at = source.loop ? elapsedSeconds % file.duration : 'last';
    try {
      return await runJpeg(videoFrameArgs(file.path, at), what);
    } catch (error) {
      if (at === 'last') throw error;
      return runJpeg(videoFrameArgs(file.path, 'last'), what); // past the end of a file of unknown length
    }
  };

  return {
    source: (source, elapsedSeconds) =>
      source.kind === 'camera' ? cameraPicture(source.cameraId) : mediaPicture(source, elapsedSeconds),
    slate: (testPattern, width, height) => {
      if (testPattern !== undefined)
        return readPicture(mediaPath(testPattern), `the slate image ${testPattern}`);
      const key = `${width}x${height}`;
      let slate = slates.get(key);
      if (!slate) {
        slate = runJpeg(slateStillArgs(width, height), 'the built-in slate');
        slate.catch(() => slates.delete(key));
        slates.set(key, slate);
      }
      return slate;
    },
    loadImage: async (ref: ImageRef) => {
      if (ref.asset_id !== undefined) {
        const file = assetPath(ref.asset_id);
        return readPicture(file.path, `image "${file.name}"`);
      }
      const url = ref.image_url ?? '';
      return readPicture(mediaPath(url), `image ${url}`);
    },
    data: (url) => fetchJsonObject(url, { clock, timeoutMs: PREVIEW_DATA_TIMEOUT_MS, ...fetchOption }),
  };
}
