// Shared helpers for the compositor tests: a seeded PRNG and buffer fillers.

/** A seeded PRNG, so a failing case reproduces. */
export { seededRandom as rng } from '../../helpers/random.ts';

/** Integer in [lo, hi]. */
export function int(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** Fills with random bytes, biased so 0 and 255 (the edge cases of every formula) are common. */
export function randomize(buf: Uint8Array, rand: () => number): Uint8Array {
  for (let i = 0; i < buf.length; i++) {
    const r = rand();
    buf[i] = r < 0.1 ? 0 : r < 0.2 ? 255 : Math.floor(rand() * 256);
  }
  return buf;
}

/** First index where two buffers differ, or -1. */
export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
