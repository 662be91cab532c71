// Sign-in rate limit: at most MAX_FAILURES wrong passwords per WINDOW from one address, and per
// user name from anywhere (a slow spread-out guess at one account). A success clears the address.
import type { Clock } from '../../core/clock.ts';

const MAX_FAILURES = 5;
const WINDOW_MS = 60_000;

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly maxFailures = MAX_FAILURES,
    private readonly windowMs = WINDOW_MS,
  ) {}

  /** Seconds to wait before another attempt is allowed, or 0. */
  retryAfterSeconds(ip: string, username: string): number {
    const now = this.clock.now();
    const waits = [this.keyFor('ip', ip), this.keyFor('user', username)].map((key) => {
      const recent = this.recent(key, now);
      if (recent.length < this.maxFailures) return 0;
      const oldest = recent[recent.length - this.maxFailures] ?? now;
      return oldest + this.windowMs - now;
    });
    return Math.ceil(Math.max(0, ...waits) / 1000);
  }

  recordFailure(ip: string, username: string): void {
    const now = this.clock.now();
    for (const key of [this.keyFor('ip', ip), this.keyFor('user', username)]) {
      this.failures.set(key, [...this.recent(key, now), now]);
    }
  }

  recordSuccess(ip: string): void {
    this.failures.delete(this.keyFor('ip', ip));
  }

  private keyFor(kind: 'ip' | 'user', value: string): string {
    return `${kind}:${kind === 'user' ? value.toLowerCase() : value}`;
  }

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }
}
