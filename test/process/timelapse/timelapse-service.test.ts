// The time-lapse service with real ffmpeg and a fake clock: the days a crash left behind are
// encoded (at idle priority) into the recordings folder, their snapshots removed after a good
// encode while today's stay; an encode waits while the show is under pressure; a failed encode
// keeps the snapshots and says why; the recordings quota counts the videos (not the temporaries).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { DEFAULT_TIMELAPSE_SETTINGS } from '../../../src/domain/timelapse.ts';
import { isRecordingFile } from '../../../src/recordings/quota.ts';
import { TimelapseService } from '../../../src/timelapse/service.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';

const execFileAsync = promisify(execFile);
const ZONE = 'Europe/Berlin';
/** 2026-06-10 10:00 in Berlin. */
const NOW = Date.UTC(2026, 5, 10, 8, 0, 0);

async function makeSnapshots(folder: string, count: number): Promise<void> {
  mkdirSync(folder, { recursive: true });
  await execFileAsync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=s=320x180:r=${count}:d=1`,
      '-frames:v',
      String(count),
      '-start_number',
      '0',
      join(folder, '%06d.jpg'),
    ],
    { timeout: 30_000 },
  );
}

function service(dataDir: string, pressure: () => string | null = () => null) {
  const clock = new FakeClock(NOW);
  const recordings = join(dataDir, 'recordings');
  const timelapses = new TimelapseService({
    dataDir,
    recordingsFolder: recordings,
    clock,
    logger: createLogger('test'),
    timeZone: () => ZONE,
    settings: () => ({ ...DEFAULT_TIMELAPSE_SETTINGS, enabled: true, fps: 12, size: '640x360' }),
    picture: () => null,
    pressure,
  });
  return { clock, timelapses, recordings };
}

describe('time-lapse service (real ffmpeg)', () => {
  it('encodes the finished days a crash left, removes their snapshots, keeps today’s', async () => {
    const dir = tempDir('vistter-timelapse-service-');
    await makeSnapshots(join(dir.path, 'timelapse', '2026-06-08'), 24);
    await makeSnapshots(join(dir.path, 'timelapse', '2026-06-10'), 6);
    const { timelapses, recordings } = service(dir.path);
    mkdirSync(recordings, { recursive: true });
    writeFileSync(join(recordings, '.timelapse-2026-06-07.partial.mp4'), 'half made before a crash');
    await timelapses.encodeFinishedDays();
    assert.equal(timelapses.job().state, 'done', timelapses.job().message ?? '');
    assert.ok(existsSync(join(recordings, 'timelapse-2026-06-08.mp4')));
    assert.equal(
      existsSync(join(dir.path, 'timelapse', '2026-06-08')),
      false,
      'the day’s snapshots are removed',
    );
    assert.equal(readdirSync(join(dir.path, 'timelapse', '2026-06-10')).length, 6, 'today’s stay');
    const [item] = await timelapses.list();
    assert.deepEqual(
      {
        day: item?.day,
        frames: item?.frames,
        fps: item?.fps,
        seconds: item?.seconds,
        size: `${item?.width}x${item?.height}`,
        complete: item?.complete,
      },
      { day: '2026-06-08', frames: 24, fps: 12, seconds: 2, size: '640x360', complete: true },
    );
    // Only the video counts for the recordings quota; the sidecar and a partial are not recordings.
    const names = readdirSync(recordings).sort();
    assert.deepEqual(names, ['.timelapse-2026-06-08.json', 'timelapse-2026-06-08.mp4']);
    assert.deepEqual(names.map(isRecordingFile), [false, true]);
    assert.equal(isRecordingFile('.timelapse-2026-06-08.partial.mp4'), false);
    const sidecar = JSON.parse(readFileSync(join(recordings, '.timelapse-2026-06-08.json'), 'utf8')) as {
      width: number;
    };
    assert.equal(sidecar.width, 640);

    // Today so far, on demand: made, and today's snapshots kept (the day goes on).
    assert.equal(timelapses.job().run, 1);
    assert.equal((await timelapses.makeNow()).run, 2, 'the answer names the new encode');
    await timelapses.settled();
    assert.equal(timelapses.job().state, 'done', timelapses.job().message ?? '');
    const today = (await timelapses.list()).find((i) => i.day === '2026-06-10');
    assert.equal(today?.frames, 6);
    assert.equal(today?.complete, false);
    assert.equal(readdirSync(join(dir.path, 'timelapse', '2026-06-10')).length, 6);
    await timelapses.remove('2026-06-10');
    assert.equal(existsSync(join(recordings, 'timelapse-2026-06-10.mp4')), false);
    await assert.rejects(timelapses.remove('2026-06-10'), /no time-lapse of 2026-06-10/);
    dir.cleanup();
  });

  it('waits while the show is under pressure, then encodes', async () => {
    const dir = tempDir('vistter-timelapse-service-');
    await makeSnapshots(join(dir.path, 'timelapse', '2026-06-10'), 6);
    let pressure: string | null = 'the show is under pressure (late ticks)';
    const { timelapses, clock } = service(dir.path, () => pressure);
    await timelapses.makeNow();
    for (let i = 0; i < 5; i++) {
      clock.advance(2000);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(timelapses.job().state, 'waiting');
    assert.match(timelapses.job().message ?? '', /under pressure/);
    await assert.rejects(timelapses.makeNow(), /being made already/);
    pressure = null;
    clock.advance(2000);
    await timelapses.settled();
    assert.equal(timelapses.job().state, 'done', timelapses.job().message ?? '');
    dir.cleanup();
  });

  it('a failed encode keeps the snapshots and says why; nothing to make is refused in words', async () => {
    const dir = tempDir('vistter-timelapse-service-');
    const folder = join(dir.path, 'timelapse', '2026-06-09');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, '000000.jpg'), 'not a jpeg');
    const { timelapses, recordings } = service(dir.path);
    await timelapses.encodeFinishedDays();
    assert.equal(timelapses.job().state, 'failed');
    assert.match(timelapses.job().message ?? '', /could not make it: ffmpeg/);
    assert.ok(existsSync(join(folder, '000000.jpg')), 'the snapshots are kept');
    assert.deepEqual(existsSync(recordings) ? readdirSync(recordings) : [], [], 'no partial left');
    await assert.rejects(timelapses.makeNow(), /no snapshots of today \(2026-06-10\)/);
    dir.cleanup();
  });
});
