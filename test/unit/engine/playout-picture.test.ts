// The playout keeps the program picture it last wrote (website stills, time-lapse).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakePlayout } from '../../helpers/playout-fakes.ts';
import { mustValidate } from '../../helpers/timelines.ts';

const timeline = mustValidate({
  timeline: {
    name: 'meter',
    duration: 2,
    fps: 10,
    resolution: '16x16',
    tracks: {
      video: {
        track_id: 'v',
        type: 'video',
        cues: [
          { id: 'one', start_time: 0, duration: 1, action: 'show_camera', params: { camera_id: 1 } },
          { id: 'two', start_time: 1, duration: 1, action: 'show_camera', params: { camera_id: 2 } },
        ],
      },
    },
  },
}).timeline;

describe('playout program picture', () => {
  it('is the last frame written to the encoder, and null before the first', () => {
    const { clock, sources, sink, playout } = fakePlayout(timeline);
    assert.equal(playout.programPicture(), null, 'no picture before the first tick');
    sources.put('camera:1', 60);
    sources.put('camera:2', 90);
    playout.start();
    clock.advance(0);
    const first = playout.programPicture()!;
    assert.equal(first.width, 16);
    assert.equal(first.height, 16);
    assert.deepEqual(Buffer.from(first.data), sink.video.at(-1), 'the frame the encoder got');
    assert.equal(first.data[0], 60, 'camera 1 on air');
    for (let t = 0; t < 1200; t += 100) {
      clock.advance(100);
      sources.put('camera:1', 60);
      sources.put('camera:2', 90);
    }
    assert.equal(playout.programPicture()!.data[0], 90, 'camera 2 on air');
    assert.deepEqual(Buffer.from(playout.programPicture()!.data), sink.video.at(-1));
  });
});
