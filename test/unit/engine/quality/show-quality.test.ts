// Degraded mode applied to one show (src/engine/quality/show-quality.ts): the ladders from the
// operator's settings, the start level within them, a pin, and "off" holding the start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBitrateLadder, buildLadder } from '../../../../src/engine/quality/ladder.ts';
import { planShowQuality, type QualityCeiling } from '../../../../src/engine/quality/show-quality.ts';

const CEILING: QualityCeiling = {
  width: 1920,
  height: 1080,
  fps: 30,
  preset: 'veryfast',
  bitrateKbps: 4500,
  encoder: 'libx264',
};
const LADDER = buildLadder(
  { preset: 'veryfast', fps: 30, width: 1920, height: 1080 },
  { encoder: 'libx264' },
);

describe('planShowQuality', () => {
  it('starts at the operator settings by default, with both ladders from them', () => {
    const plan = planShowQuality(CEILING);
    assert.deepEqual(plan.policy.ladder, LADDER);
    assert.deepEqual(plan.policy.bitrateLadderKbps, buildBitrateLadder(4500));
    assert.equal(plan.policy.startLevel, 0);
    assert.equal(plan.policy.pinnedLevel, null);
    assert.deepEqual(plan.firstLevel, LADDER[0]);
    assert.equal(plan.showWarning, false);
  });

  it('starts where the capacity check says (never below the floor), or at a pinned level', () => {
    assert.ok(LADDER.length > 2);
    const low = planShowQuality(CEILING, { startLevel: 2 });
    assert.deepEqual([low.policy.startLevel, low.firstLevel], [2, LADDER[2]]);
    const past = planShowQuality(CEILING, { startLevel: 99 });
    assert.equal(past.policy.startLevel, LADDER.length - 1);
    const pinned = planShowQuality(CEILING, { startLevel: 2, pinnedLevel: 1 });
    assert.deepEqual([pinned.policy.pinnedLevel, pinned.firstLevel], [1, LADDER[1]]);
  });

  it('degraded mode off holds the start level; the floor and the notice are passed on', () => {
    const off = planShowQuality(CEILING, {
      startLevel: 1,
      enabled: false,
      showWarning: true,
      minHeight: 720,
    });
    assert.equal(off.policy.pinnedLevel, 1);
    assert.equal(off.showWarning, true);
    assert.ok(off.policy.ladder.every((level) => level.height >= 720));
    assert.ok(
      !('minHeight' in off.policy) && !('enabled' in off.policy),
      'show options are not policy options',
    );
  });
});
