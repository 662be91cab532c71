#!/usr/bin/env node
// Runs the test suite with Node's own test runner (TypeScript through tsx).
// Node 20 has no glob support in `--test`, so the files are listed here.
// Usage: node scripts/run-tests.mjs [folder-or-file ...]   (default: test/)
// VISTTER_TEST_CPU_LOAD=N runs N CPU-bound processes beside the tests (test/helpers/cpu-load.ts),
// as on a busy appliance: started before the run, stopped after it (and if this runner dies).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  } else if (/\.test\.ts$/.test(path)) {
    out.push(path);
  }
  return out;
}

const roots = process.argv.slice(2);
const files = (roots.length > 0 ? roots : ['test']).flatMap((root) => collect(root, []));
if (files.length === 0) {
  console.error('No test files found under', roots.join(' ') || 'test');
  process.exit(1);
}
const loadCount = Number(process.env.VISTTER_TEST_CPU_LOAD || 0);
if (!Number.isInteger(loadCount) || loadCount < 0) {
  console.error(
    `VISTTER_TEST_CPU_LOAD must be a whole number of busy processes, got "${process.env.VISTTER_TEST_CPU_LOAD}"`,
  );
  process.exit(1);
}
const cpuLoad = loadCount > 0 ? await startCpuLoadBesideTests(loadCount) : undefined;
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
await cpuLoad?.stop();
process.exit(result.status ?? 1);

async function startCpuLoadBesideTests(count) {
  const { tsImport } = await import('tsx/esm/api');
  const { startCpuLoad, loadAverage } = await tsImport('../test/helpers/cpu-load.ts', import.meta.url);
  const load = await startCpuLoad(count);
  console.log(
    `CPU load: ${count} busy process${count === 1 ? '' : 'es'} (pids ${load.pids.join(', ')}); load average ${loadAverage()}`,
  );
  return {
    async stop() {
      console.log(`CPU load: stopping; load average ${loadAverage()}`);
      await load.stop();
    },
  };
}
