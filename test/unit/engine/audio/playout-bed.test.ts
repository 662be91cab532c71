// The playout's audio path with a bed: the bed is read once per tick (also while the timeline is
// paused, so it carries on), mixed at its volume under a silent camera, replaces a camera's sound
// under a 'replace' cue, and its first file is started ahead of its cue.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileAudioBed, type BedAt } from '../../../../src/engine/audio/bed-plan.ts';
import type { BedSource } from '../../../../src/engine/audio/bed-player.ts';
import { fakePlayout } from '../../../helpers/playout-fakes.ts';
import { mustValidate } from '../../../helpers/timelines.ts';

const timeline = mustValidate({
  timeline: {
    name: 'bed',
    duration: 4,
    fps: 10,
    resolution: '16x16',
    tracks: {
      video: {
        track_id: 'v',
        type: 'video',
        cues: [
          { id: 'quiet', start_time: 0, duration: 2, action: 'show_camera', params: { camera_id: 1 } },
          {
            id: 'noisy',
            start_time: 2,
            duration: 2,
            action: 'show_camera',
            params: { camera_id: 2, source_audio: 'replace' },
          },
        ],
      },
      audio: {
        track_id: 'a',
        type: 'audio',
        cues: [
          {
            id: 'music',
            start_time: 1,
            duration: 3,
            action: 'play_audio',
            params: { asset_ids: [5], volume_db: -6, fade_in: 0, fade_out: 0 },
          },
        ],
      },
    },
  },
}).timeline;

/** A bed whose every sample is 4112 (bytes 0x10), recording what it was asked. */
class FakeBed implements BedSource {
  readonly reads: (string | null)[] = [];
  readonly prepared: string[] = [];
  read(at: BedAt | null, out: Buffer): boolean {
    this.reads.push(at?.instance ?? null);
    out.fill(at ? 0x10 : 0);
    return at !== null;
  }
  prepare(upcoming: readonly BedAt[]): void {
    this.prepared.push(...upcoming.map((at) => at.instance));
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

describe('playout with an audio bed', () => {
  it('mixes the bed at its volume, goes on through a pause, and replaces a camera under replace', () => {
    const bed = new FakeBed();
    const { clock, sources, sink, playout } = fakePlayout(timeline, {
      audio: { bed: compileAudioBed(timeline), bedSource: bed, loudnessTarget: null },
    });
    const feed = (): void => {
      sources.put('camera:1', 60, 0); // silent
      sources.put('camera:2', 90, 0x40); // loud: 0x4040 = 16448 in every sample
    };
    feed();
    playout.start();
    assert.deepEqual(bed.prepared, ['music@0'], 'its first file starts ahead of the cue');
    const sampleOf = (tick: number): number => sink.audio[tick]!.readInt16LE(0);
    for (let t = 0; t < 15; t++) {
      clock.advance(100);
      feed();
    }
    assert.equal(sampleOf(5), 0, 'before the bed: the silent camera');
    const bedAtVolume = Math.round(4112 * 10 ** (-6 / 20));
    assert.ok(
      Math.abs(sampleOf(12) - bedAtVolume) <= 1,
      `the bed at −6 dB: ${sampleOf(12)} ≈ ${bedAtVolume}`,
    );

    playout.pause();
    const readsBefore = bed.reads.length;
    for (let t = 0; t < 10; t++) {
      clock.advance(100);
      feed();
    }
    assert.equal(bed.reads.length - readsBefore, 10, 'read every tick while paused');
    assert.ok(sink.audio.slice(-10).every((pcm) => Math.abs(pcm.readInt16LE(0) - bedAtVolume) <= 1));
    playout.resume();
    for (let t = 0; t < 10; t++) {
      clock.advance(100);
      feed();
    }
    // Now past 2 s on the 'replace' cue: the loud camera is not heard, the bed is.
    assert.ok(Math.abs(sink.audio.at(-1)!.readInt16LE(0) - bedAtVolume) <= 1, 'the camera is replaced');
    assert.ok(bed.reads.every((instance, i) => i < 10 || instance === 'music@0'));
  });
});
