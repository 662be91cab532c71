// What the builder can put on a timeline: this appliance's cameras (with their stored PTZ
// presets) and media assets, loaded once when the builder opens; plus the palette's items.
import { useEffect, useState } from 'react';
import { api } from '../../../api/client.ts';
import type { OverlayKind } from './model.ts';

export interface CameraInfo {
  id: number;
  name: string;
  enabled: boolean;
}
export interface PresetInfo {
  id: number;
  camera_id: number;
  name: string;
}
export interface AssetInfo {
  id: number;
  asset_type: 'image' | 'video' | 'audio';
  filename: string;
  file_path: string;
}

export interface Catalog {
  cameras: CameraInfo[];
  presets: Map<number, PresetInfo[]>;
  assets: AssetInfo[];
  loading: boolean;
  error: unknown;
}

export function useCatalog(): Catalog {
  const [catalog, setCatalog] = useState<Catalog>({
    cameras: [],
    presets: new Map(),
    assets: [],
    loading: true,
    error: null,
  });
  useEffect(() => {
    const controller = new AbortController();
    (async () => {
      try {
        const [cameras, assets] = await Promise.all([
          api.get<CameraInfo[]>('/api/cameras', controller.signal),
          api.get<AssetInfo[]>('/api/assets', controller.signal),
        ]);
        const presets = new Map<number, PresetInfo[]>();
        await Promise.all(
          cameras.map(async (camera) => {
            // A camera without PTZ simply has none; a failure here must not hide the camera.
            const list = await api
              .get<PresetInfo[]>(`/api/cameras/${camera.id}/presets`, controller.signal)
              .catch(() => []);
            presets.set(camera.id, list);
          }),
        );
        setCatalog({ cameras, presets, assets, loading: false, error: null });
      } catch (error) {
        if (!controller.signal.aborted) setCatalog((c) => ({ ...c, loading: false, error }));
      }
    })();
    return () => controller.abort();
  }, []);
  return catalog;
}

/** Something in the palette: what a drop or Enter adds. */
export type PaletteItem =
  | { kind: 'camera'; cameraId: number; presetName?: string | undefined; label: string }
  | { kind: 'media'; assetId: number; mediaType: 'image' | 'video'; label: string }
  | { kind: 'overlay'; overlay: OverlayKind; label: string };

export const PALETTE_MIME = 'application/x-vistter-palette';

/** Which lanes take an item: cameras and videos go on the video lane, overlays on overlay lanes,
 *  an image on either (a full-screen still, or an image overlay). */
export function accepts(item: PaletteItem, lane: 'video' | 'overlay'): boolean {
  if (item.kind === 'overlay') return lane === 'overlay';
  if (item.kind === 'camera') return lane === 'video';
  return lane === 'video' || item.mediaType === 'image';
}

export function cameraName(catalog: Catalog, id: number): string {
  return catalog.cameras.find((camera) => camera.id === id)?.name ?? `Camera ${id} (not set up)`;
}

export function assetName(catalog: Catalog, id: number): string {
  return catalog.assets.find((asset) => asset.id === id)?.filename ?? `Asset ${id} (missing)`;
}
