// The health graphs' accumulation and its timer, on a fake clock: 10 s buckets on wall-clock
// boundaries, means of the levels, counters as growth within the bucket (a new show counts from
// 0), one gap marker where a show went off air, and nothing stored while none is on air.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { HealthAccumulator, type HealthReading } from '../../../src/health/history.ts';
import { HealthSampler } from '../../../src/health/history-sampler.ts';
import type { HealthSampleRecord } from '../../../src/store/repositories/health-samples.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const reading = (fields: Partial<HealthReading> = {}): HealthReading => ({
  executionId: 7,
  bitrateKbps: 2500,
  fps: 30,
  droppedFramesTotal: 0,
  systemCpuPercent: 40,
  reconnectsTotal: 0,
  ...fields,
});

describe('health accumulator (pure)', () => {
  it('averages the levels and counts what the counters grew by within the bucket', () => {
    const acc = new HealthAccumulator();
    acc.observe(reading({ bitrateKbps: 2000, fps: 30, systemCpuPercent: 30, droppedFramesTotal: 5 }));
    acc.observe(reading({ bitrateKbps: 3000, fps: 28, systemCpuPercent: 50, droppedFramesTotal: 9 }));
    acc.observe(reading({ bitrateKbps: null, fps: 29, systemCpuPercent: null, droppedFramesTotal: 12 }));
    const first = acc.close(10_000);
    assert.deepEqual(first, {
      at: 10_000,
      onAir: true,
      executionId: 7,
      bitrateKbps: 2500,
      fps: 29,
      // The show ran before the first reading: what it dropped before that is not these 10 s.
      droppedFrames: 7,
      systemCpuPercent: 40,
      reconnects: 0,
    });
    acc.observe(reading({ droppedFramesTotal: 12, reconnectsTotal: 2 }));
    acc.observe(reading({ droppedFramesTotal: 20, reconnectsTotal: 3 }));
    const second = acc.close(20_000);
    assert.equal(second?.droppedFrames, 8, 'from 12 at the end of the last bucket to 20');
    assert.equal(second?.reconnects, 3);
  });

  it('counts a later show from 0 and a counter that went down as reset', () => {
    const acc = new HealthAccumulator();
    acc.observe(reading({ executionId: 1, droppedFramesTotal: 100 }));
    acc.close(10_000);
    acc.observe(reading({ executionId: 2, droppedFramesTotal: 4, reconnectsTotal: 1 }));
    const next = acc.close(20_000);
    assert.equal(next?.executionId, 2);
    assert.equal(next?.droppedFrames, 4, 'the new show started within these 10 s');
    assert.equal(next?.reconnects, 1);
    acc.observe(reading({ executionId: 2, droppedFramesTotal: 3 }));
    assert.equal(acc.close(30_000)?.droppedFrames, 3, 'a counter reset (4 → 3) grew from 0');
  });

  it('leaves one gap marker where a show went off air, then nothing until one is on air', () => {
    const acc = new HealthAccumulator();
    assert.equal(acc.close(10_000), null, 'nothing on air, nothing before: nothing to keep');
    acc.observe(reading());
    assert.equal(acc.close(20_000)?.onAir, true);
    acc.observe(null);
    assert.deepEqual(acc.close(30_000), {
      at: 30_000,
      onAir: false,
      executionId: null,
      bitrateKbps: null,
      fps: null,
      droppedFrames: null,
      systemCpuPercent: null,
      reconnects: null,
    });
    assert.equal(acc.close(40_000), null);
    assert.equal(acc.close(50_000), null);
    acc.observe(reading({ fps: 25 }));
    assert.equal(acc.close(60_000)?.fps, 25);
  });

  it('answers null for a level no reading had, never zero', () => {
    const acc = new HealthAccumulator();
    acc.observe(reading({ bitrateKbps: null, fps: null, systemCpuPercent: null }));
    const sample = acc.close(10_000);
    assert.equal(sample?.bitrateKbps, null);
    assert.equal(sample?.fps, null);
    assert.equal(sample?.systemCpuPercent, null);
    assert.equal(sample?.onAir, true);
  });
});

describe('health sampler (fake clock)', () => {
  // 2026-01-01T00:00:03Z: the first 10 s bucket is partial (7 s).
  const start = Date.UTC(2026, 0, 1, 0, 0, 3);
  const rig = (read: () => HealthReading | null, save?: (sample: HealthSampleRecord) => void) => {
    const clock = new FakeClock(start);
    const saved: HealthSampleRecord[] = [];
    const lines: string[] = [];
    const sampler = new HealthSampler({
      clock,
      read,
      save: save ?? ((sample) => saved.push(sample)),
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }),
    });
    return { clock, saved, lines, sampler };
  };

  it('stores one sample per 10 s of the wall clock, read about once a second', () => {
    let reads = 0;
    let dropped = 0;
    const { clock, saved, sampler } = rig(() => {
      reads++;
      dropped += 2;
      return reading({ droppedFramesTotal: dropped, bitrateKbps: 1000 + reads });
    });
    sampler.start();
    clock.advance(36_500); // to 00:00:39.5
    assert.deepEqual(
      saved.map((sample) => new Date(sample.at).toISOString()),
      ['2026-01-01T00:00:10.000Z', '2026-01-01T00:00:20.000Z', '2026-01-01T00:00:30.000Z'],
      'buckets end on 10 s boundaries of the wall clock',
    );
    // Reads at :03…:09 (7), then :10…:19 (10), :20…:29 (10) and :30…:39 (10, not yet stored).
    assert.equal(saved[0]!.droppedFrames, 12, 'the first reading is the baseline: 6 more reads × 2');
    assert.equal(saved[1]!.droppedFrames, 20, '10 reads × 2');
    assert.equal(saved[2]!.droppedFrames, 20);
    assert.equal(saved[1]!.bitrateKbps, 1000 + 12.5, 'the mean of reads 8…17');
    assert.equal(reads, 37, 'one read a second, from :03 to :39');
  });

  it('stores nothing while no show is on air, and one gap marker after a show', () => {
    let onAir = true;
    const { clock, saved, sampler } = rig(() => (onAir ? reading() : null));
    sampler.start();
    clock.advance(17_000); // 00:00:20: the :10 and :20 samples stored, one read in :20–:30
    onAir = false;
    clock.advance(60_000);
    assert.deepEqual(
      saved.map((sample) => [new Date(sample.at).toISOString().slice(11, 19), sample.onAir]),
      [
        ['00:00:10', true],
        ['00:00:20', true],
        ['00:00:30', true], // its one read (at :20) was taken before the show went off
        ['00:00:40', false],
      ],
    );
  });

  it('leaves a stalled interval out (a gap), and stops on stop()', () => {
    const { clock, saved, sampler } = rig(() => reading());
    sampler.start();
    clock.advance(10_000); // 00:00:13
    clock.stall(25_000); // the event loop hangs until 00:00:38
    clock.advance(1_000);
    assert.deepEqual(
      saved.map((sample) => new Date(sample.at).toISOString().slice(11, 19)),
      ['00:00:10', '00:00:20'],
      'the interval the loop hung in (:20–:30) has no sample',
    );
    sampler.stop();
    assert.equal(clock.pendingTimers(), 0);
    clock.advance(60_000);
    assert.equal(saved.length, 2);
  });

  it('keeps sampling when the database refuses a sample or the show cannot be read', () => {
    let failSave = true;
    let failRead = false;
    const saved: HealthSampleRecord[] = [];
    const { clock, lines, sampler } = rig(
      () => {
        if (failRead) throw new Error('engine gone');
        return reading();
      },
      (sample) => {
        if (failSave) throw new Error('SQLITE_FULL');
        saved.push(sample);
      },
    );
    sampler.start();
    clock.advance(10_000);
    assert.equal(saved.length, 0);
    assert.ok(lines.some((line) => line.includes('could not be stored')));
    failSave = false;
    failRead = true;
    clock.advance(10_000);
    assert.equal(saved.length, 1, 'the :20 sample (read before the reads failed) is stored');
    clock.advance(10_000);
    assert.equal(saved.at(-1)!.onAir, false, 'a show that cannot be read is no show: a gap');
    assert.equal(lines.filter((line) => line.includes('reading the show failed')).length, 1, 'logged once');
  });
});
