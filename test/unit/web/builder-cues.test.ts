// The timeline builder's new cues and cue names (web/src/pages/timelines/builder/cues.ts) and its
// catalog look-ups (catalog.ts): what a palette item becomes on a lane, checked against the
// appliance's own cue schemas.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OverlayCueSchema, OverlayParamsSchema, VideoCueSchema } from '../../../src/timeline/schema.ts';
import {
  accepts,
  assetName,
  cameraName,
  type PaletteItem,
} from '../../../web/src/pages/timelines/builder/catalog.ts';
import {
  cueFromItem,
  cueTitle,
  cueTone,
  DEFAULT_OVERLAY_SECONDS,
  DEFAULT_VIDEO_SECONDS,
  defaultOverlayParams,
  transitionOf,
} from '../../../web/src/pages/timelines/builder/cues.ts';
import {
  emptyModel,
  fromDocument,
  OVERLAY_KINDS,
  type Cue,
  type Model,
} from '../../../web/src/pages/timelines/builder/model.ts';
import { catalog, storedDocument } from './builder-fixtures.ts';

const camera: PaletteItem = { kind: 'camera', cameraId: 2, presetName: 'Wide', label: 'Harbour PTZ · Wide' };
const video: PaletteItem = { kind: 'media', assetId: 10, mediaType: 'video', label: 'promo.mp4' };
const still: PaletteItem = { kind: 'media', assetId: 11, mediaType: 'image', label: 'logo.png' };
const lowerThird: PaletteItem = { kind: 'overlay', overlay: 'lower_third', label: 'Lower third' };

/** The cue as the document carries it, parsed by the appliance's schema for its lane. */
function parsedOnLane(cue: Cue, lane: 'video' | 'overlay') {
  const document = {
    id: cue.id,
    start_time: cue.start,
    duration: cue.duration,
    action: cue.action,
    params: cue.params,
  };
  return (lane === 'video' ? VideoCueSchema : OverlayCueSchema).safeParse(document);
}

function cueOn(model: Model, item: PaletteItem, lane: 'video' | 'overlay', at: number): Cue {
  const track = lane === 'video' ? model.video : model.overlays[0]!;
  const cue = cueFromItem(item, track, at, model, catalog());
  assert.ok(cue, 'no room');
  return cue;
}

describe('builder cues: what a palette item becomes', () => {
  it('puts a camera on the video lane with its preset, a cut and the default length', () => {
    const cue = cueOn(emptyModel(), camera, 'video', 12);
    assert.equal(cue.action, 'show_camera');
    assert.deepEqual([cue.id, cue.start, cue.duration], ['cam2_1', 12, DEFAULT_VIDEO_SECONDS]);
    assert.deepEqual(cue.params, { camera_id: 2, preset_id: 'Wide', transition: 'cut' });
    assert.equal(parsedOnLane(cue, 'video').success, true);
  });

  it('leaves the preset out for a camera item without one', () => {
    const cue = cueOn(emptyModel(), { kind: 'camera', cameraId: 1, label: 'Dock' }, 'video', 0);
    assert.deepEqual(cue.params, { camera_id: 1, transition: 'cut' });
  });

  it('plays a video file in a loop, shows a picture as a still', () => {
    const clip = cueOn(emptyModel(), video, 'video', 0);
    assert.deepEqual([clip.action, clip.id], ['show_media', 'clip_1']);
    assert.deepEqual(clip.params, { asset_id: 10, media_type: 'video', loop: true, transition: 'cut' });
    const picture = cueOn(emptyModel(), still, 'video', 0);
    assert.deepEqual([picture.action, picture.id], ['show_media', 'still_1']);
    assert.deepEqual(picture.params, { asset_id: 11, media_type: 'image', transition: 'cut' });
    for (const cue of [clip, picture]) assert.equal(parsedOnLane(cue, 'video').success, true);
  });

  it('makes a picture on an overlay lane an image overlay of the overlay length', () => {
    const cue = cueOn(emptyModel(), still, 'overlay', 4);
    assert.equal(cue.action, 'show_overlay');
    assert.deepEqual([cue.id, cue.start, cue.duration], ['image_1', 4, DEFAULT_OVERLAY_SECONDS]);
    assert.deepEqual(cue.params, { type: 'image', asset_id: 11 });
    assert.equal(parsedOnLane(cue, 'overlay').success, true);
  });

  it('names a new cue so that it does not clash with the timeline’s cues', () => {
    const model = fromDocument(storedDocument());
    const cue = cueFromItem(lowerThird, model.overlays[0]!, 20, model, catalog());
    assert.equal(cue?.id, 'lower_third_2');
  });

  it('fits a new cue into the room there is, or makes none', () => {
    const model = fromDocument(storedDocument()); // video lane full from 0 to 90.5 of 120 s
    const late = cueFromItem(camera, model.video, 50, model, catalog());
    assert.deepEqual([late?.start, late?.duration], [90.5, 29.5]);
    const full = { ...model, settings: { ...model.settings, duration: 90.7 } };
    assert.equal(cueFromItem(camera, full.video, 50, full, catalog()), null);
  });
});

describe('builder cues: overlay defaults', () => {
  it('gives every overlay kind parameters the appliance accepts, once the words are typed', () => {
    for (const kind of OVERLAY_KINDS) {
      const params = defaultOverlayParams(kind, catalog());
      assert.equal(params.type, kind);
      const typed =
        params.type === 'text' || params.type === 'lower_third' ? { ...params, text: 'Hi' } : params;
      assert.equal(OverlayParamsSchema.safeParse(typed).success, true, kind);
    }
  });

  it('writes no placeholder words that could go on air: a title and a text start empty', () => {
    const lower = defaultOverlayParams('lower_third', catalog());
    assert.equal(lower.type === 'lower_third' ? lower.text : null, '');
    assert.equal('subtitle' in lower, false);
    const text = defaultOverlayParams('text', catalog());
    assert.equal(text.type === 'text' ? text.text : null, '');
    // The appliance refuses them empty too: the placeholder can never be saved.
    assert.equal(OverlayParamsSchema.safeParse(lower).success, false);
    assert.equal(OverlayParamsSchema.safeParse(text).success, false);
  });

  it('puts the first picture of the library in a logo and an image overlay, when there is one', () => {
    assert.deepEqual(defaultOverlayParams('logo', catalog()), {
      type: 'logo',
      asset_id: 11,
      position: 'top_right',
    });
    assert.deepEqual(defaultOverlayParams('image', catalog()), { type: 'image', asset_id: 11 });
    const noPictures = { ...catalog(), assets: catalog().assets.filter((a) => a.asset_type !== 'image') };
    assert.deepEqual(defaultOverlayParams('logo', noPictures), { type: 'logo', position: 'top_right' });
    assert.deepEqual(defaultOverlayParams('image', noPictures), { type: 'image' });
  });
});

describe('builder cues: names and looks on a lane', () => {
  const model = fromDocument(storedDocument());
  const byId = (id: string): Cue =>
    [...model.video.cues, ...model.overlays.flatMap((t) => t.cues)].find((c) => c.id === id)!;

  it('titles a cue with what it shows', () => {
    const names = catalog();
    assert.equal(cueTitle(byId('cam1_1'), names), 'Dock');
    assert.equal(cueTitle(byId('cam2_1'), names), 'Harbour PTZ · Wide');
    assert.equal(cueTitle(byId('clip_1'), names), 'promo.mp4');
    assert.equal(cueTitle(byId('lower_third_1'), names), 'Lower third: Good morning');
    assert.equal(cueTitle(byId('logo_1'), names), 'Logo: logo.png');
  });

  it('titles what is not in the catalog (any more) so that it can be found', () => {
    const empty = { ...catalog(), cameras: [], assets: [] };
    assert.equal(cueTitle(byId('cam1_1'), empty), 'Camera 1 (not set up)');
    assert.equal(cueTitle(byId('clip_1'), empty), 'Asset 10 (missing)');
    const address: Cue = { ...byId('clip_1'), action: 'show_media', params: { media_url: '/media/x.mp4' } };
    assert.equal(cueTitle(address, empty), '/media/x.mp4');
    const dynamic: Cue = {
      ...byId('logo_1'),
      action: 'show_overlay',
      params: { type: 'dynamic_text', template: '{time}' },
    };
    assert.equal(cueTitle(dynamic, empty), 'Dynamic text: {time}');
  });

  it('colours a cue by its kind and shows a transition other than a cut', () => {
    assert.deepEqual(
      ['cam1_1', 'clip_1', 'lower_third_1', 'logo_1'].map((id) => cueTone(byId(id))),
      ['camera', 'media', 'lower_third', 'logo'],
    );
    assert.deepEqual(
      ['cam1_1', 'cam2_1', 'clip_1', 'logo_1'].map((id) => transitionOf(byId(id))),
      [null, 'dissolve', 'fade', null],
    );
  });
});

describe('builder catalog', () => {
  it('takes cameras and videos on the video lane, overlays on overlay lanes, a picture on either', () => {
    const overlay: PaletteItem = { kind: 'overlay', overlay: 'text', label: 'Text' };
    const table = [camera, video, still, overlay].map((item) => [
      accepts(item, 'video'),
      accepts(item, 'overlay'),
    ]);
    assert.deepEqual(table, [
      [true, false],
      [true, false],
      [true, true],
      [false, true],
    ]);
  });

  it('names cameras and files, and says when one is not there', () => {
    assert.equal(cameraName(catalog(), 2), 'Harbour PTZ');
    assert.equal(cameraName(catalog(), 9), 'Camera 9 (not set up)');
    assert.equal(assetName(catalog(), 12), 'jingle.mp3');
    assert.equal(assetName(catalog(), 99), 'Asset 99 (missing)');
  });
});
