// The playout meters exactly the PCM it writes to the encoder, on air source by source.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AudioMeter } from '../../../src/engine/audio-meter.ts';
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

describe('playout audio levels', () => {
  it('reads what went to the encoder: camera 1 at one level, then camera 2 at another', () => {
    const { clock, sources, sink, playout } = fakePlayout(timeline);
    assert.equal(playout.audioLevels(), null, 'nothing before the first audio');
    // Every byte 0x20: each sample is 0x2020 = 8224, a steady level of 20·log10(8224/32768) dBFS.
    sources.put('camera:1', 60, 0x20);
    sources.put('camera:2', 90, 0x08);
    playout.start();
    for (let t = 0; t < 900; t += 100) {
      clock.advance(t === 0 ? 0 : 100);
      sources.put('camera:1', 60, 0x20);
      sources.put('camera:2', 90, 0x08);
    }
    const one = playout.audioLevels()!;
    const expected = new AudioMeter();
    for (const pcm of sink.audio) expected.push(pcm);
    assert.deepEqual(one, expected.latest(), 'the same reading as a meter fed the sink’s PCM');
    assert.ok(Math.abs(one.channels[0]!.peakDb! - 20 * Math.log10(8224 / 32768)) < 1e-9);

    clock.advance(1000); // camera 2 on air
    const two = playout.audioLevels()!;
    assert.ok(Math.abs(two.channels[1]!.peakDb! - 20 * Math.log10(0x0808 / 32768)) < 1e-9);
    assert.ok(two.seq > one.seq);
  });
});
