// YouTube channels connected through OAuth's device flow (migration 012). The refresh and access
// tokens are sealed with the appliance's secret key before they reach the file and opened only
// here; nothing else reads the *_enc columns.
import { AppError } from '../../errors/registry.ts';
import type { Db } from '../database.ts';
import type { SecretBox } from '../secrets.ts';
import type { YouTubeConnectionSummary } from '../../domain/youtube.ts';

export type { YouTubeConnectionSummary };

/** A connection's tokens, in clear (in memory only). */
export interface YouTubeTokens {
  refreshToken: string;
  accessToken: string | null;
  /** Wall-clock ms when the access token stops working; null: no access token held. */
  accessExpiresAt: number | null;
  scope: string;
}

interface ConnectionRow {
  id: number;
  label: string;
  scope: string;
  refresh_token_enc: string;
  access_token_enc: string | null;
  access_expires_at_ms: number | null;
  connected_at_ms: number;
  revoked_at_ms: number | null;
  revoked_reason: string | null;
}

function summaryOf(row: ConnectionRow): YouTubeConnectionSummary {
  return {
    id: row.id,
    label: row.label,
    scope: row.scope,
    connectedAt: row.connected_at_ms,
    revokedAt: row.revoked_at_ms,
    revokedReason: row.revoked_reason,
  };
}

export class YouTubeConnectionRepository {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
  ) {}

  /** Stores a newly connected channel's tokens; returns its id. */
  create(label: string, tokens: YouTubeTokens, connectedAt: number): number {
    const result = this.db
      .prepare(
        `INSERT INTO youtube_connections
           (label, scope, refresh_token_enc, access_token_enc, access_expires_at_ms, connected_at_ms)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(label, ...this.sealedTokens(tokens), connectedAt);
    return Number(result.lastInsertRowid);
  }

  /** The same channel connected again: new tokens in place (so destinations and a show on air
   *  that use the connection carry on with it), no longer revoked. */
  reconnect(id: number, label: string, tokens: YouTubeTokens, connectedAt: number): void {
    this.row(id);
    this.db
      .prepare(
        `UPDATE youtube_connections
            SET label = ?, scope = ?, refresh_token_enc = ?, access_token_enc = ?,
                access_expires_at_ms = ?, connected_at_ms = ?, revoked_at_ms = NULL, revoked_reason = NULL
          WHERE id = ?`,
      )
      .run(label, ...this.sealedTokens(tokens), connectedAt, id);
  }

  /** scope, refresh_token_enc, access_token_enc, access_expires_at_ms: the tokens as stored. */
  private sealedTokens(tokens: YouTubeTokens): [string, string, string | null, number | null] {
    return [
      tokens.scope,
      this.secrets.seal(tokens.refreshToken),
      tokens.accessToken === null ? null : this.secrets.seal(tokens.accessToken),
      tokens.accessExpiresAt,
    ];
  }

  list(): YouTubeConnectionSummary[] {
    const rows = this.db.prepare('SELECT * FROM youtube_connections ORDER BY id').all() as ConnectionRow[];
    return rows.map(summaryOf);
  }

  get(id: number): YouTubeConnectionSummary {
    return summaryOf(this.row(id));
  }

  /** The tokens of a live connection; a revoked one answers YOUTUBE_TOKEN_REVOKED. */
  tokens(id: number): YouTubeTokens {
    const row = this.row(id);
    if (row.revoked_at_ms !== null)
      throw new AppError(
        'YOUTUBE_TOKEN_REVOKED',
        `the YouTube connection "${row.label}" was revoked (${row.revoked_reason ?? 'no reason given'})`,
      );
    return {
      refreshToken: this.secrets.open(row.refresh_token_enc),
      accessToken: row.access_token_enc === null ? null : this.secrets.open(row.access_token_enc),
      accessExpiresAt: row.access_expires_at_ms,
      scope: row.scope,
    };
  }

  /** A refreshed access token (Google may hand a new refresh token too). */
  updateAccess(id: number, accessToken: string, expiresAt: number, refreshToken?: string): void {
    this.db
      .prepare(
        `UPDATE youtube_connections
            SET access_token_enc = ?, access_expires_at_ms = ?,
                refresh_token_enc = COALESCE(?, refresh_token_enc)
          WHERE id = ?`,
      )
      .run(
        this.secrets.seal(accessToken),
        expiresAt,
        refreshToken === undefined ? null : this.secrets.seal(refreshToken),
        id,
      );
  }

  /** Marks the connection revoked and forgets its access token (the refresh token is kept sealed
   *  only so a disconnect can still tell Google; it is never used again). */
  markRevoked(id: number, at: number, reason: string): void {
    this.db
      .prepare(
        `UPDATE youtube_connections
            SET revoked_at_ms = ?, revoked_reason = ?, access_token_enc = NULL, access_expires_at_ms = NULL
          WHERE id = ? AND revoked_at_ms IS NULL`,
      )
      .run(at, reason, id);
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM youtube_connections WHERE id = ?').run(id);
  }

  private row(id: number): ConnectionRow {
    const row = this.db.prepare('SELECT * FROM youtube_connections WHERE id = ?').get(id) as
      ConnectionRow | undefined;
    if (!row) throw new AppError('YOUTUBE_NOT_CONNECTED', `no YouTube connection ${id}`);
    return row;
  }
}
