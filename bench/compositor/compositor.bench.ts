// Compositor benchmark: one 1920x1080 program frame = a dissolve (crossfade) of two sources plus
// three overlays (600x120 lower third, 200x200 logo, 400x80 text), through composite().
// Prints p50/p99 per frame for the WASM SIMD kernels and the JS reference, and checks the
// target p99 ≤ 2 ms for WASM. Figures only; nothing here is a test.
//
//   npx tsx bench/compositor/compositor.bench.ts [iterations]
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  buildChromaAlpha,
  composite,
  createReferenceKernels,
  createWasmKernels,
  type Kernels,
  type Program,
  type YuvaImage,
} from '../../src/engine/compositor/index.ts';

const W = 1920;
const H = 1080;
const ITERATIONS = Number(process.argv[2] ?? 500);
const WARMUP = 200;
const TARGET_P99_MS = 2;

function fillPattern(buf: Uint8Array, seed: number): void {
  let s = seed;
  for (let i = 0; i < buf.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    buf[i] = s >>> 24;
  }
}

function makeOverlay(k: Kernels, width: number, height: number, seed: number): YuvaImage {
  const data = k.allocYuva(width, height);
  fillPattern(data, seed);
  buildChromaAlpha(data, width, height);
  return { width, height, data };
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

interface Figures {
  /** Wall-clock ms per iteration (what the target is about). */
  p50: number;
  p99: number;
  max: number;
  /** Process CPU ms per iteration: shows whether a slow wall-clock tail was the kernel or the OS
   * scheduling other work (this machine is shared). */
  cpuP99: number;
}

function measure(run: (i: number) => void, iterations: number): Figures {
  for (let i = 0; i < WARMUP; i++) run(i);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run(i);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times[times.length - 1]!,
    cpuP99: percentile(cpu, 99),
  };
}

function fmt(f: Figures): string {
  return (
    `p50 ${f.p50.toFixed(3)} ms  p99 ${f.p99.toFixed(3)} ms  max ${f.max.toFixed(3)} ms` +
    `  (cpu p99 ${f.cpuP99.toFixed(3)} ms)`
  );
}

function benchKernels(k: Kernels, iterations: number): { frame: Figures; crossfadeOnly: Figures } {
  const a = k.allocFrame(W, H);
  const b = k.allocFrame(W, H);
  const out = k.allocFrame(W, H);
  fillPattern(a, 1);
  fillPattern(b, 2);
  const overlays = [
    { image: makeOverlay(k, 600, 120, 3), x: 120, y: 880, opacity: 1 },
    { image: makeOverlay(k, 200, 200, 4), x: 1680, y: 40, opacity: 0.8 },
    { image: makeOverlay(k, 400, 80, 5), x: 1480, y: 960, opacity: 0.6 },
  ];
  const target = { width: W, height: H, data: out };
  const program = (i: number): Program => ({
    video: { kind: 'dissolve', from: a, to: b, progress: ((i % 30) + 1) / 30 },
    overlays,
  });
  const frame = measure((i) => composite(target, program(i), k), iterations);
  const crossfadeOnly = measure((i) => k.crossfade(out, a, b, i % 257), iterations);
  return { frame, crossfadeOnly };
}

const wasm = await createWasmKernels();
const ref = createReferenceKernels();

console.log(`compositor bench: ${W}x${H} yuv420p, dissolve + 3 overlays (600x120, 200x200, 400x80)`);
console.log(`iterations ${ITERATIONS} (after ${WARMUP} warm-up), node ${process.version}, ${process.arch}`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${load()}`);

const w = benchKernels(wasm, ITERATIONS);
console.log(`WASM SIMD  frame:          ${fmt(w.frame)}`);
console.log(`WASM SIMD  crossfade only: ${fmt(w.crossfadeOnly)}`);

// The copy cost when frames are not in WASM memory (e.g. Node Buffers straight off a pipe).
{
  const a = new Uint8Array((W * H * 3) / 2);
  const b = new Uint8Array(a.length);
  const out = new Uint8Array(a.length);
  fillPattern(a, 1);
  fillPattern(b, 2);
  const staged = measure((i) => wasm.crossfade(out, a, b, i % 257), ITERATIONS);
  console.log(`WASM SIMD  crossfade, foreign buffers (staged by copy): ${fmt(staged)}`);
}

const r = benchKernels(ref, ITERATIONS);
console.log(`JS ref     frame:          ${fmt(r.frame)}`);
console.log(`JS ref     crossfade only: ${fmt(r.crossfadeOnly)}`);

console.log(`load average after: ${load()}`);
const pass = w.frame.p99 <= TARGET_P99_MS;
console.log(
  `target: WASM frame p99 ≤ ${TARGET_P99_MS} ms → ${w.frame.p99.toFixed(3)} ms ${pass ? 'PASS' : 'FAIL'}` +
    `  (WASM ${(r.frame.p50 / w.frame.p50).toFixed(1)}× faster than JS at p50)`,
);
if (!pass && w.frame.cpuP99 <= TARGET_P99_MS) {
  console.log(
    `note: the CPU time p99 is ${w.frame.cpuP99.toFixed(3)} ms, within the target: the wall-clock tail is the ` +
      `OS running other work (load average above); rerun on an idle machine for the wall-clock verdict.`,
  );
}
// Figures only: the exit code does not depend on the verdict.
