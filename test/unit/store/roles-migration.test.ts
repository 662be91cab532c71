// Migration 007 on a database made before roles existed: everyone keeps full access as admin,
// sessions and tokens survive (the role column is replaced, not the table), and only the three
// roles can be stored from then on.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadMigrations, migrate, openDatabase } from '../../../src/store/database.ts';
import { tempDir } from '../../helpers/temp.ts';

describe('migration 007 (roles)', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('makes existing users and API tokens admin and keeps their sessions and tokens', () => {
    const db = openDatabase(join(dir.path, 'before-roles.db'));
    const all = loadMigrations();
    migrate(
      db,
      all.filter((migration) => migration.version < 7),
    );
    const t = '2026-11-01T10:00:00.000Z';
    db.prepare(
      `INSERT INTO users (username, password_hash, role, created_at)
       VALUES ('admin', 'scrypt$a', 'admin', ?), ('deck', 'scrypt$b', 'operator', ?)`,
    ).run(t, t);
    db.prepare(
      `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
       VALUES ('session-hash', 2, 'csrf', ?, ?, '2026-12-01T00:00:00.000Z')`,
    ).run(t, t);
    db.prepare(
      `INSERT INTO api_tokens (name, token_hash, user_id, created_at) VALUES ('prometheus', 'token-hash', 2, ?)`,
    ).run(t);

    assert.ok(migrate(db, all).includes(7));

    assert.deepEqual(db.prepare('SELECT id, username, password_hash, role, created_at FROM users').all(), [
      { id: 1, username: 'admin', password_hash: 'scrypt$a', role: 'admin', created_at: t },
      { id: 2, username: 'deck', password_hash: 'scrypt$b', role: 'admin', created_at: t },
    ]);
    assert.deepEqual(db.prepare('SELECT token_hash, user_id FROM sessions').all(), [
      { token_hash: 'session-hash', user_id: 2 },
    ]);
    assert.deepEqual(db.prepare('SELECT name, user_id, role FROM api_tokens').all(), [
      { name: 'prometheus', user_id: 2, role: 'admin' },
    ]);
    assert.deepEqual(db.pragma('foreign_key_check'), []);

    db.prepare(
      `INSERT INTO users (username, password_hash, role) VALUES ('watch', 'scrypt$c', 'viewer')`,
    ).run();
    assert.throws(
      () => db.prepare(`INSERT INTO users (username, password_hash, role) VALUES ('eve', 'x', 'root')`).run(),
      /CHECK constraint failed/,
    );
    assert.throws(
      () =>
        db
          .prepare(
            `INSERT INTO api_tokens (name, token_hash, user_id, role, created_at) VALUES ('x', 'y', 1, 'owner', ?)`,
          )
          .run(t),
      /CHECK constraint failed/,
    );
    // A new row that names no role gets the least access.
    db.prepare(
      `INSERT INTO api_tokens (name, token_hash, user_id, created_at) VALUES ('bare', 'z', 1, ?)`,
    ).run(t);
    assert.equal(db.prepare(`SELECT role FROM api_tokens WHERE name = 'bare'`).pluck().get(), 'viewer');
    db.close();
  });
});
