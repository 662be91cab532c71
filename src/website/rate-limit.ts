// Per-client request counting for the public routes: a fixed one-minute window per client address.
// Bounded: windows that have ended are dropped once the table grows, so a flood of addresses cannot
// grow it without limit (at worst MAX_CLIENTS live windows are kept; past that a stranger shares
// one overflow window, which only ever limits more, never less).
import type { Clock } from '../core/clock.ts';

const WINDOW_MS = 60_000;
const MAX_CLIENTS = 10_000;
const OVERFLOW = '\u0000overflow';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterS: number };

export class ClientRateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();
  private lastPruneMs = -Infinity;

  constructor(private readonly clock: Clock) {}

  /** Counts one request of `client` against `perMinute`. */
  take(client: string, perMinute: number): RateDecision {
    const now = this.clock.now();
    let key = client;
    let window = this.windows.get(key);
    if (window && now - window.startMs >= WINDOW_MS) window = undefined;
    if (!window) {
      if (this.windows.size >= MAX_CLIENTS) this.prune(now);
      if (this.windows.size >= MAX_CLIENTS) key = OVERFLOW;
      window = this.windows.get(key);
      if (!window || now - window.startMs >= WINDOW_MS) {
        window = { startMs: now, count: 0 };
        this.windows.set(key, window);
      }
    }
    if (window.count >= perMinute)
      return {
        allowed: false,
        retryAfterS: Math.max(1, Math.ceil((window.startMs + WINDOW_MS - now) / 1000)),
      };
    window.count += 1;
    return { allowed: true };
  }

  /** Clients with a window open (tests, metrics). */
  size(): number {
    return this.windows.size;
  }

  /** At most once a second: under a flood every new address would otherwise walk the table. */
  private prune(now: number): void {
    if (now - this.lastPruneMs < 1000) return;
    this.lastPruneMs = now;
    for (const [client, window] of this.windows)
      if (now - window.startMs >= WINDOW_MS) this.windows.delete(client);
  }
}
