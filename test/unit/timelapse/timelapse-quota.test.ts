// The time-lapse's snapshot days under the recordings quota, on a real temporary data folder (the
// appliance's housekeeper with a fake clock for "now" and a fake statfs): days not yet made into a
// video count towards the quota, and the oldest items go first whether recording or snapshot day;
// a day being encoded and today's day being written are spared.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { RecordingsHousekeeper } from '../../../src/recordings/housekeeper.ts';
import { holdForEncode, snapshotDayUsage, snapshotsRoot } from '../../../src/timelapse/snapshot-days.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MB = 1e6;

describe('time-lapse snapshot days under the recordings quota (real folder)', () => {
  let dir: { path: string; cleanup: () => void };
  let recordings: string;
  let snapshots: string;
  let clock: FakeClock;

  beforeEach(() => {
    dir = tempDir('vistter-tl-quota-');
    recordings = join(dir.path, 'recordings');
    snapshots = snapshotsRoot(dir.path);
    mkdirSync(recordings, { recursive: true });
    mkdirSync(snapshots, { recursive: true });
    clock = new FakeClock(Date.UTC(2026, 11, 6, 12));
  });
  afterEach(() => dir.cleanup());

  const stamp = (path: string, ageMs: number) => {
    const at = (clock.wallNow() - ageMs) / 1000;
    utimesSync(path, at, at);
  };
  /** A recording of `mb` MB last written `ageMs` ago. */
  const recording = (name: string, mb: number, ageMs: number) => {
    const path = join(recordings, name);
    writeFileSync(path, Buffer.alloc(mb * MB));
    stamp(path, ageMs);
  };
  /** A day of `count` snapshots of 1 MB, the last taken `ageMs` ago. */
  const snapshotDay = (day: string, count: number, ageMs: number) => {
    const folder = join(snapshots, day);
    mkdirSync(folder);
    for (let i = 0; i < count; i++) {
      const path = join(folder, `${String(i).padStart(6, '0')}.jpg`);
      writeFileSync(path, Buffer.alloc(MB, 0xff));
      stamp(path, ageMs + (count - 1 - i) * 60_000);
    }
    stamp(folder, ageMs);
  };
  const housekeeper = (quotaMb: number) =>
    new RecordingsHousekeeper({
      limits: {
        folder: recordings,
        quotaBytes: quotaMb * MB,
        maxAgeMs: 30 * DAY,
        fileMs: HOUR,
        reserveBytes: 1 * MB,
        warnBytes: 2 * MB,
      },
      dataDir: dir.path,
      clock,
      logger: createLogger('test'),
      readSpace: (path) => ({ path, totalBytes: 10_000 * MB, freeBytes: 9_000 * MB }),
      alsoCounted: () => snapshotDayUsage(snapshotsRoot(dir.path)),
    });
  const days = () => readdirSync(snapshots).sort();
  const files = () => readdirSync(recordings).sort();

  it('counts each day folder by its files, dated by its newest snapshot', async () => {
    snapshotDay('2026-12-01', 3, 5 * DAY);
    writeFileSync(join(snapshots, 'notes.txt'), 'not a day');
    mkdirSync(join(snapshots, 'not-a-day'));
    const usage = await snapshotDayUsage(snapshots);
    assert.equal(usage.days.length, 1);
    assert.equal(usage.days[0]?.sizeBytes, 3 * MB);
    assert.equal(usage.days[0]?.modifiedAt, clock.wallNow() - 5 * DAY);
    assert.deepEqual(usage.inUse, []);
  });

  it('a piled-up day (the encoder never ran) goes before newer recordings; the oldest recording before it', async () => {
    recording('show-a.mp4', 4, 9 * DAY); // older than every snapshot
    snapshotDay('2026-11-28', 6, 8 * DAY); // left by a crash loop: never made into a video
    snapshotDay('2026-12-02', 5, 4 * DAY);
    recording('show-b.mp4', 4, 2 * DAY);
    recording('show-c.mp4', 4, 1 * HOUR);
    snapshotDay('2026-12-06', 3, 30_000); // today's, being written
    // 4 + 6 + 5 + 4 + 4 + 3 = 26 MB against a quota of 16 MB.
    const result = await housekeeper(16).sweep('test');
    assert.ok(result);
    assert.deepEqual(
      result.removed.map((removal) => [removal.file.path.replace(`${dir.path}/`, ''), removal.reason]),
      [
        ['recordings/show-a.mp4', 'quota'],
        ['timelapse/2026-11-28', 'quota'],
      ],
    );
    assert.deepEqual(files(), ['show-b.mp4', 'show-c.mp4']);
    assert.deepEqual(days(), ['2026-12-02', '2026-12-06']);
    assert.equal(result.keptBytes, 16 * MB, 'what is kept: 5 + 4 + 4 + 3 MB');
  });

  it('with snapshots alone over the quota, whole days go oldest first; today’s, being written, stays', async () => {
    snapshotDay('2026-12-03', 4, 3 * DAY);
    snapshotDay('2026-12-04', 4, 2 * DAY);
    snapshotDay('2026-12-05', 4, 1 * DAY);
    snapshotDay('2026-12-06', 6, 10_000);
    await housekeeper(5).sweep('test');
    assert.deepEqual(days(), ['2026-12-06'], 'over the quota still, but today’s is being written');
    assert.equal(existsSync(join(snapshots, '2026-12-05', '000000.jpg')), false, 'removed with its files');
  });

  it('a day whose video is being made is spared until the encode ends', async () => {
    snapshotDay('2026-12-04', 4, 2 * DAY);
    snapshotDay('2026-12-05', 4, 1 * DAY);
    const release = holdForEncode(join(snapshots, '2026-12-04'));
    await housekeeper(5).sweep('test');
    assert.deepEqual(days(), ['2026-12-04'], 'the encode’s day stays; the next oldest went instead');
    release();
    await housekeeper(2).sweep('test');
    assert.deepEqual(days(), [], 'once the encode is over it counts like any day');
  });

  it('a day older than the age limit goes like an old recording', async () => {
    snapshotDay('2026-10-01', 2, 40 * DAY);
    recording('recent.mp4', 1, HOUR);
    const result = await housekeeper(0).sweep('test');
    assert.deepEqual(
      result?.removed.map((removal) => removal.reason),
      ['age'],
    );
    assert.deepEqual(days(), []);
    assert.deepEqual(files(), ['recent.mp4']);
  });
});
