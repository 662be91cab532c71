// The quota policy (pure) and the limits it works with: which recordings go, in which order, and
// what the defaults come to on the volumes the appliance runs on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { judgeDiskSpace } from '../../../src/recordings/free-space.ts';
import { recordingLimitsFromEnv, RecordingLimitsError } from '../../../src/config.ts';
import { formatBytes, limitsForVolume } from '../../../src/recordings/limits.ts';
import {
  isRecordingFile,
  planSweep,
  type RecordingFile,
  type SweepInput,
} from '../../../src/recordings/quota.ts';

const DAY = 86_400_000;
const GB = 1e9;
const MB = 1e6;
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

function file(name: string, sizeBytes: number, ageMs: number): RecordingFile {
  return { path: `/data/recordings/${name}`, sizeBytes, modifiedAt: NOW - ageMs };
}

function plan(files: RecordingFile[], over: Partial<SweepInput> = {}): Array<[string, string]> {
  return planSweep({
    files,
    now: NOW,
    quotaBytes: 0,
    maxAgeMs: 0,
    inUse: new Set(),
    recentMs: 0,
    bytesToFree: 0,
    ...over,
  }).remove.map((r) => [r.file.path.split('/').at(-1)!, r.reason]);
}

describe('planSweep', () => {
  const files = [
    file('c.mp4', 3 * GB, 5 * DAY),
    file('a.mp4', 1 * GB, 40 * DAY),
    file('d.part2.mp4', 1 * GB, 1 * DAY),
    file('b.mp4', 2 * GB, 31 * DAY),
  ];

  it('within the limits: nothing goes', () => {
    assert.deepEqual(plan(files, { quotaBytes: 7 * GB, maxAgeMs: 60 * DAY }), []);
  });

  it('older than the age limit: gone, oldest first', () => {
    assert.deepEqual(plan(files, { maxAgeMs: 30 * DAY }), [
      ['a.mp4', 'age'],
      ['b.mp4', 'age'],
    ]);
  });

  it('over the quota: the oldest go until the rest fit', () => {
    // 7 GB in all, 4 GB allowed: a (1) and b (2) leave 4 GB.
    assert.deepEqual(plan(files, { quotaBytes: 4 * GB }), [
      ['a.mp4', 'quota'],
      ['b.mp4', 'quota'],
    ]);
    assert.equal(
      planSweep({
        files,
        now: NOW,
        quotaBytes: 4 * GB,
        maxAgeMs: 0,
        inUse: new Set(),
        recentMs: 0,
        bytesToFree: 0,
      }).keptBytes,
      4 * GB,
    );
  });

  it('age first, then the quota on what is left', () => {
    assert.deepEqual(plan(files, { maxAgeMs: 35 * DAY, quotaBytes: 3_500_000_000 }), [
      ['a.mp4', 'age'],
      ['b.mp4', 'quota'],
      ['c.mp4', 'quota'],
    ]);
  });

  it('a disk running low: the oldest go until enough is freed', () => {
    assert.deepEqual(plan(files, { bytesToFree: 2_500_000_000 }), [
      ['a.mp4', 'space'],
      ['b.mp4', 'space'],
    ]);
  });

  it('files in use and files written lately are never removed, whatever the limits', () => {
    const inUse = new Set(['/data/recordings/a.mp4']);
    assert.deepEqual(plan(files, { inUse, maxAgeMs: 30 * DAY, quotaBytes: 1, bytesToFree: 100 * GB }), [
      ['b.mp4', 'age'],
      ['c.mp4', 'quota'],
      ['d.part2.mp4', 'quota'],
    ]);
    assert.deepEqual(plan(files, { recentMs: 2 * DAY, quotaBytes: 1 }), [
      ['a.mp4', 'quota'],
      ['b.mp4', 'quota'],
      ['c.mp4', 'quota'],
    ]);
  });

  it('equal times: by name, so the order never depends on the listing', () => {
    const same = [file('y.mp4', 1, DAY), file('x.mp4', 1, DAY)];
    assert.deepEqual(plan(same, { quotaBytes: 1 }), [['x.mp4', 'quota']]);
    assert.deepEqual(plan([...same].reverse(), { quotaBytes: 1 }), [['x.mp4', 'quota']]);
  });

  it('only the recorder’s file types are recordings', () => {
    assert.deepEqual(
      [
        'a.mp4',
        'b.FLV',
        'c.part3.mp4',
        'd.mov',
        'e.m4v',
        '.f.mp4',
        'g.json',
        'h.mp4.tmp',
        'i.ts',
        'db.sqlite',
      ].filter(isRecordingFile),
      ['a.mp4', 'b.FLV', 'c.part3.mp4', 'd.mov', 'e.m4v'],
    );
  });
});

describe('recording limits', () => {
  const defaults = recordingLimitsFromEnv({ VISTTER_DATA_DIR: '/var/lib/vistterstream' });

  it('defaults: 30 days, a file per hour, the recordings folder under the data folder', () => {
    assert.equal(defaults.folder, '/var/lib/vistterstream/recordings');
    assert.equal(defaults.maxAgeMs, 30 * DAY);
    assert.equal(defaults.fileMs, 60 * 60_000);
    assert.equal(defaults.quotaBytes, null);
  });

  it('a 32 GB SD card: 6.4 GB of recordings, warn below 3 GB free, stop below 1 GB', () => {
    assert.deepEqual(limitsForVolume(defaults, 32 * GB), {
      quotaBytes: 6_400_000_000,
      maxAgeMs: 30 * DAY,
      reserveBytes: 1 * GB,
      warnBytes: 3 * GB,
    });
  });

  it('a 2 TB disk: the quota is capped at 100 GB; a 64 MB folder: everything scales down', () => {
    assert.equal(limitsForVolume(defaults, 2000 * GB).quotaBytes, 100 * GB);
    assert.deepEqual(limitsForVolume(defaults, 64 * MB), {
      quotaBytes: 12_800_000,
      maxAgeMs: 30 * DAY,
      reserveBytes: 3_200_000,
      warnBytes: 6_400_000,
    });
  });

  it('set by the environment (the config file fills it): GB, days, minutes, MB; 0 = no limit', () => {
    const limits = recordingLimitsFromEnv({
      VISTTER_RECORDINGS_QUOTA_GB: '20',
      VISTTER_RECORDINGS_MAX_AGE_DAYS: '0',
      VISTTER_RECORDINGS_FILE_MINUTES: '15',
      VISTTER_DISK_RESERVE_MB: '500',
      VISTTER_DISK_WARN_MB: '2000',
    });
    assert.deepEqual(limitsForVolume(limits, 32 * GB), {
      quotaBytes: 20 * GB,
      maxAgeMs: 0,
      reserveBytes: 500 * MB,
      warnBytes: 2000 * MB,
    });
    assert.equal(limits.fileMs, 15 * 60_000);
  });

  it('bad values are refused naming the variable', () => {
    assert.throws(
      () => recordingLimitsFromEnv({ VISTTER_RECORDINGS_QUOTA_GB: 'lots' }),
      (e: unknown) => e instanceof RecordingLimitsError && /VISTTER_RECORDINGS_QUOTA_GB/.test(e.message),
    );
    assert.throws(() => recordingLimitsFromEnv({ VISTTER_RECORDINGS_FILE_MINUTES: '0' }), /FILE_MINUTES/);
    assert.throws(() => recordingLimitsFromEnv({ VISTTER_DISK_RESERVE_MB: '-1' }), /RESERVE_MB/);
    assert.throws(
      () => recordingLimitsFromEnv({ VISTTER_DISK_RESERVE_MB: '900', VISTTER_DISK_WARN_MB: '100' }),
      /must not be below/,
    );
  });

  it('the disk judged: ok, low below the warning level, full below the reserve', () => {
    const judge = (freeBytes: number) =>
      judgeDiskSpace({ path: '/data', totalBytes: 32 * GB, freeBytes }, defaults);
    assert.equal(judge(10 * GB).level, 'ok');
    assert.equal(judge(3 * GB).level, 'ok');
    assert.equal(judge(2_900_000_000).level, 'low');
    assert.equal(judge(990_000_000).level, 'full');
    assert.equal(judge(990_000_000).words, '990 MB free of 32 GB on the data disk');
  });

  it('sizes in words', () => {
    assert.deepEqual([812_000_000, 6_400_000_000, 32 * GB, 3_200_000, 0].map(formatBytes), [
      '812 MB',
      '6.4 GB',
      '32 GB',
      '3.2 MB',
      '0.0 MB',
    ]);
  });
});
