// The bed as the playout reads it: frame spans (with repeats), the cue instance that starts a new
// playlist, the fade at a frame, and what a video cue's own sound does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bedAt,
  bedStartingSoon,
  compileAudioBed,
  sourceAudioOf,
} from '../../../../src/engine/audio/bed-plan.ts';
import { compileTimeline } from '../../../../src/timeline/resolver.ts';
import type { AudioTrack, Timeline } from '../../../../src/timeline/schema.ts';
import { cameraTimeline } from '../../../helpers/timelines.ts';

function withBed(timeline: Timeline, audio: AudioTrack): Timeline {
  return { ...timeline, tracks: { ...timeline.tracks, audio } };
}

const base = cameraTimeline({
  name: 'bed',
  duration: 60,
  fps: 30,
  resolution: '320x180',
  loop: true,
  cues: [
    { camera: 1, start: 0, duration: 30 },
    { camera: 2, start: 30, duration: 30 },
  ],
});

const track = (cues: AudioTrack['cues'], extra: Partial<AudioTrack> = {}): AudioTrack => ({
  track_id: 'a',
  type: 'audio',
  enabled: true,
  source_audio: 'duck',
  duck_db: 12,
  cues,
  ...extra,
});

const cue = (id: string, start: number, duration: number, more: object = {}): AudioTrack['cues'][number] => ({
  id,
  start_time: start,
  duration,
  action: 'play_audio',
  params: { asset_ids: [7, 8], loop: true, volume_db: -6, fade_in: 2, fade_out: 4 },
  ...more,
});

describe('audio bed plan', () => {
  it('no track, a disabled track or no cue: no bed', () => {
    assert.equal(compileAudioBed(base), null);
    assert.equal(compileAudioBed(withBed(base, track([cue('m', 0, 10)], { enabled: false }))), null);
    assert.equal(compileAudioBed(withBed(base, track([]))), null);
  });

  it('the cue on air, its fade, and a new instance on each pass of a looping timeline', () => {
    const timeline = withBed(base, track([cue('m', 10, 40)]));
    const plan = compileAudioBed(timeline)!;
    const compiled = compileTimeline(timeline);
    assert.equal(bedAt(plan, compiled, 299), null, 'before the cue');
    assert.equal(bedAt(plan, compiled, 300)?.fade, 0, 'fade in starts at 0');
    assert.equal(bedAt(plan, compiled, 330)?.fade, 0.5, 'one second into a 2 s fade in');
    assert.equal(bedAt(plan, compiled, 900)?.fade, 1);
    assert.equal(bedAt(plan, compiled, 1440)?.fade, 0.5, '2 s before the end of a 4 s fade out');
    assert.equal(bedAt(plan, compiled, 1500), null, 'after the cue');
    assert.equal(bedAt(plan, compiled, 600)?.instance, 'm@0');
    assert.equal(
      bedAt(plan, compiled, 1800 + 600)?.instance,
      'm@1',
      'the next pass starts the playlist again',
    );
    assert.equal(bedStartingSoon(plan, compiled, 200, 150)?.instance, 'm@0');
    assert.equal(bedStartingSoon(plan, compiled, 600, 150), null);
  });

  it('repeated cues play as their copies', () => {
    const plan = compileAudioBed(withBed(base, track([cue('m', 0, 5, { repeat: { every: 20 } })])))!;
    assert.deepEqual(
      plan.cues.map((c) => [c.id, c.start, c.end]),
      [
        ['m', 0, 150],
        ['m#2', 600, 750],
        ['m#3', 1200, 1350],
      ],
    );
  });

  it("a video cue's source_audio overrides the track's", () => {
    const timeline = withBed(base, track([cue('m', 0, 60)], { source_audio: 'replace' }));
    const video = timeline.tracks.video.cues[1]!;
    if (video.action !== 'show_camera') throw new Error('expected a camera cue');
    const edited: Timeline = {
      ...timeline,
      tracks: {
        ...timeline.tracks,
        video: {
          ...timeline.tracks.video,
          cues: [
            timeline.tracks.video.cues[0]!,
            { ...video, params: { ...video.params, source_audio: 'duck' } },
          ],
        },
      },
    };
    const plan = compileAudioBed(edited)!;
    assert.equal(sourceAudioOf(plan, 'cue1'), 'replace');
    assert.equal(sourceAudioOf(plan, 'cue2'), 'duck');
    assert.equal(sourceAudioOf(plan, null), 'replace', 'a gap follows the track');
  });
});
