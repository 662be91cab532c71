// The snapshot collector with a fake clock: one JPEG each interval while a picture is on air, the
// day's folder changing at local midnight (the appliance's zone, not UTC), numbering continued
// from what a folder holds, a snapshot skipped (never queued) while the last one is being made,
// and nothing while off, off air or outside the chosen hours.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { DEFAULT_TIMELAPSE_SETTINGS, type TimelapseSettings } from '../../../src/domain/timelapse.ts';
import type { ProgramPicture } from '../../../src/engine/index.ts';
import {
  SnapshotCollector,
  localDay,
  nextFrameNumber,
  withinHours,
} from '../../../src/timelapse/collector.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';

const ZONE = 'America/New_York';
const PICTURE = { width: 4, height: 2, data: new Uint8Array(12) } as unknown as ProgramPicture;

/** Lets the collector's awaits (fake JPEG, real file writes) finish. */
async function drain(collector: SnapshotCollector): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    await collector.idle();
  }
}

function rig(settings: Partial<TimelapseSettings>, options: { wallStart: number; onAir?: () => boolean }) {
  const dir = tempDir('vistter-timelapse-collector-');
  const clock = new FakeClock(options.wallStart);
  const made: string[] = [];
  let release: (() => void) | null = null;
  let hold = false;
  const collector = new SnapshotCollector({
    dataDir: dir.path,
    clock,
    logger: createLogger('test'),
    timeZone: () => ZONE,
    settings: () => ({ ...DEFAULT_TIMELAPSE_SETTINGS, enabled: true, ...settings }),
    picture: () => ((options.onAir?.() ?? true) ? PICTURE : null),
    toJpeg: async (_picture, size) => {
      made.push(`${size.width}x${size.height}`);
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      return Buffer.from('jpeg');
    },
  });
  return {
    dir,
    clock,
    collector,
    made,
    holdNext: () => (hold = true),
    releaseHeld: () => {
      hold = false;
      release?.();
    },
    files: (day: string) => {
      try {
        return readdirSync(join(dir.path, 'timelapse', day)).sort();
      } catch {
        return [];
      }
    },
  };
}

describe('time-lapse snapshot collector', () => {
  it('takes one snapshot each interval, at the chosen size, numbered without gaps', async () => {
    // 2026-06-10 12:00 in New York (EDT, UTC−4).
    const r = rig({ interval_seconds: 10, size: '640x360' }, { wallStart: Date.UTC(2026, 5, 10, 16, 0, 0) });
    r.collector.start();
    for (let i = 0; i < 5; i++) {
      r.clock.advance(10_000);
      await drain(r.collector);
    }
    r.clock.advance(9_999);
    await drain(r.collector);
    r.collector.stop();
    assert.deepEqual(r.files('2026-06-10'), [
      '000000.jpg',
      '000001.jpg',
      '000002.jpg',
      '000003.jpg',
      '000004.jpg',
    ]);
    assert.deepEqual(new Set(r.made), new Set(['640x360']));
    assert.equal(r.collector.status().frames, 5);
    r.dir.cleanup();
  });

  it('starts a new day folder at local midnight, not at UTC midnight', async () => {
    // 23:59:40 on 2026-01-14 in New York (EST, UTC−5) is 04:59:40 UTC on the 15th.
    const r = rig({ interval_seconds: 10 }, { wallStart: Date.UTC(2026, 0, 15, 4, 59, 40) });
    r.collector.start();
    for (let i = 0; i < 4; i++) {
      r.clock.advance(10_000);
      await drain(r.collector);
    }
    r.collector.stop();
    // Snapshots at 23:59:50 (the 14th), then 00:00:00, 00:00:10 and 00:00:20 (the 15th).
    assert.deepEqual(r.files('2026-01-14'), ['000000.jpg']);
    assert.deepEqual(r.files('2026-01-15'), ['000000.jpg', '000001.jpg', '000002.jpg']);
    r.dir.cleanup();
  });

  it('skips a snapshot while the last one is still being made, and does not queue it', async () => {
    const r = rig({ interval_seconds: 10 }, { wallStart: Date.UTC(2026, 5, 10, 16, 0, 0) });
    r.collector.start();
    r.holdNext();
    r.clock.advance(10_000); // the first one starts and hangs
    await new Promise((resolve) => setImmediate(resolve));
    r.clock.advance(10_000); // its successor's turn: skipped
    r.clock.advance(10_000); // and the next
    assert.equal(r.made.length, 1, 'no second JPEG is started while one is being made');
    r.releaseHeld();
    await drain(r.collector);
    r.clock.advance(10_000);
    await drain(r.collector);
    r.collector.stop();
    assert.equal(r.collector.status().skippedBusy, 2);
    assert.deepEqual(r.files('2026-06-10'), ['000000.jpg', '000001.jpg'], 'skipped turns are not made up');
    r.dir.cleanup();
  });

  it('continues a day’s numbering after a restart', async () => {
    const r = rig({ interval_seconds: 10 }, { wallStart: Date.UTC(2026, 5, 10, 16, 0, 0) });
    const folder = join(r.dir.path, 'timelapse', '2026-06-10');
    mkdirSync(folder, { recursive: true });
    for (const name of ['000000.jpg', '000001.jpg', '000002.jpg', '.000003.jpg.tmp'])
      writeFileSync(join(folder, name), 'x');
    r.collector.start();
    r.clock.advance(10_000);
    await drain(r.collector);
    r.collector.stop();
    assert.ok(r.files('2026-06-10').includes('000003.jpg'));
    r.dir.cleanup();
  });

  it('takes nothing while off air, while off, or outside the chosen hours', async () => {
    let onAir = false;
    const r = rig(
      { interval_seconds: 10, hours: { from: '07:00', to: '19:00' } },
      { wallStart: Date.UTC(2026, 5, 10, 10, 59, 55), onAir: () => onAir }, // 06:59:55 EDT
    );
    r.collector.start();
    r.clock.advance(10_000); // 07:00:05, but off air
    await drain(r.collector);
    assert.equal(r.made.length, 0);
    onAir = true;
    r.clock.advance(10_000); // 07:00:15, on air: taken
    await drain(r.collector);
    assert.equal(r.made.length, 1);
    r.clock.advance(12 * 3600_000); // past 19:00: none taken after it
    await drain(r.collector);
    const taken = r.made.length;
    r.clock.advance(60_000);
    await drain(r.collector);
    r.collector.stop();
    assert.equal(r.made.length, taken, 'none after 19:00');

    const off = rig({ enabled: false }, { wallStart: Date.UTC(2026, 5, 10, 16, 0, 0) });
    off.collector.start();
    off.clock.advance(600_000);
    await drain(off.collector);
    off.collector.stop();
    assert.equal(off.made.length, 0);
    r.dir.cleanup();
    off.dir.cleanup();
  });

  it('pure helpers: local day, hours across midnight, next frame number', () => {
    assert.equal(localDay('Europe/London', Date.UTC(2026, 2, 29, 23, 30)), '2026-03-30'); // BST
    assert.equal(localDay('UTC', Date.UTC(2026, 2, 29, 23, 30)), '2026-03-29');
    const night = { from: '22:00', to: '06:00' };
    assert.equal(withinHours(night, 'UTC', Date.UTC(2026, 0, 1, 23, 0)), true);
    assert.equal(withinHours(night, 'UTC', Date.UTC(2026, 0, 1, 5, 59)), true);
    assert.equal(withinHours(night, 'UTC', Date.UTC(2026, 0, 1, 6, 0)), false);
    assert.equal(withinHours(null, 'UTC', 0), true);
    assert.equal(nextFrameNumber([]), 0);
    assert.equal(nextFrameNumber(['000007.jpg', '000002.jpg', 'notes.txt', '.000009.jpg.tmp']), 8);
  });
});
