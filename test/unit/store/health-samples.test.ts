// The health graphs' table on a real SQLite file: samples read back as written (gap markers
// too), a day kept and older rows pruned as new ones arrive, the row count capped, and the rows
// still there after the appliance reopens the same file.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { HEALTH_HISTORY_RETENTION_MS } from '../../../src/domain/health-history.ts';
import { openDatabase, migrate } from '../../../src/store/database.ts';
import {
  HealthSampleRepository,
  type HealthSampleRecord,
} from '../../../src/store/repositories/health-samples.ts';
import { openStore } from '../../../src/store/store.ts';
import { tempDir } from '../../helpers/temp.ts';

const T0 = Date.parse('2026-12-06T12:00:00Z');
const sample = (at: number, fields: Partial<HealthSampleRecord> = {}): HealthSampleRecord => ({
  at,
  onAir: true,
  executionId: 3,
  bitrateKbps: 2480.5,
  fps: 29.97,
  droppedFrames: 2,
  systemCpuPercent: 61.5,
  reconnects: 1,
  ...fields,
});
const gap = (at: number): HealthSampleRecord => ({
  at,
  onAir: false,
  executionId: null,
  bitrateKbps: null,
  fps: null,
  droppedFrames: null,
  systemCpuPercent: null,
  reconnects: null,
});

describe('health sample repository (SQLite file)', () => {
  const dir = tempDir();
  after(() => dir.cleanup());
  const key = randomBytes(32);

  it('reads back what was written, within (from, to], oldest first', () => {
    const store = openStore({ dataDir: dir.path, dbPath: `${dir.path}/window.db`, secretKey: key });
    try {
      store.healthSamples.insert(sample(T0 + 20_000, { fps: 25 }));
      store.healthSamples.insert(sample(T0 + 10_000));
      store.healthSamples.insert(gap(T0 + 30_000));
      store.healthSamples.insert(sample(T0, { fps: 1 }));
      assert.deepEqual(store.healthSamples.between(T0, T0 + 30_000), [
        sample(T0 + 10_000),
        sample(T0 + 20_000, { fps: 25 }),
        gap(T0 + 30_000),
      ]);
      store.healthSamples.insert(sample(T0 + 10_000, { fps: 12 }));
      assert.equal(store.healthSamples.between(T0, T0 + 10_000)[0]!.fps, 12, 'the same instant is replaced');
      assert.equal(store.healthSamples.count(), 4);
    } finally {
      store.close();
    }
  });

  it('keeps a day: each insert prunes the rows older than 24 h before it', () => {
    const store = openStore({ dataDir: dir.path, dbPath: `${dir.path}/prune.db`, secretKey: key });
    try {
      const day = HEALTH_HISTORY_RETENTION_MS;
      store.healthSamples.insert(sample(T0));
      store.healthSamples.insert(sample(T0 + 60_000));
      store.healthSamples.insert(sample(T0 + day));
      assert.deepEqual(
        store.healthSamples.between(0, Number.MAX_SAFE_INTEGER).map((s) => s.at),
        [T0, T0 + 60_000, T0 + day],
        'exactly 24 h old is still kept',
      );
      store.healthSamples.insert(sample(T0 + day + 30_000));
      assert.deepEqual(
        store.healthSamples.between(0, Number.MAX_SAFE_INTEGER).map((s) => s.at),
        [T0 + 60_000, T0 + day, T0 + day + 30_000],
      );
    } finally {
      store.close();
    }
  });

  it('caps the rows, dropping the oldest (samples closer together than 10 s, a clock gone wrong)', () => {
    const path = `${dir.path}/cap.db`;
    const db = openDatabase(path);
    migrate(db);
    try {
      const samples = new HealthSampleRepository(db, {
        retentionMs: HEALTH_HISTORY_RETENTION_MS,
        maxRows: 50,
      });
      for (let i = 0; i < 120; i++) samples.insert(sample(T0 + i * 1000));
      assert.equal(samples.count(), 50);
      const kept = samples.between(0, Number.MAX_SAFE_INTEGER).map((s) => s.at);
      assert.equal(kept[0], T0 + 70_000, 'the newest 50 stay');
      assert.equal(kept.at(-1), T0 + 119_000);
    } finally {
      db.close();
    }
  });

  it('keeps the samples when the appliance reopens the same file', () => {
    const dataDir = `${dir.path}/appliance`;
    const first = openStore({ dataDir, secretKey: key });
    for (let i = 1; i <= 6; i++) first.healthSamples.insert(sample(T0 + i * 10_000, { droppedFrames: i }));
    first.healthSamples.insert(gap(T0 + 70_000));
    first.close();
    const second = openStore({ dataDir, secretKey: key });
    try {
      const back = second.healthSamples.between(T0, T0 + 3_600_000);
      assert.equal(back.length, 7);
      assert.deepEqual(
        back.map((s) => s.droppedFrames),
        [1, 2, 3, 4, 5, 6, null],
      );
      assert.equal(back.at(-1)!.onAir, false);
    } finally {
      second.close();
    }
  });
});
