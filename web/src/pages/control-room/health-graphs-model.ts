// The health graphs' geometry and words (pure, unit-tested): which samples join into a line (a
// gap where a show was off air or a sample is missing), the scale, the figures shown beside each
// graph and the sentence a screen reader reads for it.
import type { HealthHistory, HealthSample } from '../../../../src/domain/health-history.ts';

export type HealthMetric = 'bitrateKbps' | 'fps' | 'droppedFrames' | 'systemCpuPercent' | 'reconnects';

export interface MetricSpec {
  metric: HealthMetric;
  title: string;
  unit: string;
  /** Counted per 10 s (the hour's total is worth saying) rather than a level. */
  counter: boolean;
  /** A fixed top of the scale (CPU: 100 %); otherwise the largest value, rounded up. */
  fixedMax?: number;
  decimals: number;
}

export const HEALTH_METRICS: readonly MetricSpec[] = [
  { metric: 'bitrateKbps', title: 'Bitrate', unit: 'kbps', counter: false, decimals: 0 },
  { metric: 'fps', title: 'Frame rate', unit: 'fps', counter: false, decimals: 1 },
  { metric: 'droppedFrames', title: 'Dropped frames', unit: 'per 10 s', counter: true, decimals: 0 },
  { metric: 'systemCpuPercent', title: 'CPU', unit: '%', counter: false, fixedMax: 100, decimals: 0 },
  { metric: 'reconnects', title: 'Reconnects', unit: 'per 10 s', counter: true, decimals: 0 },
];

export interface Point {
  atMs: number;
  value: number;
}

export interface GraphModel {
  spec: MetricSpec;
  /** Runs of samples drawn as one line each; a gap lies between two runs. */
  segments: Point[][];
  /** The newest sample's value, when the newest sample is on air and recent. */
  latest: number | null;
  min: number | null;
  max: number | null;
  /** Sum over the window (counters). */
  total: number;
  /** Top of the y scale (bottom is 0). */
  scaleMax: number;
  fromMs: number;
  toMs: number;
}

/** Two samples further apart than this are not joined (one missing sample is a gap). */
const JOIN_FACTOR = 1.5;

export function graphModel(history: HealthHistory, spec: MetricSpec): GraphModel {
  const fromMs = Date.parse(history.from);
  const toMs = Date.parse(history.to);
  const intervalMs = history.intervalSeconds * 1000;
  const segments: Point[][] = [];
  let run: Point[] = [];
  let previousAt: number | null = null;
  for (const sample of history.samples) {
    const atMs = Date.parse(sample.at);
    const value = valueOf(sample, spec.metric);
    const joined = previousAt !== null && atMs - previousAt <= intervalMs * JOIN_FACTOR;
    if (value === null || !joined) {
      if (run.length > 0) segments.push(run);
      run = [];
    }
    if (value !== null) run.push({ atMs, value });
    previousAt = value === null ? null : atMs;
  }
  if (run.length > 0) segments.push(run);
  const values = segments.flat().map((point) => point.value);
  const newest = history.samples.at(-1);
  // "Now" only when the newest sample is of the last two intervals: an older one is history.
  const latest =
    newest && toMs - Date.parse(newest.at) <= intervalMs * 2 ? valueOf(newest, spec.metric) : null;
  const max = values.length > 0 ? Math.max(...values) : null;
  return {
    spec,
    segments,
    latest,
    min: values.length > 0 ? Math.min(...values) : null,
    max,
    total: values.reduce((sum, value) => sum + value, 0),
    scaleMax: spec.fixedMax ?? niceCeiling(max ?? 0),
    fromMs,
    toMs,
  };
}

function valueOf(sample: HealthSample, metric: HealthMetric): number | null {
  return sample.onAir ? sample[metric] : null;
}

/** 1, 2 or 5 times a power of ten, at least the value (and at least 1). */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** The SVG path of every segment in a width × height box (y grows downwards). */
export function pathOf(model: GraphModel, width: number, height: number): string {
  const span = Math.max(1, model.toMs - model.fromMs);
  const x = (atMs: number) => round(((atMs - model.fromMs) / span) * width);
  const y = (value: number) => round(height - (Math.min(value, model.scaleMax) / model.scaleMax) * height);
  return model.segments
    .map((segment) => {
      const [first, ...rest] = segment;
      if (!first) return '';
      // A lone sample is a dot: a zero-length line with round caps.
      const tail = rest.length > 0 ? rest.map((p) => `L${x(p.atMs)} ${y(p.value)}`).join(' ') : 'h0';
      return `M${x(first.atMs)} ${y(first.value)} ${tail}`;
    })
    .filter((part) => part !== '')
    .join(' ');
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

export function formatValue(value: number, spec: MetricSpec): string {
  return value.toLocaleString('en-GB', {
    maximumFractionDigits: spec.decimals,
    minimumFractionDigits: spec.decimals,
  });
}

/** The figure beside the title: "2,480 kbps", or "—" with no show on air now. */
export function latestText(model: GraphModel): string {
  return model.latest === null ? '—' : `${formatValue(model.latest, model.spec)} ${model.spec.unit}`;
}

/** "min 2,310 · max 2,560" (counters: "12 in the hour · max 4"). */
export function rangeText(model: GraphModel, minutes: number): string {
  if (model.min === null || model.max === null) return 'no samples';
  const { spec } = model;
  return spec.counter
    ? `${formatValue(model.total, spec)} in ${windowWords(minutes)} · max ${formatValue(model.max, spec)}`
    : `min ${formatValue(model.min, spec)} · max ${formatValue(model.max, spec)}`;
}

/** What a screen reader reads for the graph. */
export function describeGraph(model: GraphModel, minutes: number): string {
  const { spec } = model;
  const head = `${spec.title}, last ${minutes} minutes`;
  if (model.min === null || model.max === null) return `${head}: no samples (no show on air).`;
  const now =
    model.latest === null ? 'no show on air now' : `now ${formatValue(model.latest, spec)} ${spec.unit}`;
  const range = spec.counter
    ? `${formatValue(model.total, spec)} in ${windowWords(minutes)}, at most ${formatValue(model.max, spec)} ${spec.unit}`
    : `lowest ${formatValue(model.min, spec)}, highest ${formatValue(model.max, spec)} ${spec.unit}`;
  const gaps =
    model.segments.length > 1
      ? `, ${model.segments.length - 1} gap${model.segments.length > 2 ? 's' : ''}`
      : '';
  return `${head}: ${now}; ${range}${gaps}.`;
}

function windowWords(minutes: number): string {
  return minutes === 60 ? 'the hour' : `${minutes} min`;
}
