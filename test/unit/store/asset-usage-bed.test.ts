// An audio file on an audio bed's playlist is in use: deleting it is refused, and the refusal
// names the timeline and the music cue, as for a picture or video a cue shows.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { openStore } from '../../../src/store/store.ts';
import { mustValidate } from '../../helpers/timelines.ts';
import { tempDir } from '../../helpers/temp.ts';

describe('assets used by an audio bed', () => {
  const dir = tempDir('vistter-bed-usage-');
  const store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
  after(() => {
    store.close();
    dir.cleanup();
  });

  const audio = (filename: string) =>
    store.assets.create({
      asset_type: 'audio',
      filename,
      file_path: `assets/${filename}`,
      file_size: 3,
      mime_type: 'audio/mpeg',
      checksum: null,
      metadata: null,
    }).id;

  it('refuses to delete a playlist entry, naming the cue; deletes an unused file', () => {
    const theme = audio('theme.mp3');
    const spare = audio('spare.mp3');
    const { id } = store.timelines.create(
      mustValidate({
        timeline: {
          name: 'Harbour with music',
          duration: 120,
          tracks: {
            video: {
              track_id: 'video',
              type: 'video',
              cues: [
                { id: 'cam', start_time: 0, duration: 120, action: 'show_camera', params: { camera_id: 1 } },
              ],
            },
            audio: {
              track_id: 'bed',
              type: 'audio',
              cues: [
                {
                  id: 'intro',
                  start_time: 0,
                  duration: 60,
                  action: 'play_audio',
                  params: { asset_ids: [theme] },
                },
                {
                  id: 'outro',
                  start_time: 60,
                  duration: 60,
                  action: 'play_audio',
                  params: { asset_ids: [theme, theme] },
                },
              ],
            },
          },
        },
      }),
    );
    const refused = store.assets.deleteUnlessUsed(theme);
    assert.equal(refused.deleted, false);
    assert.deepEqual(refused.usage, [{ id, name: 'Harbour with music', cue_ids: ['intro', 'outro'] }]);
    assert.equal(store.assets.get(theme).filename, 'theme.mp3');
    assert.equal(store.assets.deleteUnlessUsed(spare).deleted, true);
  });
});
