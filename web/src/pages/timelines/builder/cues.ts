// New cues from palette items (sensible defaults), and how a cue is named on its lane.
import { assetName, cameraName, type Catalog, type PaletteItem } from './catalog.ts';
import {
  newUid,
  OVERLAY_LABELS,
  placeCue,
  uniqueCueId,
  type Cue,
  type Model,
  type OverlayKind,
  type OverlayParams,
  type Track,
} from './model.ts';

/** Default lengths: a camera shot, an overlay's time on screen. */
export const DEFAULT_VIDEO_SECONDS = 30;
export const DEFAULT_OVERLAY_SECONDS = 10;

export function defaultOverlayParams(kind: OverlayKind, catalog: Catalog): OverlayParams {
  const firstImage = catalog.assets.find((asset) => asset.asset_type === 'image');
  switch (kind) {
    case 'lower_third':
      // The words start empty (the inspector prompts for them): a placeholder must never go on air.
      return {
        type: 'lower_third',
        text: '',
        position: 'bottom_left',
        fade_in: 0.5,
        fade_out: 0.5,
      };
    case 'text':
      return { type: 'text', text: '', position: 'top_left', background: '#00000080' };
    case 'dynamic_text':
      return {
        type: 'dynamic_text',
        template: '{time}', // a clock: the common corner overlay
        position: 'top_right',
        background: '#00000080',
      };
    case 'logo':
      return firstImage
        ? { type: 'logo', asset_id: firstImage.id, position: 'top_right' }
        : { type: 'logo', position: 'top_right' };
    case 'image':
      return firstImage ? { type: 'image', asset_id: firstImage.id } : { type: 'image' };
  }
}

/** The cue a palette item becomes on a track at `at` seconds, or null when there is no room. */
export function cueFromItem(
  item: PaletteItem,
  track: Track,
  at: number,
  model: Model,
  catalog: Catalog,
): Cue | null {
  // Music runs to the end of the timeline (or the next music cue) unless shortened.
  const wanted =
    track.kind === 'video'
      ? DEFAULT_VIDEO_SECONDS
      : track.kind === 'audio'
        ? model.settings.duration
        : DEFAULT_OVERLAY_SECONDS;
  const place = placeCue(track.cues, at, wanted, model.settings.duration);
  if (!place) return null;
  const base = { uid: newUid('c'), start: place.start, duration: place.duration };
  if (item.kind === 'camera') {
    return {
      ...base,
      id: uniqueCueId(model, `cam${item.cameraId}`),
      action: 'show_camera',
      params: {
        camera_id: item.cameraId,
        ...(item.presetName !== undefined ? { preset_id: item.presetName } : {}),
        transition: 'cut',
      },
    };
  }
  if (item.kind === 'audio') {
    return {
      ...base,
      id: uniqueCueId(model, 'music'),
      action: 'play_audio',
      params: { asset_ids: [item.assetId], loop: true, volume_db: 0, fade_in: 2, fade_out: 2 },
    };
  }
  if (item.kind === 'media') {
    if (track.kind === 'overlay')
      return {
        ...base,
        id: uniqueCueId(model, 'image'),
        action: 'show_overlay',
        params: { type: 'image', asset_id: item.assetId },
      };
    return {
      ...base,
      id: uniqueCueId(model, item.mediaType === 'image' ? 'still' : 'clip'),
      action: 'show_media',
      params: {
        asset_id: item.assetId,
        media_type: item.mediaType,
        ...(item.mediaType === 'video' ? { loop: true } : {}),
        transition: 'cut',
      },
    };
  }
  return {
    ...base,
    id: uniqueCueId(model, item.overlay),
    action: 'show_overlay',
    params: defaultOverlayParams(item.overlay, catalog),
  };
}

/** The words on a cue: what it shows. */
export function cueTitle(cue: Cue, catalog: Catalog): string {
  switch (cue.action) {
    case 'show_camera': {
      const preset = cue.params.preset_id !== undefined ? ` · ${String(cue.params.preset_id)}` : '';
      return `${cameraName(catalog, cue.params.camera_id)}${preset}`;
    }
    case 'show_media':
      return cue.params.asset_id !== undefined
        ? assetName(catalog, cue.params.asset_id)
        : (cue.params.media_url ?? 'Media');
    case 'play_audio': {
      const [first, ...rest] = cue.params.asset_ids;
      if (first === undefined) return 'Music (empty playlist)';
      return `♪ ${assetName(catalog, first)}${rest.length > 0 ? ` + ${rest.length} more` : ''}`;
    }
    case 'show_overlay': {
      const p = cue.params;
      const label = OVERLAY_LABELS[p.type];
      if (p.type === 'text' || p.type === 'lower_third') return p.text ? `${label}: ${p.text}` : label;
      if (p.type === 'dynamic_text') return p.template ? `${label}: ${p.template}` : label;
      if (p.asset_id !== undefined) return `${label}: ${assetName(catalog, p.asset_id)}`;
      return p.image_url ? `${label}: ${p.image_url}` : label;
    }
  }
}

/** A CSS modifier for the cue's colour. */
export function cueTone(cue: Cue): string {
  if (cue.action === 'show_camera') return 'camera';
  if (cue.action === 'show_media') return 'media';
  if (cue.action === 'play_audio') return 'audio';
  return cue.params.type;
}

export function transitionOf(cue: Cue): string | null {
  if (cue.action === 'show_overlay' || cue.action === 'play_audio') return null;
  const t = cue.params.transition ?? 'cut';
  return t === 'cut' ? null : t;
}
