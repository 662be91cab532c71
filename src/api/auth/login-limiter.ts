// Limits on password guessing (sign-in and the password change), pure but for the injected clock.
//
// - An attempt is reserved before the slow hash and counted as it starts, so requests sent in
//   parallel cannot all slip past the check: from one address at most `attemptsPerWindow`
//   attempts (in flight or failed) per window; a right password frees the address at once.
// - An address that uses up its attempts is locked: one window, then twice as long each time it
//   runs out again within `memoryMs` of its last lock (1, 2, 4 … 60 minutes).
// - Global back-off: when `globalFailures` wrong passwords arrived from all addresses together
//   within `globalWindowMs` (guessing spread over many addresses), an address that failed within
//   `memoryMs` gets one attempt per window instead of five. An address with no recent failure is
//   always let in, so the right password from a fresh address never waits. Nothing is keyed by
//   user name: that would let anyone lock the admin out.
// IPv6 clients count per /64 (one host usually holds a whole /64).
import type { Clock } from '../../core/clock.ts';

export interface LimitPolicy {
  attemptsPerWindow: number;
  windowMs: number;
  maxLockMs: number;
  memoryMs: number;
  globalFailures: number;
  globalWindowMs: number;
  /** Addresses remembered at most (the oldest are forgotten first). */
  maxAddresses: number;
}

export const SIGN_IN_POLICY: LimitPolicy = {
  attemptsPerWindow: 5,
  windowMs: 60_000,
  maxLockMs: 60 * 60_000,
  memoryMs: 60 * 60_000,
  globalFailures: 100,
  globalWindowMs: 10 * 60_000,
  maxAddresses: 10_000,
};

/** An admitted attempt: say how it ended (exactly once). */
export interface Attempt {
  succeeded(): void;
  failed(): void;
}

export type Admission = { admitted: true; attempt: Attempt } | { admitted: false; retryAfterSeconds: number };

interface Reservation {
  at: number;
}

interface KeyState {
  /** Attempts in flight or failed, oldest first (pruned to the window). */
  attempts: Reservation[];
  lockedUntil: number;
  /** Locks in a row (each doubles the next), forgotten after memoryMs without a failure or lock. */
  strikes: number;
  lastFailureAt: number | null;
}

export class AttemptLimiter {
  private readonly states = new Map<string, KeyState>();
  /** The latest failures from every key, at most policy.globalFailures of them. */
  private readonly recentFailures: number[] = [];
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly policy: LimitPolicy = SIGN_IN_POLICY,
  ) {}

  /** Reserves an attempt for `key` (an address from clientKey(), or a user), or says how long to wait. */
  admit(key: string): Admission {
    const now = this.clock.now();
    this.sweep(now);
    const state = this.states.get(key);
    if (state && state.lockedUntil > now) return this.refuse(state.lockedUntil - now);
    const budget = this.budgetFor(state, now);
    const recent = state ? this.inWindow(state, now) : [];
    if (recent.length >= budget) {
      const frees = (recent[recent.length - budget]?.at ?? now) + this.policy.windowMs;
      return this.refuse(frees - now);
    }
    const reservation: Reservation = { at: now };
    this.stateOf(key).attempts.push(reservation);
    let settled = false;
    const settle = (outcome: 'succeeded' | 'failed'): void => {
      if (settled) return;
      settled = true;
      if (outcome === 'succeeded') this.states.delete(key);
      else this.recordFailure(key, reservation);
    };
    return {
      admitted: true,
      attempt: { succeeded: () => settle('succeeded'), failed: () => settle('failed') },
    };
  }

  /** True while failures from everywhere are frequent enough to tighten failed addresses. */
  underAttack(now = this.clock.now()): boolean {
    const oldest = this.recentFailures[0];
    return (
      this.recentFailures.length >= this.policy.globalFailures &&
      oldest !== undefined &&
      now - oldest < this.policy.globalWindowMs
    );
  }

  private recordFailure(key: string, reservation: Reservation): void {
    const now = this.clock.now();
    // A right password from the same address may have cleared it meanwhile: count this one anew.
    const state = this.stateOf(key);
    if (!state.attempts.includes(reservation)) state.attempts.push(reservation);
    if (this.quietFor(state, now) >= this.policy.memoryMs) state.strikes = 0;
    state.lastFailureAt = now;
    this.recentFailures.push(now);
    if (this.recentFailures.length > this.policy.globalFailures) this.recentFailures.shift();
    // Attempts that were in flight together lock the address once, not once each.
    if (state.lockedUntil <= now && this.inWindow(state, now).length >= this.budgetFor(state, now)) {
      state.strikes += 1;
      const lock = Math.min(this.policy.windowMs * 2 ** (state.strikes - 1), this.policy.maxLockMs);
      state.lockedUntil = Math.max(state.lockedUntil, now + lock);
    }
  }

  private budgetFor(state: KeyState | undefined, now: number): number {
    const failedLately =
      state?.lastFailureAt !== null &&
      state?.lastFailureAt !== undefined &&
      now - state.lastFailureAt < this.policy.memoryMs;
    return failedLately && this.underAttack(now) ? 1 : this.policy.attemptsPerWindow;
  }

  private inWindow(state: KeyState, now: number): Reservation[] {
    state.attempts = state.attempts.filter((attempt) => now - attempt.at < this.policy.windowMs);
    return state.attempts;
  }

  private stateOf(key: string): KeyState {
    let state = this.states.get(key);
    if (!state) {
      state = { attempts: [], lockedUntil: 0, strikes: 0, lastFailureAt: null };
      this.states.set(key, state);
      // Bounded memory: a flood of addresses forgets the oldest (they start fresh again).
      for (const oldest of this.states.keys()) {
        if (this.states.size <= this.policy.maxAddresses) break;
        this.states.delete(oldest);
      }
    }
    return state;
  }

  /** Forgets addresses with nothing left to remember, at most once a window. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.policy.windowMs) return;
    this.lastSweep = now;
    for (const [key, state] of this.states) {
      if (this.inWindow(state, now).length === 0 && this.quietFor(state, now) >= this.policy.memoryMs)
        this.states.delete(key);
    }
  }

  /** Time since the key's last failure or the end of its lock, whichever is later. */
  private quietFor(state: KeyState, now: number): number {
    return now - Math.max(state.lastFailureAt ?? Number.NEGATIVE_INFINITY, state.lockedUntil);
  }

  private refuse(waitMs: number): Admission {
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}

/** The key an address is counted under: IPv4 as it is, IPv6 by its /64. */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (!ip.includes(':')) return ip;
  const hextets = expandIpv6(ip.split('%')[0] ?? ip);
  return hextets ? `${hextets.slice(0, 4).join(':')}::/64` : ip;
}

function expandIpv6(ip: string): string[] | null {
  const halves = ip.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string | undefined): string[] =>
    // A dotted IPv4 tail stands for two hextets (only the first four matter here).
    part ? part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])) : [];
  const left = parse(halves[0]);
  const right = parse(halves[1]);
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...right];
  if (!all.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return null;
  return all.map((group) => Number.parseInt(group, 16).toString(16));
}
