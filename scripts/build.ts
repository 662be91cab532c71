// `npm run build`: the appliance as plain JavaScript that `node dist/main.js` runs without tsx.
//   1. tsc with tsconfig.build.json: src/**/*.ts → dist/**/*.js (relative `.ts` imports rewritten
//      to `.js`), the same tree, so paths a module reads relative to itself still hold (web/dist and
//      demo/ are `..` from both src/ and dist/);
//   2. every other file under src/ the runtime reads beside its module (the SQL migrations);
//   3. the compositor's WASM kernels, compiled from their WAT with wabt (a devDependency).
// Usage: tsx scripts/build.ts [--out-dir DIR]   (default dist/; DIR is replaced, not merged)
// The build is written beside DIR and moved into place at the end, so a failed build leaves no
// half-built DIR for scripts/up.sh to take as current.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNELS_WASM_FILE } from '../src/engine/compositor/wasm.ts';
import { compileKernelsWat } from '../src/engine/compositor/wat-compile.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
/** Sources compile to JavaScript; notes stay in the repository. */
const NOT_COPIED = new Set(['.ts', '.md']);

function parseOutDir(argv: string[]): string {
  const at = argv.indexOf('--out-dir');
  if (at === -1) return join(ROOT, 'dist');
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) {
    console.error('usage: tsx scripts/build.ts [--out-dir DIR]');
    process.exit(2);
  }
  return resolve(value);
}

const outDir = parseOutDir(process.argv.slice(2));
const building = `${outDir}.building`;
const started = performance.now();
// A fresh tree: a file removed from src/ must not live on in the build.
rmSync(building, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(
  process.execPath,
  [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', building],
  {
    stdio: 'inherit',
  },
);
if (compiled.status !== 0) {
  console.error(`build: tsc failed (exit ${compiled.status ?? compiled.signal})`);
  rmSync(building, { recursive: true, force: true });
  process.exit(1);
}

cpSync(SRC, building, {
  recursive: true,
  filter: (source) => !NOT_COPIED.has(extname(source)),
});

const kernelsFile = join(building, 'engine', 'compositor', KERNELS_WASM_FILE);
mkdirSync(dirname(kernelsFile), { recursive: true });
writeFileSync(kernelsFile, await compileKernelsWat());

rmSync(outDir, { recursive: true, force: true });
renameSync(building, outDir);

console.log(`build: ${outDir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
