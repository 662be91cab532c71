// Time is injected: everything that waits or measures time takes a Clock, so tests drive it
// with a fake one instead of sleeping. Real-time pacing lives only in SystemClock.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds (never jumps with wall-clock changes). */
  now(): number;
  /** Wall-clock milliseconds since the epoch (for logs, schedules, database rows). */
  wallNow(): number;
  /** Runs fn once after ms milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(timer) };
  },
};
