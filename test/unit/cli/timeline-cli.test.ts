import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from '../../../src/cli.ts';
import { tempDir } from '../../helpers/temp.ts';
import { SPEC_EXAMPLE_PATH, specExampleJson } from '../../helpers/timelines.ts';

const BIN = fileURLToPath(new URL('../../../bin/vistter', import.meta.url));

function cli(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('vistter timeline …', () => {
  const dir = tempDir();
  const env = {
    VISTTER_DATA_DIR: join(dir.path, 'data'),
    VISTTER_SECRET_KEY: randomBytes(32).toString('base64'),
  };
  after(() => dir.cleanup());

  it('validate accepts the spec example and reports its warning', () => {
    const r = cli(['timeline', 'validate', SPEC_EXAMPLE_PATH], env);
    assert.equal(r.code, 0);
    assert.match(
      r.out,
      /is a valid timeline: "Daily Marina Stream", 3600 s at 30 fps, 1 video \+ 2 overlay tracks, 6 cues/,
    );
    assert.match(r.out, /timeline\.tracks\.video\.cues\[2\]\.duration: nothing is scheduled after 125 s/);
  });

  it('validate lists every problem with its path and exits 1', () => {
    const doc = specExampleJson();
    const cues = (doc.timeline.tracks as { video: { cues: Array<Record<string, unknown>> } }).video.cues;
    cues[0]!['start_time'] = -5;
    cues[1]!['action'] = 'show_slides';
    const file = join(dir.path, 'bad.json');
    writeFileSync(file, JSON.stringify(doc));
    const r = cli(['timeline', 'validate', file], env);
    assert.equal(r.code, 1);
    assert.match(r.err, /2 problems/);
    assert.match(r.err, /timeline\.tracks\.video\.cues\[0\]\.start_time: must not be negative/);
    assert.match(r.err, /timeline\.tracks\.video\.cues\[1\]\.action: must be one of show_camera, show_media/);
    const asJson = JSON.parse(cli(['timeline', 'validate', file, '--json'], env).out) as {
      ok: boolean;
      errors: unknown[];
    };
    assert.equal(asJson.ok, false);
    assert.equal(asJson.errors.length, 2);
  });

  it('validate reports malformed JSON with a line and a missing file plainly', () => {
    const file = join(dir.path, 'broken.json');
    writeFileSync(file, '{\n  "timeline": [\n');
    const broken = cli(['timeline', 'validate', file], env);
    assert.equal(broken.code, 1);
    assert.match(
      broken.err,
      /\(document\): not valid JSON: the text ends at line 3 before the JSON is complete/,
    );
    const missing = cli(['timeline', 'validate', join(dir.path, 'nope.json')], env);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /does not exist\nCheck the path/);
  });

  it('import → list → export → import round-trips through files', () => {
    const imported = cli(['timeline', 'import', SPEC_EXAMPLE_PATH], env);
    assert.equal(imported.code, 0, imported.err);
    assert.match(imported.out, /Imported timeline 1: "Daily Marina Stream"/);
    assert.match(imported.out, /camera 1 is not configured on this appliance/);

    const listed = cli(['timeline', 'list'], env);
    assert.match(listed.out, /^1\tDaily Marina Stream\t3600s\t30\tno\t3\t6\t/m);

    const exportedFile = join(dir.path, 'export.json');
    assert.equal(cli(['timeline', 'export', '1', '--out', exportedFile], env).code, 0);
    assert.equal(existsSync(`${exportedFile}.partial`), false);
    const again = cli(['timeline', 'import', exportedFile, '--json'], env);
    assert.equal(JSON.parse(again.out).id, 2);
    assert.equal(cli(['timeline', 'export', '2'], env).out, readFileSync(exportedFile, 'utf8').trimEnd());
  });

  it('import of an invalid file writes nothing', () => {
    const file = join(dir.path, 'overlap.json');
    const doc = specExampleJson();
    (doc.timeline.tracks as { video: { cues: Array<Record<string, unknown>> } }).video.cues[2]![
      'start_time'
    ] = 62;
    writeFileSync(file, JSON.stringify(doc));
    const before = JSON.parse(cli(['timeline', 'list', '--json'], env).out) as unknown[];
    const r = cli(['timeline', 'import', file], env);
    assert.equal(r.code, 1);
    assert.match(r.err, /timeline\.tracks\.video\.cues\[2\]\.start_time: cue "cue_v3" starts at 62 s/);
    assert.match(r.err, /nothing was saved/);
    assert.deepEqual(JSON.parse(cli(['timeline', 'list', '--json'], env).out), before);
  });

  it('import of a timeline whose audio bed names no audio file writes nothing', () => {
    const file = join(dir.path, 'bed.json');
    const doc = specExampleJson();
    (doc.timeline.tracks as Record<string, unknown>)['audio'] = {
      track_id: 'bed',
      type: 'audio',
      cues: [
        { id: 'music', start_time: 0, duration: 60, action: 'play_audio', params: { asset_ids: [404] } },
      ],
    };
    writeFileSync(file, JSON.stringify(doc));
    const before = JSON.parse(cli(['timeline', 'list', '--json'], env).out) as unknown[];
    const r = cli(['timeline', 'import', file], env);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /timeline\.tracks\.audio\.cues\[0\]\.params\.asset_ids\[0\]: asset 404 is not in the library/,
    );
    assert.deepEqual(JSON.parse(cli(['timeline', 'list', '--json'], env).out), before);
  });

  it('export of an unknown id and a bad command fail clearly', () => {
    const unknown = cli(['timeline', 'export', '99'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /there is no timeline 99/);
    const usage = cli(['timeline', 'frobnicate'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /unknown timeline command "frobnicate"/);
    assert.equal(cli(['timeline', 'export', 'abc'], env).code, 2);
  });

  it('clone copies a timeline under a new name', () => {
    const r = cli(['timeline', 'clone', '1', '--name', 'Weekend Marina'], env);
    assert.match(r.out, /Cloned timeline 1 as \d+/);
    assert.match(cli(['timeline', 'list'], env).out, /Weekend Marina/);
  });

  it('the installed bin/vistter command works from another folder and the database holds the rows', () => {
    const run = spawnSync(BIN, ['timeline', 'import', SPEC_EXAMPLE_PATH], {
      cwd: dir.path,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const bad = spawnSync(BIN, ['timeline', 'validate', join(dir.path, 'overlap.json')], {
      cwd: dir.path,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    assert.equal(bad.status, 1);
    const db = new Database(join(env.VISTTER_DATA_DIR, 'vistterstream.db'), { readonly: true });
    try {
      const names = db.prepare('SELECT name FROM timelines ORDER BY id').pluck().all();
      assert.deepEqual(names, [
        'Daily Marina Stream',
        'Daily Marina Stream',
        'Weekend Marina',
        'Daily Marina Stream',
      ]);
    } finally {
      db.close();
    }
  });
});
