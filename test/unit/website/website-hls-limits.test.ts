// The player's viewers at a time (src/website/hls-limits.ts) on a fake clock: a place is held
// while its client keeps asking, given up after VIEWER_IDLE_MS of silence, and never more than max.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VIEWER_IDLE_MS, ViewerPlaces } from '../../../src/website/hls-limits.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

describe('player viewers at a time', () => {
  it('holds a place per client while it keeps asking; one more is refused until a place is left', () => {
    const clock = new FakeClock();
    const places = new ViewerPlaces(clock);
    assert.equal(places.admit('a', 2), true);
    assert.equal(places.admit('b', 2), true);
    assert.equal(places.admit('a', 2), true, 'a viewer already in stays in');
    assert.equal(places.admit('c', 2), false, 'full');
    assert.equal(places.count(), 2);
    // a keeps playing, b goes quiet.
    for (let t = 0; t < VIEWER_IDLE_MS; t += 2000) {
      clock.advance(2000);
      assert.equal(places.admit('a', 2), true);
    }
    assert.equal(places.admit('c', 2), true, 'b’s place is free after its silence');
    assert.equal(places.admit('b', 2), false, 'and b, back, finds it full');
    assert.equal(places.admit('b', 3), true, 'a larger max applies at once');
  });
});
