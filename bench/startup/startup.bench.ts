// Start-up time and idle memory of the appliance, run through tsx (`tsx src/main.ts`, as
// scripts/up.sh ran it before the build) and compiled (`node dist/main.js`, as it runs now), in
// one run on this machine. Each start: the process spawned → the first answer of /api/health
// (polled every 20 ms) is the start-up time; then, after SETTLE_MS with no show on air (the data
// folder has a camera, so the demo show does not start), the resident memory (VmRSS) of every
// process of its group: for tsx the wrapper process it adds and the appliance it runs. The two
// variants take turns, after one unmeasured start of each (tsx's transform cache and the disk
// cache warm); the figures are medians of the runs.
//
//   npx tsx bench/startup/startup.bench.ts [runs] [--no-build]     (default 5 runs; builds dist/)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit, figure, sleep, type Figure } from '../lib/report.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BENCH = 'start-up and idle memory';
const SETTLE_MS = 8000;
const HEALTH_POLL_MS = 20;
const START_LIMIT_MS = 120_000;

interface Variant {
  name: 'tsx' | 'compiled';
  command: string;
  args: string[];
}

const VARIANTS: Variant[] = [
  { name: 'tsx', command: join(ROOT, 'node_modules', '.bin', 'tsx'), args: ['src/main.ts'] },
  { name: 'compiled', command: process.execPath, args: ['dist/main.js'] },
];

interface Sample {
  startupMs: number;
  /** VmRSS in MB of the process that serves the API. */
  applianceMb: number;
  /** VmRSS in MB of the other processes of its group (tsx's wrapper), 0 if none. */
  wrapperMb: number;
}

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
const build = !args.includes('--no-build');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The pids whose process group is pgid (read from /proc/<pid>/stat, after the command name). */
function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (Number(statFields(Number(name))[2]) === pgid) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}

/** /proc/<pid>/stat's fields after the command name (field 3, the state, is index 0). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

const isNode = (pid: number): boolean => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node';

/**
 * The appliance is the group's node process with no node child (under tsx: the child of its
 * wrapper); every other process of the group (the wrapper, an esbuild service) counts as added.
 */
function applianceAndWrappers(pgid: number): { appliance: number; wrappers: number[] } {
  const pids = groupPids(pgid);
  const nodeParents = new Set(pids.filter(isNode).map((pid) => Number(statFields(pid)[1])));
  const appliance = pids.find((pid) => isNode(pid) && !nodeParents.has(pid)) ?? pgid;
  return { appliance, wrappers: pids.filter((pid) => pid !== appliance) };
}

function env(dataDir: string, port: number, secretKey: string): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('npm_') || key === 'NODE_OPTIONS') continue;
    base[key] = value;
  }
  return {
    ...base,
    NODE_ENV: 'production',
    VISTTER_DATA_DIR: dataDir,
    VISTTER_SECRET_KEY: secretKey,
    VISTTER_HOST: '127.0.0.1',
    VISTTER_PORT: String(port),
    VISTTER_TLS: '0',
    VISTTER_LOG_LEVEL: 'warn',
  };
}

async function stop(child: ChildProcess): Promise<void> {
  const pgid = child.pid!;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
  }, 20_000);
  if (child.exitCode === null && child.signalCode === null) await exited;
  clearTimeout(timer);
}

async function startOnce(
  variant: Variant,
  dataDir: string,
  secretKey: string,
): Promise<{ child: ChildProcess; port: number; startupMs: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(variant.command, variant.args, {
    cwd: ROOT,
    env: env(dataDir, port, secretKey),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${variant.name}: the appliance exited while starting: ${stderr}`);
    }
    if (performance.now() - started > START_LIMIT_MS) {
      await stop(child);
      throw new Error(`${variant.name}: no answer from /api/health after ${START_LIMIT_MS} ms: ${stderr}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`);
      await response.arrayBuffer();
      return { child, port, startupMs: performance.now() - started };
    } catch {
      await sleep(HEALTH_POLL_MS);
    }
  }
}

async function measure(variant: Variant, dataDir: string, secretKey: string): Promise<Sample> {
  const { child, startupMs } = await startOnce(variant, dataDir, secretKey);
  try {
    await sleep(SETTLE_MS);
    const { appliance, wrappers } = applianceAndWrappers(child.pid!);
    return {
      startupMs,
      applianceMb: rssMb(appliance),
      wrapperMb: wrappers.reduce((sum, pid) => sum + rssMb(pid), 0),
    };
  } finally {
    await stop(child);
  }
}

/** A data folder with the admin and one camera: later starts put nothing on air. */
async function prepareDataDir(dataDir: string, secretKey: string): Promise<void> {
  const { child, port } = await startOnce(VARIANTS[1]!, dataDir, secretKey);
  try {
    const base = `http://127.0.0.1:${port}`;
    const setup = await fetch(`${base}/api/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password: 'bench start-up password' }),
    });
    const { csrfToken } = (await setup.json()) as { csrfToken: string };
    const cookie = (setup.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const camera = await fetch(`${base}/api/cameras`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: 'Bench camera', stream_url: 'rtsp://127.0.0.1:1/none' }),
    });
    if (camera.status !== 201) throw new Error(`adding a camera: ${camera.status} ${await camera.text()}`);
  } finally {
    await stop(child);
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

if (build) {
  console.log('building dist/ (npm run build)…');
  const built = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'build.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (built.status !== 0) throw new Error('the build failed');
}

const dataDir = mkdtempSync(join(tmpdir(), 'vistter-startup-bench-'));
const secretKey = randomBytes(32).toString('base64');
const samples: Record<Variant['name'], Sample[]> = { tsx: [], compiled: [] };
try {
  await prepareDataDir(dataDir, secretKey);
  for (const variant of VARIANTS) await measure(variant, dataDir, secretKey); // warm-up, not counted
  for (let run = 1; run <= runs; run++) {
    for (const variant of VARIANTS) {
      const sample = await measure(variant, dataDir, secretKey);
      samples[variant.name].push(sample);
      console.log(
        `run ${run} ${variant.name.padEnd(8)} start-up ${(sample.startupMs / 1000).toFixed(2)} s, ` +
          `appliance ${sample.applianceMb.toFixed(0)} MB` +
          (sample.wrapperMb > 0 ? ` + wrapper ${sample.wrapperMb.toFixed(0)} MB` : ''),
      );
    }
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const figures: Figure[] = [];
for (const variant of VARIANTS) {
  const list = samples[variant.name];
  const startup = median(list.map((s) => s.startupMs / 1000));
  const appliance = median(list.map((s) => s.applianceMb));
  const wrapper = median(list.map((s) => s.wrapperMb));
  const total = median(list.map((s) => s.applianceMb + s.wrapperMb));
  const note = `median of ${list.length} runs`;
  figures.push(
    figure(BENCH, `${variant.name}: process start → /api/health answers`, startup, 's', undefined, note),
  );
  figures.push(figure(BENCH, `${variant.name}: idle RSS, appliance`, appliance, 'MB', undefined, note));
  if (wrapper > 0)
    figures.push(figure(BENCH, `${variant.name}: idle RSS, tsx wrapper`, wrapper, 'MB', undefined, note));
  figures.push(figure(BENCH, `${variant.name}: idle RSS, all its processes`, total, 'MB', undefined, note));
}
emit(figures);
