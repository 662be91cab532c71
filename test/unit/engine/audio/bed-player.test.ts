// The bed player with real ffmpeg on real files: a playlist plays in order, a broken file is
// skipped with an alert, and a non-looping playlist goes silent at its end.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../../../src/core/logger.ts';
import type { BedAt } from '../../../../src/engine/audio/bed-plan.ts';
import { BedPlayer } from '../../../../src/engine/audio/bed-player.ts';
import type { AlertInput } from '../../../../src/errors/alert-sink.ts';
import { tempDir } from '../../../helpers/temp.ts';

const dir = tempDir('vistter-bed-');
after(() => dir.cleanup());

function toneFile(name: string, hz: number, seconds: number): string {
  const path = join(dir.path, name);
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${hz}:sample_rate=44100:duration=${seconds}`,
    '-ac',
    '1',
    '-y',
    path,
  ]);
  return path;
}

/** Zero crossings per second of the left channel → its frequency. */
function frequency(pcm: Buffer, fromFrame: number, frames: number): number {
  let crossings = 0;
  let previous = pcm.readInt16LE(fromFrame * 4);
  for (let i = fromFrame + 1; i < fromFrame + frames; i++) {
    const sample = pcm.readInt16LE(i * 4);
    if ((previous < 0 && sample >= 0) || (previous >= 0 && sample < 0)) crossings++;
    previous = sample;
  }
  return crossings / 2 / (frames / 48_000);
}

describe('audio bed player', () => {
  it('plays the playlist in order, skips a broken file with an alert, then is silent', async () => {
    const files = new Map<number, string>([
      [1, toneFile('a.wav', 440, 2)],
      [2, join(dir.path, 'broken.mp3')],
      [3, toneFile('c.flac', 880, 0.5)],
    ]);
    writeFileSync(files.get(2)!, 'this is not audio');
    const alerts: AlertInput[] = [];
    const player = new BedPlayer({
      assetPath: (id) => files.get(id) ?? null,
      logger: createLogger('test'),
      alerts: { raise: (alert) => alerts.push(alert), clear: () => undefined },
    });
    const at: BedAt = {
      instance: 'm@0',
      fade: 1,
      cue: {
        id: 'm',
        start: 0,
        end: 900,
        assetIds: [1, 2, 3],
        loop: false,
        volumeDb: 0,
        fadeIn: 0,
        fadeOut: 0,
      },
    };
    player.prepare([at]);
    await sleep(500); // started ahead, as the playout does a few seconds before the cue
    const ticks: Buffer[] = [];
    for (let tick = 0; tick < 120; tick++) {
      const out = Buffer.alloc(1600 * 4);
      player.read(at, out);
      ticks.push(out);
      await sleep(33);
    }
    await player.stop();
    const pcm = Buffer.concat(ticks);
    const frames = pcm.length / 4;
    let first = -1;
    let last = -1;
    for (let i = 0; i < frames; i++)
      if (pcm.readInt16LE(i * 4) !== 0) {
        if (first < 0) first = i;
        last = i;
      }
    const span = (last - first) / 48_000;
    assert.equal(first, 1, 'it plays from the first tick (a sine starts at 0)');
    assert.ok(Math.abs(span - 2.5) < 0.01, `the two good files play back to back: ${span} s`);
    assert.ok(Math.abs(frequency(pcm, first, 19_200) - 440) < 5, 'the first file first');
    assert.ok(Math.abs(frequency(pcm, first + 98_400, 19_200) - 880) < 5, 'then the third');
    assert.ok(frames - last > 48_000 * 0.5, 'silence after the end of a playlist without loop');
    assert.deepEqual(
      alerts.map((a) => [a.key, a.code]),
      [['audio-bed:asset:2', 'AUDIO_BED_FILE_FAILED']],
    );
    assert.equal(player.snapshot().filesFailed, 1);
    assert.equal(player.snapshot().underruns, 0);
  });

  it('a playlist whose every file fails stays silent (no respawn loop) until the next cue', async () => {
    const alerts: AlertInput[] = [];
    const player = new BedPlayer({
      assetPath: (id) => (id === 9 ? join(dir.path, 'missing.mp3') : null),
      logger: createLogger('test'),
      alerts: { raise: (alert) => alerts.push(alert), clear: () => undefined },
    });
    const at: BedAt = {
      instance: 'x@0',
      fade: 1,
      cue: { id: 'x', start: 0, end: 900, assetIds: [9, 10], loop: true, volumeDb: 0, fadeIn: 0, fadeOut: 0 },
    };
    for (let tick = 0; tick < 30; tick++) {
      const out = Buffer.alloc(1600 * 4);
      assert.equal(player.read(at, out), false);
      await sleep(33);
    }
    await player.stop();
    assert.ok(player.snapshot().filesStarted <= 4, `started ${player.snapshot().filesStarted} decoders`);
    assert.deepEqual(new Set(alerts.map((a) => a.key)), new Set(['audio-bed:asset:9', 'audio-bed:asset:10']));
  });

  it('a playlist that plays again carries on after the file that was on air, through the whole list', async () => {
    const files = new Map<number, string>([
      [1, toneFile('p1.wav', 440, 3)],
      [2, toneFile('p2.wav', 660, 3)],
      [3, toneFile('p3.wav', 880, 3)],
    ]);
    const player = new BedPlayer({ assetPath: (id) => files.get(id) ?? null, logger: createLogger('test') });
    const pass = (n: number): BedAt => ({
      instance: `m@${n}`,
      fade: 1,
      cue: {
        id: 'm',
        start: 0,
        end: 900,
        assetIds: [1, 2, 3],
        loop: true,
        volumeDb: 0,
        fadeIn: 0,
        fadeOut: 0,
      },
    });
    /** Plays `ticks` ticks of a pass; the frequency of the last half second of them. */
    const play = async (at: BedAt, ticks: number): Promise<number> => {
      const out: Buffer[] = [];
      for (let tick = 0; tick < ticks; tick++) {
        const chunk = Buffer.alloc(1600 * 4);
        player.read(at, chunk);
        out.push(chunk);
        await sleep(33);
      }
      const pcm = Buffer.concat(out);
      return frequency(pcm, pcm.length / 4 - 24_000, 24_000);
    };
    player.prepare([pass(0)]);
    await sleep(500);
    assert.ok(Math.abs((await play(pass(0), 40)) - 440) < 5, 'the first pass starts at the first file');
    // The next pass is made ready ahead (its first file: the one after the file on air now), but
    // this pass moves on into the second file before it ends.
    player.prepare([pass(1)]);
    assert.ok(Math.abs((await play(pass(0), 80)) - 660) < 5, 'the first pass reached the second file');
    assert.ok(Math.abs((await play(pass(1), 30)) - 880) < 5, 'the next pass carries on with the third');
    assert.ok(Math.abs((await play(pass(2), 30)) - 440) < 5, 'and the one after wraps to the first');
    await player.stop();
  });
});
