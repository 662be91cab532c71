// The password-guessing limits on their own, with a fake clock: reservations before the hash,
// locks that double, the global back-off that never holds up a fresh address, bounded memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AttemptLimiter,
  clientKey,
  SIGN_IN_POLICY,
  type Admission,
  type Attempt,
} from '../../../src/api/auth/login-limiter.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

function admitted(admission: Admission): Attempt {
  assert.equal(admission.admitted, true, 'expected the attempt to be let in');
  return (admission as { attempt: Attempt }).attempt;
}

function refusedFor(admission: Admission): number {
  assert.equal(admission.admitted, false, 'expected the attempt to be refused');
  return (admission as { retryAfterSeconds: number }).retryAfterSeconds;
}

/** `count` wrong passwords from `key`, each let in. */
function fail(limiter: AttemptLimiter, key: string, count = 1): void {
  for (let i = 0; i < count; i++) admitted(limiter.admit(key)).failed();
}

describe('AttemptLimiter', () => {
  it('counts an attempt when it starts: five in flight at once, the sixth is refused', () => {
    const limiter = new AttemptLimiter(new FakeClock());
    const inFlight = Array.from({ length: 5 }, () => admitted(limiter.admit('10.0.0.1')));
    assert.equal(refusedFor(limiter.admit('10.0.0.1')), 60);
    for (const attempt of inFlight) attempt.failed();
    assert.equal(refusedFor(limiter.admit('10.0.0.1')), 60);
    admitted(limiter.admit('10.0.0.2'));
  });

  it('a right password frees the address, including attempts still in flight', () => {
    const limiter = new AttemptLimiter(new FakeClock());
    fail(limiter, '10.0.0.1', 3);
    const slow = admitted(limiter.admit('10.0.0.1'));
    admitted(limiter.admit('10.0.0.1')).succeeded();
    for (let i = 0; i < 5; i++) admitted(limiter.admit('10.0.0.1')).succeeded();
    slow.failed(); // its failure still counts once it ends
    fail(limiter, '10.0.0.1', 4);
    refusedFor(limiter.admit('10.0.0.1'));
  });

  it('an address that runs out again waits twice as long each time, up to an hour', () => {
    const clock = new FakeClock();
    const limiter = new AttemptLimiter(clock);
    const waits: number[] = [];
    for (let round = 0; round < 9; round++) {
      fail(limiter, '10.0.0.1', 5);
      const wait = refusedFor(limiter.admit('10.0.0.1'));
      waits.push(wait);
      clock.advance(wait * 1000 - 1);
      refusedFor(limiter.admit('10.0.0.1'));
      clock.advance(1);
    }
    assert.deepEqual(waits, [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    // An hour without a failure: the next lock is a single window again.
    clock.advance(60 * 60_000);
    fail(limiter, '10.0.0.1', 5);
    assert.equal(refusedFor(limiter.admit('10.0.0.1')), 60);
  });

  it('global back-off: under spread-out guessing a failed address gets one try, a fresh one always gets in', () => {
    const clock = new FakeClock();
    const limiter = new AttemptLimiter(clock);
    for (let i = 0; i < SIGN_IN_POLICY.globalFailures - 1; i++) fail(limiter, `10.1.${i >> 8}.${i & 255}`);
    assert.equal(limiter.underAttack(), false);
    // Not yet: an address with one failure still has four attempts.
    admitted(limiter.admit('10.1.0.0')).succeeded();
    fail(limiter, '10.2.0.1');
    assert.equal(limiter.underAttack(), true);

    // 10.2.0.1 failed once: refused now, where it would have had four more tries before.
    assert.equal(refusedFor(limiter.admit('10.2.0.1')), 60);
    // A fresh address: the admin's right password goes through.
    admitted(limiter.admit('192.168.1.20')).succeeded();
    // Each failure under attack locks its address at once (and the locks double).
    fail(limiter, '10.3.0.1');
    assert.equal(refusedFor(limiter.admit('10.3.0.1')), 60);
    clock.advance(60_000);
    fail(limiter, '10.3.0.1');
    assert.equal(refusedFor(limiter.admit('10.3.0.1')), 120);

    // Ten quiet minutes: the back-off ends and failed addresses get five tries a minute again.
    clock.advance(10 * 60_000);
    assert.equal(limiter.underAttack(), false);
    fail(limiter, '10.2.0.1', 4);
    admitted(limiter.admit('10.2.0.1')).succeeded();
  });

  it('after 1000 failures from many addresses, every fresh address is still let in', () => {
    const clock = new FakeClock();
    const limiter = new AttemptLimiter(clock);
    for (let i = 0; i < 1000; i++) {
      const admission = limiter.admit(`172.16.${i % 200}.1`);
      if (admission.admitted) admission.attempt.failed();
      clock.advance(250);
    }
    assert.equal(limiter.underAttack(), true);
    for (let i = 0; i < 50; i++) admitted(limiter.admit(`192.168.7.${i}`)).succeeded();
  });

  it('remembers a bounded number of addresses (the oldest are forgotten)', () => {
    const limiter = new AttemptLimiter(new FakeClock(), { ...SIGN_IN_POLICY, maxAddresses: 3 });
    fail(limiter, 'a', 5);
    refusedFor(limiter.admit('a'));
    for (const key of ['b', 'c', 'd']) fail(limiter, key);
    admitted(limiter.admit('a'));
    // The newest are still counted.
    fail(limiter, 'd', 4);
    refusedFor(limiter.admit('d'));
  });
});

describe('clientKey', () => {
  it('counts IPv4 by address and IPv6 by its /64', () => {
    assert.equal(clientKey('192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:0db8:0001:0002:ffff:1:2:3'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('not an address'), 'not an address');
  });
});
