// A logo's or an image overlay's own field: the picture.
import { ImageChoice } from './ImageChoice.tsx';
import type { OverlayKindProps } from './types.ts';

export function ImageOverlayFields({ p, catalog, at, params }: OverlayKindProps<'logo' | 'image'>) {
  return <ImageChoice value={p.asset_id} url={p.image_url} catalog={catalog} at={at} params={params} />;
}
