// Where the show finds a timeline's media: a library asset by id, or a path under the media root
// (the rule itself, shared with pre-flight and the builder's preview: src/timeline/media-paths.ts).
import { localMediaPath } from '../../timeline/media-paths.ts';

/** A timeline media reference as a local path or URL, null when it would leave the media root. */
export { localMediaPath as resolveMediaPath };

/** The show's media: its root folder and its library's files. */
export interface MediaLocation {
  /** Root for media paths in the timeline: "/assets/x.png" is <mediaRoot>/assets/x.png. */
  mediaRoot: string;
  /** File of a library asset, by id (null: not in the library). */
  assetPath?: (assetId: number) => string | null;
}

/** The file (or web address) a cue's media names: its asset when it names one, else its path. */
export function mediaPathOf(
  where: MediaLocation,
  ref: { assetId?: number; mediaUrl?: string },
): string | null {
  if (ref.assetId !== undefined) return where.assetPath?.(ref.assetId) ?? null;
  return localMediaPath(where.mediaRoot, ref.mediaUrl ?? '');
}
