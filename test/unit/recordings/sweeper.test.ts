// The sweeper and the appliance's disk watch on a real temporary folder, with a fake clock for
// "now" and the timers and a fake statfs for the free space: what is removed is what the folder
// no longer holds afterwards.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryAlertSink } from '../../../src/alerts/alert-center.ts';
import { createLogger } from '../../../src/core/logger.ts';
import type { DiskSpace } from '../../../src/recordings/free-space.ts';
import { RecordingsHousekeeper } from '../../../src/recordings/housekeeper.ts';
import type { RecordingLimits } from '../../../src/recordings/limits.ts';
import { RecordingSweeper } from '../../../src/recordings/sweeper.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';

const DAY = 86_400_000;
const MB = 1e6;

describe('RecordingSweeper on a real folder', () => {
  let dir: { path: string; cleanup: () => void };
  let folder: string;
  let clock: FakeClock;
  let disk: { totalBytes: number; freeBytes: number };

  beforeEach(() => {
    dir = tempDir('vistter-sweep-');
    folder = join(dir.path, 'recordings');
    mkdirSync(folder);
    clock = new FakeClock(Date.UTC(2026, 11, 6, 12));
    disk = { totalBytes: 1000 * MB, freeBytes: 800 * MB };
  });
  afterEach(() => dir.cleanup());

  /** A file of `mb` megabytes last written `ageMs` before the clock's now. */
  function put(name: string, mb: number, ageMs: number, where = folder): void {
    const path = join(where, name);
    writeFileSync(path, Buffer.alloc(Math.round(mb * MB)));
    const at = (clock.wallNow() - ageMs) / 1000;
    utimesSync(path, at, at);
  }

  function sweeper(over: Partial<RecordingLimits> = {}): RecordingSweeper {
    return new RecordingSweeper({
      limits: {
        folder,
        quotaBytes: 10 * MB,
        maxAgeMs: 30 * DAY,
        fileMs: 3_600_000,
        reserveBytes: 50 * MB,
        warnBytes: 100 * MB,
        ...over,
      },
      clock,
      logger: createLogger('test'),
      readSpace: (path): DiskSpace => ({ path, ...disk }),
    });
  }

  const left = (): string[] => readdirSync(folder).sort();

  it('removes what is too old, then the oldest over the quota; keeps the rest and everything else', async () => {
    put('old.mp4', 1, 40 * DAY);
    put('show-a.mp4', 4, 3 * DAY);
    put('show-a.part2.mp4', 4, 2 * DAY);
    put('show-b.flv', 4, 1 * DAY);
    put('notes.txt', 50, 90 * DAY); // not a recording
    mkdirSync(join(folder, 'kept.mp4')); // a folder, whatever its name
    mkdirSync(join(folder, 'sub'));
    put('deep.mp4', 1, 90 * DAY, join(folder, 'sub')); // only the top level is swept
    const result = await sweeper().sweep([], 'test');
    assert.deepEqual(
      result.removed.map((r) => [r.file.path.split('/').at(-1), r.reason]),
      [
        ['old.mp4', 'age'],
        ['show-a.mp4', 'quota'],
      ],
    );
    assert.deepEqual(left(), ['kept.mp4', 'notes.txt', 'show-a.part2.mp4', 'show-b.flv', 'sub']);
    assert.ok(existsSync(join(folder, 'sub', 'deep.mp4')));
    assert.equal(result.keptBytes, 8 * MB);
    assert.equal(result.disk?.level, 'ok');
  });

  it('never removes the files in use or written to in the last two minutes', async () => {
    put('a.mp4', 6, 2 * DAY);
    put('b.mp4', 6, 1 * DAY);
    put('c.mp4', 6, 60_000);
    await sweeper({ quotaBytes: 1 }).sweep([join(folder, 'a.mp4')], 'test');
    assert.deepEqual(left(), ['a.mp4', 'c.mp4']);
  });

  it('the disk below the warning level: the oldest go until it is back above it', async () => {
    put('a.mp4', 5, 3 * DAY);
    put('b.mp4', 5, 2 * DAY);
    put('c.mp4', 5, 1 * DAY);
    disk.freeBytes = 92 * MB; // 8 MB short of the warning level
    const result = await sweeper({ quotaBytes: 0 }).sweep([], 'test');
    assert.deepEqual(
      result.removed.map((r) => r.reason),
      ['space', 'space'],
    );
    assert.deepEqual(left(), ['c.mp4']);
  });

  it('a folder that does not exist yet: nothing to do', async () => {
    const result = await sweeper({ folder: join(dir.path, 'missing') }).sweep([], 'test');
    assert.deepEqual(result.removed, []);
  });

  it('a sweep asked for while one runs joins it', async () => {
    put('a.mp4', 20, 2 * DAY);
    const s = sweeper();
    const [first, second] = await Promise.all([s.sweep([], 'one'), s.sweep([], 'two')]);
    assert.equal(first, second);
    assert.deepEqual(left(), []);
  });
});

describe('RecordingsHousekeeper: the appliance watches its disk, show or no show', () => {
  let dir: { path: string; cleanup: () => void };
  beforeEach(() => {
    dir = tempDir('vistter-house-');
    mkdirSync(join(dir.path, 'recordings'));
  });
  afterEach(() => dir.cleanup());

  it('sweeps at start and every 10 minutes; alerts below the warning level, escalates, clears', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 6, 12));
    const alerts = new MemoryAlertSink();
    const disk = { totalBytes: 1000 * MB, freeBytes: 500 * MB };
    const folder = join(dir.path, 'recordings');
    const put = (name: string, ageMs: number): void => {
      writeFileSync(join(folder, name), 'x');
      const at = (clock.wallNow() - ageMs) / 1000;
      utimesSync(join(folder, name), at, at);
    };
    put('expired.mp4', 31 * DAY);
    const keeper = new RecordingsHousekeeper({
      limits: {
        folder,
        quotaBytes: null,
        maxAgeMs: 30 * DAY,
        fileMs: 3_600_000,
        reserveBytes: null,
        warnBytes: null,
      },
      dataDir: dir.path,
      clock,
      logger: createLogger('test'),
      alerts,
      readSpace: (path) => ({ path, ...disk }),
    });
    // Left open by a recording that ended while the disk was low: the disk has room now.
    alerts.raise({
      key: 'disk:low',
      severity: 'warning',
      code: 'DISK_SPACE_LOW',
      message: 'x',
      remediation: 'y',
    });
    keeper.start();
    await keeper.settled();
    assert.deepEqual(readdirSync(folder), [], 'swept at start');
    assert.deepEqual([...alerts.openAlerts.keys()], [], 'the first reading with room clears it');

    put('ages-later.mp4', 30 * DAY - 5 * 60_000); // 30 days old in 5 minutes
    clock.advance(9 * 60_000);
    await keeper.settled();
    assert.deepEqual(readdirSync(folder), ['ages-later.mp4'], 'no sweep between the 10-minute ones');
    clock.advance(60_000);
    await keeper.settled();
    assert.deepEqual(readdirSync(folder), [], 'the periodic sweep');

    disk.freeBytes = 90 * MB; // below 10 % of the volume
    clock.advance(60_000);
    assert.deepEqual(
      [...alerts.openAlerts.values()].map((a) => [a.key, a.severity, a.code]),
      [['disk:low', 'warning', 'DISK_SPACE_LOW']],
    );
    assert.match(alerts.openAlerts.get('disk:low')!.message, /90 MB free of 1\.0 GB/);
    disk.freeBytes = 40 * MB; // below 5 %
    clock.advance(60_000);
    assert.equal(alerts.openAlerts.get('disk:low')?.severity, 'error');
    assert.equal(keeper.disk()?.level, 'full');
    disk.freeBytes = 400 * MB;
    clock.advance(60_000);
    assert.deepEqual([...alerts.openAlerts.keys()], []);
    keeper.close();
  });
});
