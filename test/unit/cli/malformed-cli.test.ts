// Issue 14 item 3 from the command line: `bin/vistter timeline validate|import` on bad files prints
// the problem with its JSON path in one paragraph and exits non-zero; never a stack trace.
// The real bin/vistter is spawned, as an operator or a script runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { tempDir } from '../../helpers/temp.ts';
import { specExampleJson } from '../../helpers/timelines.ts';

const BIN = fileURLToPath(new URL('../../../bin/vistter', import.meta.url));
/** A line of a JavaScript stack trace. */
const STACK_LINE = /^\s+at /m;

function specWithResolution(resolution: unknown): string {
  const doc = specExampleJson();
  doc.timeline['resolution'] = resolution;
  return JSON.stringify(doc, null, 2);
}

describe('bin/vistter on malformed timeline files', () => {
  const dir = tempDir('vistter-cli-bad-');
  const env = {
    ...process.env,
    VISTTER_DATA_DIR: join(dir.path, 'data'),
    VISTTER_SECRET_KEY: randomBytes(32).toString('base64'),
    VISTTER_LOG_LEVEL: 'silent',
  };
  after(() => dir.cleanup());

  const run = (args: string[]) => {
    const result = spawnSync(BIN, args, { env, encoding: 'utf8', timeout: 120_000 });
    return { code: result.status, out: result.stdout, err: result.stderr };
  };
  const file = (name: string, text: string) => {
    const path = join(dir.path, name);
    writeFileSync(path, text);
    return path;
  };

  /** One paragraph: no blank line, no stack trace, the expected text; exit code 1. */
  const assertRefused = (result: ReturnType<typeof run>, expected: RegExp) => {
    assert.equal(result.code, 1, `exit code; stderr: ${result.err}`);
    assert.doesNotMatch(result.err, STACK_LINE, `a stack trace was printed:\n${result.err}`);
    assert.doesNotMatch(result.out, STACK_LINE);
    assert.doesNotMatch(result.err.trim(), /\n\s*\n/, `more than one paragraph:\n${result.err}`);
    assert.match(result.err, expected);
  };

  const RESOLUTIONS: Array<[value: unknown, message: RegExp]> = [
    ['abc', /timeline\.resolution: must be WIDTHxHEIGHT in pixels, like 1920x1080; got "abc"/],
    ['0x0', /timeline\.resolution: width and height must be even, from 16x16 up to 3840x2160/],
    ['100000x100000', /timeline\.resolution: width and height must be even, from 16x16 up to 3840x2160/],
    ['1920x1080p', /timeline\.resolution: must be WIDTHxHEIGHT in pixels, like 1920x1080; got "1920x1080p"/],
    [1080, /timeline\.resolution: must be WIDTHxHEIGHT in pixels, like 1920x1080/],
  ];
  for (const [resolution, message] of RESOLUTIONS) {
    it(`validate: resolution ${JSON.stringify(resolution)} is named with its path`, () => {
      const path = file(`resolution-${String(resolution)}.json`, specWithResolution(resolution));
      const result = run(['timeline', 'validate', path]);
      assertRefused(result, message);
      assert.match(result.err, /is not a valid timeline \(1 problem\)/);
    });
  }

  it('import: the same refusal, and nothing is stored', () => {
    const path = file('import-abc.json', specWithResolution('abc'));
    assertRefused(run(['timeline', 'import', path]), /timeline\.resolution: must be WIDTHxHEIGHT/);
    const list = run(['timeline', 'list', '--json']);
    assert.equal(list.code, 0, list.err);
    assert.deepEqual(JSON.parse(list.out), []);
  });

  it('files that are not a timeline: JSON null, a list, broken JSON, an empty file', () => {
    assertRefused(run(['timeline', 'validate', file('null.json', 'null')]), /\(document\)/);
    assertRefused(run(['timeline', 'validate', file('list.json', '[1, 2]')]), /\(document\)/);
    assertRefused(
      run(['timeline', 'validate', file('broken.json', '{\n  "timeline": {\n    "name": "x",\n')]),
      /not valid JSON/,
    );
    assertRefused(run(['timeline', 'import', file('empty.json', '')]), /not valid JSON/);
  });

  it('a folder or a missing file instead of a timeline file', () => {
    const folder = join(dir.path, 'a-folder.json');
    mkdirSync(folder);
    assertRefused(run(['timeline', 'validate', folder]), /a-folder\.json cannot be read \(EISDIR\)/);
    assertRefused(
      run(['timeline', 'import', join(dir.path, 'nowhere.json')]),
      /nowhere\.json does not exist/,
    );
  });

  it('a data folder that cannot be opened is one paragraph too', () => {
    const notAFolder = file('not-a-folder', 'plain file');
    const result = run(['timeline', 'list', '--data-dir', notAFolder]);
    assert.notEqual(result.code, 0);
    assert.doesNotMatch(result.err, STACK_LINE, result.err);
    assert.doesNotMatch(result.err.trim(), /\n\s*\n/, result.err);
    assert.match(result.err, /✗/);
  });
});
