// The pictures overlays show: a library asset's file, a file under the media root, or an image on
// the web (bounded in bytes, time and pixels: src/assets/image-load.ts).
import { loadImageFromUrl, readImageFile } from '../../assets/image-load.ts';
import type { Clock } from '../../core/clock.ts';
import type { ImageRef } from '../overlays/render.ts';
import { mediaPathOf, type MediaLocation } from './media-path.ts';

/** Loads an overlay's image by its reference; throws (with the reference in words) when it cannot. */
export function overlayImageLoader(
  where: MediaLocation,
  clock: Clock,
): (ref: ImageRef) => Promise<Uint8Array> {
  return async (ref) => {
    if (ref.asset_id !== undefined) {
      const path = mediaPathOf(where, { assetId: ref.asset_id });
      if (!path) throw new Error(`asset ${ref.asset_id} is not in the library`);
      return readImageFile(path, `the image of asset ${ref.asset_id}`);
    }
    const url = ref.image_url ?? '';
    const target = mediaPathOf(where, { mediaUrl: url });
    if (!target) throw new Error(`image path ${url} is outside the media folder`);
    if (/^https?:\/\//.test(target)) return loadImageFromUrl(target, { clock });
    return readImageFile(target, `the image ${url}`);
  };
}
