// Capped exponential backoff with jitter (DESIGN.md §3.4). Pure: the random source is injected.

export interface BackoffOptions {
  /** Delay before the first retry, in ms. Default 2000. */
  baseMs?: number;
  /** Growth per attempt (>= 1). Default 2. */
  factor?: number;
  /** Upper bound of the un-jittered delay, in ms. Default 60000. */
  capMs?: number;
  /** Relative jitter in [0, 1]: the delay is spread uniformly over ±jitter of its value. Default 0.2. */
  jitter?: number;
}

export const DEFAULT_BACKOFF: Readonly<Required<BackoffOptions>> = Object.freeze({
  baseMs: 2000,
  factor: 2,
  capMs: 60_000,
  jitter: 0.2,
});

/** Fills in defaults and rejects nonsense, so a bad config fails at construction, not at 3 a.m. */
export function resolveBackoff(options: BackoffOptions = {}): Required<BackoffOptions> {
  const resolved = { ...DEFAULT_BACKOFF, ...stripUndefined(options) };
  const { baseMs, factor, capMs, jitter } = resolved;
  if (!Number.isFinite(baseMs) || baseMs < 0)
    throw new RangeError(`backoff baseMs must be >= 0, got ${baseMs}`);
  if (!Number.isFinite(factor) || factor < 1)
    throw new RangeError(`backoff factor must be >= 1, got ${factor}`);
  if (!Number.isFinite(capMs) || capMs < baseMs) {
    throw new RangeError(`backoff capMs must be >= baseMs (${baseMs}), got ${capMs}`);
  }
  if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1) {
    throw new RangeError(`backoff jitter must be within [0, 1], got ${jitter}`);
  }
  return resolved;
}

/**
 * Delay in ms before retry number `attempt` (1 = first retry): min(base · factor^(attempt-1), cap),
 * then spread by ±jitter using `random()` in [0, 1) (0.5 gives the exact un-jittered value).
 * With the defaults: 2, 4, 8, 16, 32, 60, 60, … s, each ±20 %. Never negative; rounded to whole ms.
 * Attempts below 1 (or not finite) are treated as 1.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { baseMs, factor, capMs, jitter } = resolveBackoff(options);
  const n = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
  // factor ** huge is Infinity, which the cap absorbs.
  const raw = Math.min(baseMs * factor ** (n - 1), capMs);
  const r = Math.min(Math.max(random(), 0), 1);
  const spread = jitter * (2 * r - 1);
  return Math.max(0, Math.round(raw * (1 + spread)));
}

function stripUndefined(options: BackoffOptions): BackoffOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
