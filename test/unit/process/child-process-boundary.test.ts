// Every child process goes through src/process/: node:child_process is imported by one module
// there (spawn.ts) and nowhere else in the appliance's sources.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const SRC = fileURLToPath(new URL('../../../src', import.meta.url));
const CHILD_PROCESS = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](?:node:)?child_process['"]/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

describe('child process boundary', () => {
  it('the pattern finds the import forms it is meant to find', () => {
    assert.ok(CHILD_PROCESS.test("import { spawn } from 'node:child_process';"));
    assert.ok(CHILD_PROCESS.test('import type { ChildProcess } from "child_process";'));
    assert.ok(CHILD_PROCESS.test("const cp = await import('node:child_process');"));
    assert.ok(!CHILD_PROCESS.test('// through src/process/, never node:child_process directly'));
  });

  it('only src/process/spawn.ts imports node:child_process', () => {
    const importers = sources(SRC)
      .filter((path) => CHILD_PROCESS.test(readFileSync(path, 'utf8')))
      .map((path) => relative(SRC, path));
    assert.deepEqual(importers, ['process/spawn.ts']);
  });
});
