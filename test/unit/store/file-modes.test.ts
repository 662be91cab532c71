// The data folder is private: the database (and its -wal/-shm), the secret key, recordings and
// media are readable by the service's user only, for a fresh start and for files made before.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { secureDataDir } from '../../../src/store/database.ts';
import { openStore } from '../../../src/store/store.ts';
import { tempDir } from '../../helpers/temp.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
}

function modes(paths: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(paths).map(([name, path]) => [name, mode(path)]));
}

describe('data file modes', () => {
  const dir = tempDir('vistter-modes-');
  after(() => dir.cleanup());

  it('a store opened on a fresh folder makes the folder 0700 and its files 0600 (umask left at 022)', () => {
    const previous = process.umask(0o022);
    try {
      const dataDir = join(dir.path, 'fresh');
      const store = openStore({ dataDir });
      store.settings.set('appliance.name', 'Test'); // a write, so the WAL has content
      const db = join(dataDir, 'vistterstream.db');
      assert.deepEqual(
        modes({
          folder: dataDir,
          db,
          wal: `${db}-wal`,
          shm: `${db}-shm`,
          key: join(dataDir, 'secret.key'),
        }),
        { folder: '0700', db: '0600', wal: '0600', shm: '0600', key: '0600' },
      );
      store.close();
    } finally {
      process.umask(previous);
    }
  });

  it('files made before the rule are made private at start: the store its own, secureDataDir the rest', () => {
    const dataDir = join(dir.path, 'old');
    const key = randomBytes(32);
    openStore({ dataDir, secretKey: key }).close();
    const db = join(dataDir, 'vistterstream.db');
    const recordings = join(dataDir, 'recordings');
    const assets = join(dataDir, 'assets');
    mkdirSync(join(recordings, 'day'), { recursive: true });
    mkdirSync(assets, { recursive: true });
    writeFileSync(join(recordings, 'day', 'show.mp4'), 'x');
    writeFileSync(join(assets, 'logo.png'), 'x');
    writeFileSync(join(dataDir, 'secret.key'), `${key.toString('base64')}\n`);
    for (const path of [dataDir, recordings, join(recordings, 'day'), assets]) chmodSync(path, 0o755);
    for (const path of [
      db,
      join(recordings, 'day', 'show.mp4'),
      join(assets, 'logo.png'),
      join(dataDir, 'secret.key'),
    ])
      chmodSync(path, 0o644);

    const store = openStore({ dataDir, secretKey: key });
    assert.equal(mode(db), '0600', 'the store makes its database private');
    store.close();

    secureDataDir(dataDir);
    assert.deepEqual(
      modes({
        folder: dataDir,
        key: join(dataDir, 'secret.key'),
        recordings,
        recordingsDay: join(recordings, 'day'),
        recording: join(recordings, 'day', 'show.mp4'),
        assets,
        asset: join(assets, 'logo.png'),
      }),
      {
        folder: '0700',
        key: '0600',
        recordings: '0700',
        recordingsDay: '0700',
        recording: '0600',
        assets: '0700',
        asset: '0600',
      },
    );
    assert.deepEqual(secureDataDir(dataDir), [], 'a second start changes nothing');
  });

  it('the service process (boot-env) creates everything private, its ffmpeg-like children too', () => {
    const dataDir = join(dir.path, 'service');
    // Started the way main.ts starts: boot-env first, then the store; then files written the way
    // the recorder and a child process write them (default modes).
    const script = `
      await import(${JSON.stringify(join(ROOT, 'src/boot-env.ts'))});
      const { openStore } = await import(${JSON.stringify(join(ROOT, 'src/store/store.ts'))});
      const { mkdirSync, writeFileSync } = await import('node:fs');
      const { spawnSync } = await import('node:child_process');
      const dataDir = process.env.VISTTER_DATA_DIR;
      const store = openStore({ dataDir });
      store.settings.set('appliance.name', 'Test');
      mkdirSync(dataDir + '/recordings', { recursive: true });
      writeFileSync(dataDir + '/recordings/by-node.mp4', 'x');
      spawnSync('/bin/sh', ['-c', ': > "$0/recordings/by-child.ts"', dataDir]);
      const { readFileSync } = await import('node:fs');
      const umask = /Umask:[ \t]+([0-7]+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
      console.log(JSON.stringify({ umask }));
    `;
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', VISTTER_DATA_DIR: dataDir };
    delete env['VISTTER_CONFIG'];
    delete env['VISTTER_SECRET_KEY'];
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env,
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout.trim().split('\n').at(-1)!), { umask: '0077' });
    const db = join(dataDir, 'vistterstream.db');
    assert.deepEqual(
      modes({
        folder: dataDir,
        db,
        key: join(dataDir, 'secret.key'),
        recordings: join(dataDir, 'recordings'),
        byNode: join(dataDir, 'recordings', 'by-node.mp4'),
        byChild: join(dataDir, 'recordings', 'by-child.ts'),
      }),
      { folder: '0700', db: '0600', key: '0600', recordings: '0700', byNode: '0600', byChild: '0600' },
    );
  });
});
