// The time-lapse encode's command line as data (golden): image2 glob input at the output frame
// rate, one thread, fitted to the size, H.264 with +faststart; wrapped in SCHED_IDLE and the idle
// I/O class where the tools exist (nice 19 is the process host's). And when the encode must give
// the machine back to the show.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  TIMELAPSE_NICE,
  findIdleTools,
  idlePriorityCommand,
  timelapseEncodeArgs,
} from '../../../src/timelapse/encode.ts';
import { AFTER_STEP_DOWN_MS, timelapsePressure } from '../../../src/timelapse/pressure.ts';

describe('time-lapse encode argv', () => {
  it('golden: image2 glob at the output fps → H.264 MP4, one thread, +faststart', () => {
    assert.deepEqual(timelapseEncodeArgs({ fps: 30, width: 1280, height: 720, output: '/d/rec/.t.mp4' }), [
      '-hide_banner',
      '-nostdin',
      '-nostats',
      '-loglevel',
      'error',
      '-threads',
      '1',
      '-f',
      'image2',
      '-pattern_type',
      'glob',
      '-framerate',
      '30',
      '-i',
      '*.jpg',
      '-filter_threads',
      '1',
      '-vf',
      'scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p',
      '-an',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-threads',
      '1',
      '-movflags',
      '+faststart',
      '-progress',
      'pipe:1',
      '-f',
      'mp4',
      '-y',
      '/d/rec/.t.mp4',
    ]);
  });

  it('golden: idle CPU (chrt --idle) and idle I/O (ionice -c 3) around ffmpeg, each only if present', () => {
    const args = ['-i', 'x'];
    assert.deepEqual(idlePriorityCommand('ffmpeg', args, { chrt: true, ionice: true }), {
      command: 'chrt',
      args: ['--idle', '0', 'ionice', '-c', '3', 'ffmpeg', '-i', 'x'],
    });
    assert.deepEqual(idlePriorityCommand('ffmpeg', args, { chrt: false, ionice: true }), {
      command: 'ionice',
      args: ['-c', '3', 'ffmpeg', '-i', 'x'],
    });
    assert.deepEqual(idlePriorityCommand('ffmpeg', args, { chrt: false, ionice: false }), {
      command: 'ffmpeg',
      args: ['-i', 'x'],
    });
    assert.equal(TIMELAPSE_NICE, 19);
  });

  it('finds the idle tools on Linux only', () => {
    assert.deepEqual(findIdleTools('darwin', '/usr/bin'), { chrt: false, ionice: false });
    assert.deepEqual(findIdleTools('linux', '/nonexistent'), { chrt: false, ionice: false });
  });
});

describe('time-lapse pressure', () => {
  const now = Date.UTC(2026, 5, 10, 12, 0, 0);
  const calm = { switching: false, symptoms: [], lastChange: null };
  it('waits for symptoms, a quality move and a recent step down; not for a calm show below its settings', () => {
    assert.equal(timelapsePressure(null, now), null);
    assert.equal(timelapsePressure(calm, now), null);
    assert.match(
      timelapsePressure({ ...calm, symptoms: ['late ticks in 60 % of seconds'] }, now) ?? '',
      /under pressure \(late ticks/,
    );
    assert.match(timelapsePressure({ ...calm, switching: true }, now) ?? '', /changing its quality/);
    const down = (ago: number) => ({
      ...calm,
      lastChange: { at: new Date(now - ago).toISOString(), direction: 'down' as const },
    });
    assert.match(timelapsePressure(down(60_000), now) ?? '', /degraded mode stepped the show down/);
    assert.equal(timelapsePressure(down(AFTER_STEP_DOWN_MS + 1000), now), null);
    assert.equal(
      timelapsePressure({ ...calm, lastChange: { at: new Date(now).toISOString(), direction: 'up' } }, now),
      null,
    );
  });
});
