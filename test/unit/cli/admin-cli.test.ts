import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { hashPassword, verifyPassword } from '../../../src/api/auth/passwords.ts';
import { resetPassword } from '../../../src/cli.ts';
import { openStore } from '../../../src/store/store.ts';
import { tempDir } from '../../helpers/temp.ts';

describe('vistter admin reset-password (real SQLite file)', () => {
  const dir = tempDir('vistter-admin-cli-');
  const key = randomBytes(32);
  const env = { VISTTER_DATA_DIR: dir.path, VISTTER_SECRET_KEY: key.toString('base64') };
  after(() => dir.cleanup());
  const run = async (argv: string[], password: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await resetPassword(
      argv,
      { out: (l) => out.push(l), err: (l) => err.push(l) },
      async () => password,
      env,
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('with no user yet, says to use the web UI', async () => {
    const result = await run(['reset-password'], 'a long new password');
    assert.equal(result.code, 1);
    assert.match(result.err, /open the web UI/);
  });

  it('sets the new password, signs every session out, and refuses a weak one without changing anything', async () => {
    const store = openStore({ dataDir: dir.path, secretKey: key });
    const admin = store.users.create('admin', await hashPassword('the forgotten password'));
    store.sessions.create('a'.repeat(64), admin.id, 'csrf', new Date(), new Date(Date.now() + 86_400_000));
    store.close();

    const weak = await run(['reset-password'], 'short');
    assert.equal(weak.code, 1);
    assert.match(weak.err, /at least 10 characters; nothing was changed/);
    const unknown = await run(['reset-password', '--user', 'bob'], 'a long new password');
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no user "bob" \(users: admin\)/);

    const ok = await run(['reset-password', '--user', 'ADMIN'], 'a long new password');
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /Password of "admin" changed; 1 session\(s\) signed out/);
    const after = openStore({ dataDir: dir.path, secretKey: key });
    try {
      const stored = after.users.credentials('admin')!.password_hash;
      assert.equal(await verifyPassword('a long new password', stored), true);
      assert.equal(await verifyPassword('the forgotten password', stored), false);
      assert.equal(after.sessions.find('a'.repeat(64), new Date()), null);
    } finally {
      after.close();
    }
  });
});
