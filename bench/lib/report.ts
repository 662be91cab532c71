// One figure of a benchmark, and the line a benchmark script prints so bench/run.ts can collect it.

export interface Figure {
  bench: string;
  name: string;
  value: number | null;
  unit: string;
  /** Human-readable target, e.g. "≤ 2 ms"; empty for an informational figure. */
  target: string;
  /** null: informational (no target) or not measured. */
  pass: boolean | null;
  note?: string;
}

export const RESULT_PREFIX = 'BENCH_RESULT ';

export function figure(
  bench: string,
  name: string,
  value: number | null,
  unit: string,
  target?: { op: '<=' | '>=' | '=='; limit: number },
  note?: string,
): Figure {
  let pass: boolean | null = null;
  let text = '';
  if (target) {
    const symbol = { '<=': '≤', '>=': '≥', '==': '=' }[target.op];
    text = `${symbol} ${target.limit}${unit ? ` ${unit}` : ''}`;
    if (value === null) pass = false;
    else if (target.op === '<=') pass = value <= target.limit;
    else if (target.op === '>=') pass = value >= target.limit;
    else pass = value === target.limit;
  }
  return { bench, name, value, unit, target: text, pass, ...(note !== undefined ? { note } : {}) };
}

/** Prints the figures for bench/run.ts (one JSON line) after a human-readable list. */
export function emit(figures: readonly Figure[]): void {
  for (const f of figures) {
    const value = f.value === null ? 'n/a' : `${round(f.value)}${f.unit ? ` ${f.unit}` : ''}`;
    const verdict = f.pass === null ? '' : f.pass ? '  PASS' : '  FAIL';
    console.log(`  ${f.name}: ${value}${f.target ? `  (target ${f.target})` : ''}${verdict}`);
    if (f.note !== undefined) console.log(`    (${f.note})`);
  }
  console.log(`${RESULT_PREFIX}${JSON.stringify(figures)}`);
}

export function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value * 10) / 10 : Math.round(value * 1000) / 1000;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
