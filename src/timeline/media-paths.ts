// How a timeline's local media paths (`media_url`, `image_url`, `fallback.test_pattern`) find their
// file. The rule, in order:
//
//   1. An http(s) URL is fetched when the show starts; nothing is looked up here.
//   2. A path is read inside the data folder: `/assets/<sha256>.png` (an uploaded file as stored)
//      is `<data folder>/assets/<sha256>.png`, `/media/intro.mp4` is `<data folder>/media/intro.mp4`.
//      `..` may not leave the folder; the path is taken literally (no %-decoding).
//   3. When no file is there and the path is `/assets/<name>`, the uploaded asset with that name (the
//      name it was uploaded with, as the Media page shows it) is used: exactly one with that exact
//      name, else exactly one with that name in any letter case. Two or more: none is chosen.
//
// Uploads are stored by checksum, so without rule 3 the spec's `/assets/logo.png` would never find
// the uploaded logo.png. Pure but for diskMediaLibrary: the file system is asked through `isFile`.
import { statSync } from 'node:fs';
import { isAbsolute, normalize, posix, relative, resolve } from 'node:path';
import type { Timeline } from './schema.ts';
import type { TimelineIssue } from './validate.ts';

/** An uploaded asset, as the library lists it. */
export interface LibraryAsset {
  id: number;
  /** The name it was uploaded with (display only). */
  filename: string;
  /** Where it is stored, relative to the data folder: `assets/<sha256>.<ext>`. */
  file_path: string;
}

export interface MediaLibrary {
  /** The folder local paths are read in (the data folder for the operator's shows). */
  mediaRoot: string;
  assets: readonly LibraryAsset[];
  isFile(path: string): boolean;
}

/** The library as it is on this machine: `mediaRoot`'s files, checked when asked. */
export function diskMediaLibrary(mediaRoot: string, assets: readonly LibraryAsset[]): MediaLibrary {
  return {
    mediaRoot,
    assets,
    isFile: (path) => {
      try {
        return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
      } catch {
        // ENOTDIR, ENAMETOOLONG, a NUL in the path: no file there either.
        return false;
      }
    },
  };
}

export type MediaLookup =
  | { kind: 'web'; url: string }
  /** The file at the path itself. */
  | { kind: 'file'; path: string }
  /** No file at the path; the uploaded asset of that name. `url` is its stored path. */
  | { kind: 'asset'; path: string; url: string; asset: LibraryAsset }
  | { kind: 'outside' }
  | { kind: 'ambiguous'; name: string; assets: LibraryAsset[] }
  /** The upload of that name is in the library, but its stored file is not on the disk. */
  | { kind: 'asset_file_missing'; asset: LibraryAsset }
  | { kind: 'missing'; path: string };

const WEB_URL = /^https?:\/\//i;
const ASSETS_PREFIX = '/assets/';

/** The file a local media path names inside `mediaRoot`, or null when it would leave it (rule 2). */
export function localMediaPath(mediaRoot: string, mediaUrl: string): string | null {
  if (WEB_URL.test(mediaUrl)) return mediaUrl;
  const root = resolve(mediaRoot);
  const candidate = resolve(root, `.${normalize(`/${mediaUrl}`)}`);
  const inside = relative(root, candidate);
  return inside.startsWith('..') || isAbsolute(inside) ? null : candidate;
}

/** The asset name in `/assets/<name>` (one segment, after normalising), or null. */
function assetNameIn(mediaUrl: string): string | null {
  const path = posix.normalize(`/${mediaUrl}`);
  if (!path.startsWith(ASSETS_PREFIX)) return null;
  const name = path.slice(ASSETS_PREFIX.length);
  return name === '' || name.includes('/') ? null : name;
}

function assetsNamed(name: string, assets: readonly LibraryAsset[]): LibraryAsset[] {
  const exact = assets.filter((asset) => asset.filename === name);
  if (exact.length > 0) return exact;
  const lower = name.toLowerCase();
  return assets.filter((asset) => asset.filename.toLowerCase() === lower);
}

/** Where a media path leads under the rule at the top of this file. */
export function lookUpMedia(mediaUrl: string, library: MediaLibrary): MediaLookup {
  if (WEB_URL.test(mediaUrl)) return { kind: 'web', url: mediaUrl };
  const path = localMediaPath(library.mediaRoot, mediaUrl);
  if (path === null) return { kind: 'outside' };
  if (library.isFile(path)) return { kind: 'file', path };
  const name = assetNameIn(mediaUrl);
  if (name === null) return { kind: 'missing', path };
  const named = assetsNamed(name, library.assets);
  if (named.length > 1) return { kind: 'ambiguous', name, assets: named };
  const asset = named[0];
  if (!asset) return { kind: 'missing', path };
  const url = `/${asset.file_path}`;
  const stored = localMediaPath(library.mediaRoot, url);
  if (stored === null || !library.isFile(stored)) return { kind: 'asset_file_missing', asset };
  return { kind: 'asset', path: stored, url, asset };
}

/** A media path in a timeline, with its JSON path. */
export interface MediaReference {
  /** JSON path from the document root, like `timeline.tracks.video.cues[2].params.media_url`. */
  path: string;
  url: string;
}

/** Every local-or-web media path a timeline names (asset_id references are not paths). */
export function mediaReferences(timeline: Timeline): MediaReference[] {
  const refs: MediaReference[] = [];
  timeline.tracks.video.cues.forEach((cue, index) => {
    if (cue.action === 'show_media' && cue.params.media_url !== undefined)
      refs.push({ path: `timeline.tracks.video.cues[${index}].params.media_url`, url: cue.params.media_url });
  });
  timeline.tracks.overlays.forEach((track, trackIndex) =>
    track.cues.forEach((cue, index) => {
      if ('image_url' in cue.params && cue.params.image_url !== undefined)
        refs.push({
          path: `timeline.tracks.overlays[${trackIndex}].cues[${index}].params.image_url`,
          url: cue.params.image_url,
        });
    }),
  );
  if (timeline.fallback?.test_pattern !== undefined)
    refs.push({ path: 'timeline.fallback.test_pattern', url: timeline.fallback.test_pattern });
  return refs;
}

function listIds(assets: readonly LibraryAsset[]): string {
  return assets.map((asset) => asset.id).join(', ');
}

/**
 * Media paths that will not be found when the show starts, each at its JSON path: warnings (the
 * file may be uploaded later), never a refusal. Web addresses are not checked.
 */
export function findMissingMedia(timeline: Timeline, library: MediaLibrary): TimelineIssue[] {
  const issues: TimelineIssue[] = [];
  for (const ref of mediaReferences(timeline)) {
    const found = lookUpMedia(ref.url, library);
    switch (found.kind) {
      case 'outside':
        issues.push({
          path: ref.path,
          message: `${ref.url} leads outside the data folder and will not be read; use /assets/<uploaded file name> or asset_id`,
        });
        break;
      case 'ambiguous':
        issues.push({
          path: ref.path,
          message: `${found.assets.length} uploaded files are named "${found.name}" (assets ${listIds(found.assets)}): use asset_id to choose one`,
        });
        break;
      case 'asset_file_missing':
        issues.push({
          path: ref.path,
          message: `the uploaded file "${found.asset.filename}" (asset ${found.asset.id}) is missing from the disk: upload it again`,
        });
        break;
      case 'missing': {
        const name = assetNameIn(ref.url);
        issues.push({
          path: ref.path,
          message:
            name === null
              ? `${ref.url} is not in the data folder and will not be found: put the file there, or upload it and use /assets/<its name> or asset_id`
              : `${ref.url} will not be found: no file there and no uploaded file named "${name}"; upload it on the Media page (or use asset_id)`,
        });
        break;
      }
      case 'web':
      case 'file':
      case 'asset':
        break;
    }
  }
  return issues;
}

/**
 * The timeline with each path that finds an uploaded asset by its name (rule 3) replaced by the
 * asset's stored path, so whatever reads the file by rule 2 (the engine, pre-flight, the preview)
 * finds it. Paths that resolve otherwise, or not at all, are left as written.
 */
export function bindMediaNames(timeline: Timeline, library: MediaLibrary): Timeline {
  const stored = (url: string): string => {
    const found = lookUpMedia(url, library);
    return found.kind === 'asset' ? found.url : url;
  };
  return {
    ...timeline,
    tracks: {
      ...timeline.tracks,
      video: {
        ...timeline.tracks.video,
        cues: timeline.tracks.video.cues.map((cue) =>
          cue.action === 'show_media' && cue.params.media_url !== undefined
            ? { ...cue, params: { ...cue.params, media_url: stored(cue.params.media_url) } }
            : cue,
        ),
      },
      overlays: timeline.tracks.overlays.map((track) => ({
        ...track,
        cues: track.cues.map((cue) =>
          'image_url' in cue.params && cue.params.image_url !== undefined
            ? { ...cue, params: { ...cue.params, image_url: stored(cue.params.image_url) } }
            : cue,
        ),
      })),
    },
    ...(timeline.fallback?.test_pattern !== undefined
      ? { fallback: { ...timeline.fallback, test_pattern: stored(timeline.fallback.test_pattern) } }
      : {}),
  };
}
