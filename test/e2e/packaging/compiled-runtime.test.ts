// The compiled runtime as an installation gets it: the tracked files copied into a fresh folder
// with the build (dist/) and the web UI's build beside them, `npm ci --omit=dev` there (no tsx, no
// wabt, no TypeScript), then the appliance started with plain `node dist/main.js` on 127.0.0.1,
// asked for /api/health and stopped by its process group. On the way: the lock file is installed
// as it is and a later `npm install` leaves it (and package.json) byte for byte unchanged, and the
// compiled compositor loads the kernel binary the build wrote, giving the reference's bytes.
// better-sqlite3 compiles from source during npm ci (about 40 s on an idle machine): the limits
// below are for a busy one.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { KERNELS_WASM_FILE } from '../../../src/engine/compositor/wasm.ts';
import { compileKernelsWat } from '../../../src/engine/compositor/wat-compile.ts';
import { applianceEnv } from '../../helpers/appliance.ts';
import { hasExited, spawnGroup, stopGroup, waitFor, waitForExit } from '../../helpers/proc.ts';
import { tempDir } from '../../helpers/temp.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const MINUTE = 60_000;

/** The environment of a command run as a person would in a shell: no npm or test-runner state. */
function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('npm_') || key === 'NODE_OPTIONS' || key === 'NODE_ENV') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command in its own process group; rejects on a non-zero exit or after timeoutMs. */
async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<string> {
  const child = spawnGroup(command, args, { cwd: options.cwd, env: options.env ?? plainEnv() });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const what = `${command} ${args.join(' ')}`;
  if (!(await waitForExit(child, options.timeoutMs))) {
    await stopGroup(child, 'SIGTERM', 2000);
    throw new Error(`${what}: not done after ${options.timeoutMs / 1000} s; output: ${output.slice(-3000)}`);
  }
  assert.equal(child.exitCode, 0, `${what} failed (exit ${child.exitCode}): ${output.slice(-3000)}`);
  return output;
}

/** The tracked files as they are in the work tree (what a clone or `git archive` holds). */
function copyTrackedFiles(to: string): void {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' });
  for (const path of listed.split('\0').filter((p) => p !== '')) {
    const from = join(REPO, path);
    if (!existsSync(from) || lstatSync(from).isDirectory()) continue; // deleted, or a submodule
    mkdirSync(dirname(join(to, path)), { recursive: true });
    cpSync(from, join(to, path));
  }
}

describe('the compiled appliance from a fresh folder (npm ci --omit=dev, plain node)', () => {
  const folder = tempDir('vistter-compiled-');
  const data = tempDir('vistter-compiled-data-');
  const app = folder.path;
  let appliance: ChildProcess | undefined;

  before(() => copyTrackedFiles(app));

  after(async () => {
    if (appliance) await stopGroup(appliance, 'SIGKILL');
    folder.cleanup();
    data.cleanup();
  });

  it(
    'npm run build writes the JavaScript, the migrations and the kernel binary',
    { timeout: 10 * MINUTE },
    async () => {
      await run(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--out-dir', join(app, 'dist')], {
        cwd: REPO,
        timeoutMs: 10 * MINUTE,
      });
      for (const file of ['main.js', 'cli.js', 'store/migrations/001_initial.sql']) {
        assert.ok(existsSync(join(app, 'dist', file)), `dist/${file} is missing`);
      }
      assert.equal(existsSync(join(app, 'dist', 'main.ts')), false, 'no TypeScript in the build');
      // The binary is the current WAT, compiled as the tests compile it.
      const kernels = readFileSync(join(app, 'dist', 'engine', 'compositor', KERNELS_WASM_FILE));
      assert.deepEqual(new Uint8Array(kernels), await compileKernelsWat());
      // The control room, when the suite has built it (npm run check builds it before the tests).
      const webDist = join(REPO, 'web', 'dist');
      if (existsSync(webDist)) cpSync(webDist, join(app, 'web', 'dist'), { recursive: true });
    },
  );

  it(
    'npm ci --omit=dev installs the lock file; npm install leaves it unchanged',
    { timeout: 20 * MINUTE },
    async () => {
      const lock = readFileSync(join(app, 'package-lock.json'));
      const manifest = readFileSync(join(app, 'package.json'));
      await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: app,
        timeoutMs: 15 * MINUTE,
      });
      assert.ok(existsSync(join(app, 'node_modules', 'better-sqlite3')), 'a runtime package is installed');
      for (const devOnly of ['tsx', 'wabt', 'typescript', 'vite']) {
        assert.equal(existsSync(join(app, 'node_modules', devOnly)), false, `${devOnly} is a dev package`);
      }
      // What a fresh clone's `npm install` does to the lock file, without installing dev packages here.
      await run('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: app,
        timeoutMs: 5 * MINUTE,
      });
      assert.ok(
        readFileSync(join(app, 'package-lock.json')).equals(lock),
        'npm install rewrote package-lock.json',
      );
      assert.ok(readFileSync(join(app, 'package.json')).equals(manifest), 'npm install rewrote package.json');
    },
  );

  it(
    'the compiled compositor loads the built kernels without wabt and matches the reference',
    { timeout: 2 * MINUTE },
    async () => {
      const script = `
      const c = await import(${JSON.stringify(join(app, 'dist', 'engine', 'compositor', 'index.js'))});
      const wasm = await c.createWasmKernels({ capacityBytes: 1 << 20 });
      const ref = c.createReferenceKernels();
      const n = c.frameSize(34, 18);
      const a = Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256);
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 91 + 7) % 256);
      const got = new Uint8Array(n), want = new Uint8Array(n);
      wasm.crossfade(got, a, b, 77);
      ref.crossfade(want, a, b, 77);
      console.log(JSON.stringify({ name: wasm.name, same: Buffer.compare(got, want) === 0 }));`;
      const output = await run(process.execPath, ['--input-type=module', '-e', script], {
        cwd: app,
        timeoutMs: 2 * MINUTE,
      });
      assert.deepEqual(JSON.parse(output.trim().split('\n').at(-1) ?? ''), { name: 'wasm-simd', same: true });
    },
  );

  it(
    'node dist/main.js starts, answers /api/health and stops on SIGTERM',
    { timeout: 5 * MINUTE },
    async () => {
      // As the systemd unit and the image run it: production, the settings in VISTTER_* variables.
      const settings = Object.entries(applianceEnv(data.path)).filter(([key]) => key.startsWith('VISTTER_'));
      const env = plainEnv({
        ...(Object.fromEntries(settings) as Record<string, string>),
        NODE_ENV: 'production',
      });
      const child = spawnGroup(process.execPath, ['dist/main.js'], { cwd: app, env });
      appliance = child;
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const url = await waitFor(
        () => {
          if (hasExited(child)) throw new Error(`the compiled appliance exited: ${output.slice(-3000)}`);
          return /control room: (http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1];
        },
        { timeoutMs: 3 * MINUTE, what: 'the compiled appliance to listen' },
      ).catch((err: Error) => {
        throw new Error(`${err.message}; output so far: ${output.slice(-3000)}`, { cause: err });
      });
      // A fresh data folder has no cameras: the demo show went on air through the compiled engine.
      assert.match(output, /demo show is on air/);

      const response = await fetch(`${url}/api/health`);
      const body = (await response.json()) as { status?: string };
      // Without a session the route tells the status only; 503 while the show on air is unhealthy.
      assert.deepEqual(Object.keys(body), ['status']);
      assert.ok(['healthy', 'degraded', 'unhealthy'].includes(body.status ?? ''), `status ${body.status}`);
      assert.equal(response.status, body.status === 'unhealthy' ? 503 : 200);

      await stopGroup(child, 'SIGTERM', 30_000);
      assert.equal(child.signalCode, null, `the appliance was killed, not stopped: ${output.slice(-2000)}`);
      appliance = undefined;
    },
  );
});
