// What the builder can put on a timeline: this appliance's cameras (with their stored PTZ
// presets) and media assets, and the palette's items. Pure: use-catalog.ts loads it.
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

/** Something in the palette: what a drop or Enter adds. */
export type PaletteItem =
  | { kind: 'camera'; cameraId: number; presetName?: string | undefined; label: string }
  | { kind: 'media'; assetId: number; mediaType: 'image' | 'video'; label: string }
  | { kind: 'overlay'; overlay: OverlayKind; label: string }
  /** An uploaded audio file: a music cue on the audio lane. */
  | { kind: 'audio'; assetId: number; label: string };

export const PALETTE_MIME = 'application/x-vistter-palette';

/** Which lanes take an item: cameras and videos go on the video lane, overlays on overlay lanes,
 *  an image on either (a full-screen still, or an image overlay), audio on the audio lane alone. */
export function accepts(item: PaletteItem, lane: 'video' | 'overlay' | 'audio'): boolean {
  if (item.kind === 'audio') return lane === 'audio';
  if (lane === 'audio') return false;
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
