// `npm run bench`: runs every benchmark in sequence, each in its own Node process (so memory and
// CPU figures are not mixed between benchmarks), then prints one summary table with the target
// and PASS/FAIL per figure. Figures only: the exit code is 0 whatever the verdicts.
//
//   npm run bench                 all benchmarks (about 3–4 minutes)
//   npm run bench -- cpu cue      only the benchmarks whose id contains one of the words
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RESULT_PREFIX, round, type Figure } from './lib/report.ts';

interface Bench {
  id: string;
  title: string;
  file: string;
  args: string[];
  timeoutMs: number;
  /** Figures from the script's output when it does not print a RESULT line. */
  parse?: (stdout: string) => Figure[];
}

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

function parseCompositor(stdout: string): Figure[] {
  const bench = 'compositor 1080p';
  const frame =
    /^WASM SIMD {2}frame: +p50 ([\d.]+) ms {2}p99 ([\d.]+) ms {2}max ([\d.]+) ms {2}\(cpu p99 ([\d.]+) ms\)/m.exec(
      stdout,
    );
  const js = /^JS ref {5}frame: +p50 ([\d.]+) ms {2}p99 ([\d.]+) ms/m.exec(stdout);
  if (!frame)
    return [{ bench, name: 'WASM frame p99', value: null, unit: 'ms', target: '≤ 2 ms', pass: false }];
  const p99 = Number(frame[2]);
  const cpuP99 = Number(frame[4]);
  const figures: Figure[] = [
    {
      bench,
      name: 'WASM frame p50 (dissolve + 3 overlays)',
      value: Number(frame[1]),
      unit: 'ms',
      target: '',
      pass: null,
    },
    {
      bench,
      name: 'WASM frame p99 (dissolve + 3 overlays)',
      value: p99,
      unit: 'ms',
      target: '≤ 2 ms',
      pass: p99 <= 2,
    },
    { bench, name: 'WASM frame CPU-time p99', value: cpuP99, unit: 'ms', target: '', pass: null },
  ];
  if (js)
    figures.push({
      bench,
      name: 'JS reference frame p99',
      value: Number(js[2]),
      unit: 'ms',
      target: '',
      pass: null,
    });
  return figures;
}

const BENCHES: Bench[] = [
  {
    id: 'compositor',
    title: 'compositor per 1080p frame, crossfade + 3 overlays',
    file: here('./compositor/compositor.bench.ts'),
    args: [],
    timeoutMs: 120_000,
    parse: parseCompositor,
  },
  {
    id: 'cue',
    title: 'cue latency (cuts on a recorded 320x180 show)',
    file: here('./pipeline/cue-latency.bench.ts'),
    args: [],
    timeoutMs: 90_000,
  },
  {
    id: 'cpu',
    title: 'pipeline CPU vs plain ffmpeg, realistic camera at 1080p30 and 720p30, veryfast, 30 s each',
    file: here('./pipeline/cpu.bench.ts'),
    args: ['--window', '30', '--preset', 'veryfast'],
    // 4 windows of 30 s plus start-up, and the camera clips made on a first run (about 1–2 min).
    timeoutMs: 420_000,
  },
  {
    id: 'cameras',
    title: '4 realistic 1080p30 cameras, 60 s, dissolves',
    file: here('./pipeline/four-cameras.bench.ts'),
    args: ['60'],
    timeoutMs: 240_000,
  },
  {
    id: 'pressure',
    title:
      'the show under CPU pressure: 4 realistic 1080p30 cameras + 2 CPU-bound processes, 120 s (+ a 60 s control run)',
    file: here('./pipeline/pressure.bench.ts'),
    args: [],
    timeoutMs: 600_000,
  },
  {
    id: 'failover',
    title: 'recovery: camera failover and encoder restart, 3 rounds each',
    file: here('./recovery/failover.bench.ts'),
    args: ['3'],
    timeoutMs: 180_000,
  },
  {
    id: 'destination',
    title: 'recovery: a destination server that goes away and comes back',
    file: here('./recovery/destination.bench.ts'),
    args: [],
    timeoutMs: 180_000,
  },
  {
    id: 'startup',
    title: 'start-up time and idle memory: tsx vs the compiled runtime (node dist/main.js), 5 runs each',
    file: here('./startup/startup.bench.ts'),
    args: ['5'],
    // The build (about 1 min), then 12 starts of about 15 s each on a busy machine.
    timeoutMs: 600_000,
  },
  {
    id: 'golive',
    title: 'GO LIVE through the API to the first video at the destination, 1080p30 camera',
    file: here('./api/go-live.bench.ts'),
    args: ['3'],
    timeoutMs: 240_000,
  },
];

let current: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (current !== undefined) {
      try {
        process.kill(-current, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    process.exit(130);
  });
}

/** Runs one benchmark script in its own process group; echoes its output; resolves with its stdout. */
function runOne(b: Bench): Promise<{ stdout: string; code: number | null; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', b.file, ...b.args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
      env: { ...process.env, VISTTER_LOG_LEVEL: process.env['VISTTER_LOG_LEVEL'] ?? 'warn' },
    });
    current = child.pid;
    let stdout = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stdout += text;
      process.stdout.write(
        text
          .split('\n')
          .filter((line) => !line.startsWith(RESULT_PREFIX))
          .join('\n'),
      );
    });
    const kill = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 5000).unref();
    }, b.timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      kill('SIGKILL'); // leftovers of the group, if any
      current = undefined;
      resolve({ stdout, code, timedOut });
    });
  });
}

const filters = process.argv.slice(2);
const selected = BENCHES.filter((b) => filters.length === 0 || filters.some((f) => b.id.includes(f)));
const started = Date.now();
console.log(
  `VistterStream benchmarks: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
const figures: Figure[] = [];
for (const b of selected) {
  console.log(`\n=== ${b.title} ===`);
  const t0 = Date.now();
  const { stdout, code, timedOut } = await runOne(b);
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  let got: Figure[] = [];
  if (b.parse) got = b.parse(stdout);
  else if (line) got = JSON.parse(line.slice(RESULT_PREFIX.length)) as Figure[];
  if (got.length === 0 || timedOut || (code !== 0 && code !== null)) {
    const why = timedOut ? `timed out after ${b.timeoutMs / 1000} s` : `exited with ${code}`;
    if (got.length === 0)
      got = [
        { bench: b.title, name: 'run', value: null, unit: '', target: 'completes', pass: false, note: why },
      ];
    else console.log(`(${b.id} ${why})`);
  }
  figures.push(...got);
  console.log(`(${b.id}: ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

// Summary table.
const rows = figures.map((f) => [
  f.bench,
  f.name,
  f.value === null ? 'n/a' : `${round(f.value)}${f.unit ? ` ${f.unit}` : ''}`,
  f.target || '—',
  f.pass === null ? '(info)' : f.pass ? 'PASS' : 'FAIL',
]);
const header = ['benchmark', 'figure', 'value', 'target', 'verdict'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const fmt = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(
  `\nSummary (${((Date.now() - started) / 1000).toFixed(0)} s, load average now ${loadavg()[0]!.toFixed(2)})`,
);
console.log(fmt(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(fmt(row));
for (const f of figures.filter((f) => f.note !== undefined)) console.log(`${f.bench} / ${f.name}: ${f.note}`);
const failed = figures.filter((f) => f.pass === false).length;
console.log(
  `\n${figures.filter((f) => f.pass === true).length} PASS, ${failed} FAIL (figures only; exit code 0)`,
);
process.exitCode = 0;
