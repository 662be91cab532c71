// The live still the website outputs share: made at most once per interval whoever asks, the
// program's picture while on air and the "be right back" slate otherwise; the per-client limit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProgramPicture } from '../../../src/engine/index.ts';
import { pictureToJpeg } from '../../../src/preview/picture-jpeg.ts';
import { LIVE_STILL_QUALITY, LiveStill } from '../../../src/website/live-still.ts';
import { ClientRateLimiter } from '../../../src/website/rate-limit.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { colourDistance, isJpeg, lookAtJpeg, solidPicture } from '../../helpers/website-jpeg.ts';

const RED: [number, number, number] = [220, 30, 30];
const BLUE: [number, number, number] = [30, 40, 220];

function rig(intervalS = 10) {
  const clock = new FakeClock();
  let onAir: ProgramPicture | null = solidPicture(320, 180, RED);
  let size = { width: 160, height: 90 };
  const still = new LiveStill(
    {
      picture: () => (onAir ? { executionId: 1, picture: onAir } : null),
      config: () => ({ size, intervalS }),
    },
    clock,
    (picture, size) => pictureToJpeg(picture, size, LIVE_STILL_QUALITY),
  );
  return {
    clock,
    still,
    setProgram: (picture: ProgramPicture | null) => (onAir = picture),
    setSize: (next: { width: number; height: number }) => (size = next),
  };
}

describe('the website live still', () => {
  it('is a JPEG of the set size with the program’s colour', async () => {
    const { still } = rig();
    const current = await still.current();
    assert.ok(isJpeg(current.jpeg));
    assert.equal(current.onAir, true);
    const look = await lookAtJpeg(current.jpeg);
    assert.deepEqual([look.width, look.height], [160, 90]);
    assert.ok(colourDistance(look.mean, RED) < 25, `mean ${look.mean.join(',')}`);
  });

  it('is made once per interval: callers within it get the same bytes, even when the program changed', async () => {
    const { clock, still, setProgram } = rig(10);
    const [a, b] = await Promise.all([still.current(), still.current()]);
    assert.equal(a, b, 'callers arriving together share one encoding');
    setProgram(solidPicture(320, 180, BLUE));
    clock.advance(9_000);
    const c = await still.current();
    assert.equal(c.etag, a.etag);
    assert.equal(still.madeCount(), 1);
    clock.advance(1_000);
    const d = await still.current();
    assert.notEqual(d.etag, a.etag);
    assert.equal(still.madeCount(), 2);
    assert.ok(colourDistance((await lookAtJpeg(d.jpeg)).mean, BLUE) < 25);
  });

  it('is the "be right back" slate while nothing is on air, and follows a size change at once', async () => {
    const { clock, still, setProgram, setSize } = rig(10);
    setProgram(null);
    const slate = await still.current();
    assert.equal(slate.onAir, false);
    const look = await lookAtJpeg(slate.jpeg);
    assert.ok(colourDistance(look.mean, RED) > 100, 'not the last picture');
    setSize({ width: 320, height: 180 });
    const bigger = await still.current();
    assert.deepEqual([(await lookAtJpeg(bigger.jpeg)).width, bigger.size.height], [320, 180]);
    clock.advance(10_000);
    assert.equal((await still.current()).etag, bigger.etag, 'the same slate keeps its validator');
  });
});

describe('the per-client limit', () => {
  it('allows the set number a minute per client, then says how long to wait', () => {
    const clock = new FakeClock();
    const limiter = new ClientRateLimiter(clock);
    for (let i = 0; i < 3; i++) assert.deepEqual(limiter.take('198.51.100.7', 3), { allowed: true });
    clock.advance(20_000);
    assert.deepEqual(limiter.take('198.51.100.7', 3), { allowed: false, retryAfterS: 40 });
    assert.deepEqual(limiter.take('198.51.100.8', 3), { allowed: true }, 'another client has its own count');
    clock.advance(40_000);
    assert.deepEqual(limiter.take('198.51.100.7', 3), { allowed: true }, 'a new minute');
  });

  it('keeps its table bounded under a flood of addresses', () => {
    const clock = new FakeClock();
    const limiter = new ClientRateLimiter(clock);
    for (let i = 0; i < 10_500; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`, 5);
    assert.ok(limiter.size() <= 10_001, `${limiter.size()} windows`);
    clock.advance(61_000);
    limiter.take('10.9.9.9', 5);
    assert.ok(limiter.size() < 10, 'ended windows are dropped');
  });
});
