// The house's import graph (src/, type imports included): no circle of files anywhere, and the app
// layer reaches the engine only through its door (src/engine/index.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const SRC = resolve(import.meta.dirname, '../../../src');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

/** Each file (relative to src/) with the src/ files it imports or re-exports, statically or not. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const specifier = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm;
  for (const path of sourceFiles(SRC)) {
    const text = readFileSync(path, 'utf8');
    const targets = [...text.matchAll(specifier)]
      // A compiled build may name the .js of a .ts source.
      .map((match) => relative(SRC, resolve(dirname(path), match[1]!.replace(/\.js$/, '.ts'))))
      .filter((target) => !target.startsWith('..'));
    graph.set(relative(SRC, path), [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components of more than one file, or a file importing itself (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next++;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

describe('the import graph of src/', () => {
  const graph = importGraph();

  it('reads the imports (the graph is not empty)', () => {
    assert.ok(graph.size > 100, `${graph.size} files`);
    assert.ok(graph.get(join('engine', 'engine.ts'))?.includes(join('engine', 'playout.ts')));
    assert.deepEqual(
      circles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['c.ts']],
          ['c.ts', ['a.ts']],
          ['d.ts', ['a.ts']],
        ]),
      ),
      [['a.ts', 'b.ts', 'c.ts']],
      'the circle finder finds a circle',
    );
  });

  it('has no circle of files', () => {
    assert.deepEqual(circles(graph), []);
  });

  it('the app layer imports the engine only through src/engine/index.ts', () => {
    const deep: string[] = [];
    for (const [file, targets] of graph) {
      if (!file.startsWith('app/')) continue;
      for (const target of targets)
        if (target.startsWith('engine/') && target !== join('engine', 'index.ts'))
          deep.push(`${file} -> ${target}`);
    }
    assert.deepEqual(deep, [], 'app/ imports engine internals');
  });
});
