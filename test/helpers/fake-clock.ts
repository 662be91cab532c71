import type { Clock, TimerHandle } from '../../src/core/clock.ts';

/** A clock the test moves by hand: timers fire in order as `advance` passes them. */
export class FakeClock implements Clock {
  private monotonic = 0;
  private readonly wallOrigin: number;
  private nextId = 0;
  private timers: { id: number; at: number; fn: () => void }[] = [];

  constructor(wallStart = Date.UTC(2026, 0, 1)) {
    this.wallOrigin = wallStart;
  }

  now(): number {
    return this.monotonic;
  }

  wallNow(): number {
    return this.wallOrigin + this.monotonic;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, at: this.monotonic + Math.max(0, ms), fn });
    return { cancel: () => (this.timers = this.timers.filter((timer) => timer.id !== id)) };
  }

  /** Moves time forward without firing anything: a stalled event loop. The next advance() fires
   *  what fell due meanwhile, late. */
  stall(ms: number): void {
    this.monotonic += ms;
  }

  /** Moves time forward by ms, firing every timer that falls due (including ones they schedule). */
  advance(ms: number): void {
    const target = this.monotonic + ms;
    for (;;) {
      const due = this.timers
        .filter((timer) => timer.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer.id !== due.id);
      this.monotonic = Math.max(this.monotonic, due.at); // an overdue timer fires late, now
      due.fn();
    }
    this.monotonic = target;
  }

  pendingTimers(): number {
    return this.timers.length;
  }
}
