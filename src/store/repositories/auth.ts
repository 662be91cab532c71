// Sessions and API tokens. The secrets themselves never reach the database: callers hand in the
// SHA-256 of the cookie or token, so a stolen copy of the file does not sign anyone in.
import type { Db } from '../database.ts';
import type { User, UserRole } from './records.ts';
import { AppError } from '../../errors/registry.ts';

export interface Session {
  id: number;
  user: User;
  csrfToken: string;
  expiresAt: string;
}

interface SessionRow {
  id: number;
  csrf_token: string;
  expires_at: string;
  user_id: number;
  username: string;
  role: User['role'];
  user_created_at: string;
}

export class SessionRepository {
  constructor(private readonly db: Db) {}

  create(tokenHash: string, userId: number, csrfToken: string, now: Date, expiresAt: Date): void {
    this.db
      .prepare(
        `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(tokenHash, userId, csrfToken, now.toISOString(), now.toISOString(), expiresAt.toISOString());
  }

  /** The live session for a token hash; an expired one is deleted and null returned. */
  find(tokenHash: string, now: Date): Session | null {
    const row = this.db
      .prepare(
        `SELECT s.id, s.csrf_token, s.expires_at, u.id AS user_id, u.username, u.role,
                u.created_at AS user_created_at
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
      )
      .get(tokenHash) as SessionRow | undefined;
    if (!row) return null;
    if (row.expires_at <= now.toISOString()) {
      this.db.prepare('DELETE FROM sessions WHERE id = ?').run(row.id);
      return null;
    }
    return {
      id: row.id,
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at,
      user: { id: row.user_id, username: row.username, role: row.role, created_at: row.user_created_at },
    };
  }

  /** Slides the expiry forward (an operator using the appliance stays signed in). */
  touch(id: number, now: Date, expiresAt: Date): void {
    this.db
      .prepare('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?')
      .run(now.toISOString(), expiresAt.toISOString(), id);
  }

  delete(tokenHash: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  deleteForUser(userId: number): number {
    return this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId).changes;
  }

  deleteExpired(now: Date): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now.toISOString()).changes;
  }
}

export interface ApiToken {
  id: number;
  name: string;
  /** What the token may do (never more than its owner's role allows). */
  role: UserRole;
  user_id: number;
  /** The owner's user name. */
  username: string;
  created_at: string;
  last_used_at: string | null;
}

/** Who a token acts for and with which role. */
export interface TokenUse {
  user: User;
  tokenRole: UserRole;
}

const TOKEN_COLUMNS = `t.id, t.name, t.role, t.user_id, u.username, t.created_at, t.last_used_at
  FROM api_tokens t JOIN users u ON u.id = t.user_id`;

export class ApiTokenRepository {
  constructor(private readonly db: Db) {}

  create(name: string, tokenHash: string, userId: number, role: UserRole, now: Date): ApiToken {
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO api_tokens (name, token_hash, user_id, role, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(name, tokenHash, userId, role, now.toISOString());
    return this.get(Number(lastInsertRowid));
  }

  get(id: number): ApiToken {
    const row = this.db.prepare(`SELECT ${TOKEN_COLUMNS} WHERE t.id = ?`).get(id) as ApiToken | undefined;
    if (!row) throw new AppError('TOKEN_NOT_FOUND', `there is no API token ${id}`);
    return row;
  }

  list(): ApiToken[] {
    return this.db.prepare(`SELECT ${TOKEN_COLUMNS} ORDER BY t.id`).all() as ApiToken[];
  }

  /** The user a token belongs to and the token's own role (and notes its use), or null. */
  use(tokenHash: string, now: Date): TokenUse | null {
    const row = this.db
      .prepare(
        `SELECT t.id AS token_id, t.role AS token_role, u.id, u.username, u.role, u.created_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`,
      )
      .get(tokenHash) as (User & { token_id: number; token_role: UserRole }) | undefined;
    if (!row) return null;
    this.db
      .prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?')
      .run(now.toISOString(), row.token_id);
    return {
      user: { id: row.id, username: row.username, role: row.role, created_at: row.created_at },
      tokenRole: row.token_role,
    };
  }

  delete(id: number): void {
    const { changes } = this.db.prepare('DELETE FROM api_tokens WHERE id = ?').run(id);
    if (changes === 0) throw new AppError('TOKEN_NOT_FOUND', `there is no API token ${id}`);
  }
}
