// The timeline routes and the audio bed: a playlist entry that is missing or not audio is refused
// by create, replace and import (422 TIMELINE_INVALID at its JSON path, nothing saved) and is an
// error in validate; uploaded audio is accepted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';

function withBed(assetIds: number[]) {
  return {
    timeline: {
      name: 'Harbour with music',
      duration: 60,
      tracks: {
        video: {
          track_id: 'video',
          type: 'video',
          cues: [{ id: 'cam', start_time: 0, duration: 60, action: 'show_camera', params: { camera_id: 1 } }],
        },
        audio: {
          track_id: 'bed',
          type: 'audio',
          cues: [
            {
              id: 'music',
              start_time: 0,
              duration: 60,
              action: 'play_audio',
              params: { asset_ids: assetIds },
            },
          ],
        },
      },
    },
  };
}

describe('timeline routes: the audio bed', () => {
  let api: ApiHarness;
  let music = 0;
  let picture = 0;
  const asset = (asset_type: 'audio' | 'image', filename: string) =>
    api.store.assets.create({
      asset_type,
      filename,
      file_path: `assets/${filename}`,
      file_size: 3,
      mime_type: asset_type === 'audio' ? 'audio/mpeg' : 'image/png',
      checksum: null,
      metadata: null,
    }).id;

  before(async () => {
    api = await createApiHarness();
    await api.signIn();
    music = asset('audio', 'theme.mp3');
    picture = asset('image', 'buoy.png');
  });
  after(() => api.close());

  const timelineCount = () => api.store.timelines.list().length;

  it('validate: a picture in the playlist is an error at its path', async () => {
    const response = await api.call('POST', '/api/timelines/validate', withBed([music, picture]));
    assert.equal(response.statusCode, 200);
    const checked = response.json() as {
      valid: boolean;
      issues: Array<{ path: string; message: string; severity: string }>;
    };
    assert.equal(checked.valid, false);
    const error = checked.issues.find((issue) => issue.severity === 'error');
    assert.deepEqual(error && [error.path, error.message.split(':')[0]], [
      'timeline.tracks.audio.cues[0].params.asset_ids[1]',
      `asset ${picture} is an image, not audio`,
    ]);
  });

  it('create and import refuse a missing or non-audio asset; nothing is saved', async () => {
    const before = timelineCount();
    for (const [url, body] of [
      ['/api/timelines', withBed([picture])],
      ['/api/timelines/import', withBed([999])],
    ] as const) {
      const response = await api.call('POST', url, body);
      assert.equal(response.statusCode, 422, response.body);
      const error = response.json() as { code: string; issues: Array<{ path: string }> };
      assert.equal(error.code, 'TIMELINE_INVALID');
      assert.deepEqual(
        error.issues.map((issue) => issue.path),
        ['timeline.tracks.audio.cues[0].params.asset_ids[0]'],
      );
    }
    assert.equal(timelineCount(), before);
  });

  it('create accepts uploaded audio; replace refuses a picture and keeps the saved bed', async () => {
    const created = await api.call('POST', '/api/timelines', withBed([music]));
    assert.equal(created.statusCode, 201, created.body);
    const { id } = created.json() as { id: number };
    const replaced = await api.call('PUT', `/api/timelines/${id}`, withBed([picture]));
    assert.equal(replaced.statusCode, 422, replaced.body);
    assert.match(replaced.body, new RegExp(`asset ${picture} is an image, not audio`));
    assert.deepEqual(api.store.timelines.get(id).document.timeline.tracks.audio?.cues[0]?.params.asset_ids, [
      music,
    ]);
  });
});
