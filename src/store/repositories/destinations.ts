// Streaming destinations. The stream key is write-only: sealed at rest, masked on every read.
import { DestinationCreateSchema, DestinationPatchSchema, type Platform } from '../../domain/schemas.ts';
import { AppError } from '../../errors/registry.ts';
import { nowIso, type Db } from '../database.ts';
import { maskSecret, type SecretBox } from '../secrets.ts';
import { parseInput, writeNamed } from './shared.ts';

export interface Destination {
  id: number;
  name: string;
  platform: Platform;
  server_url: string;
  /** e.g. "••••••••x9k2"; null when no key is set. The key itself is never returned. */
  stream_key_masked: string | null;
  enabled: boolean;
  /** The platform's limit on one live session in hours: null = the platform's own, 0 = none. */
  max_session_hours: number | null;
  created_at: string;
  modified_at: string;
}

interface DestinationRow {
  id: number;
  name: string;
  platform: Platform;
  server_url: string;
  stream_key_enc: string | null;
  enabled: number;
  max_session_hours: number | null;
  created_at: string;
  modified_at: string;
}

export class DestinationRepository {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
  ) {}

  create(input: unknown): Destination {
    const value = parseInput(DestinationCreateSchema, input, 'destination');
    const now = nowIso();
    return writeNamed(this.db, value.name, () => {
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO destinations (name, platform, server_url, stream_key_enc, enabled, max_session_hours,
             created_at, modified_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          value.name,
          value.platform,
          value.server_url,
          this.seal(value.stream_key ?? null),
          value.enabled ? 1 : 0,
          value.max_session_hours ?? null,
          now,
          now,
        );
      return this.get(Number(lastInsertRowid));
    });
  }

  update(id: number, input: unknown): Destination {
    const patch = parseInput(DestinationPatchSchema, input, 'destination change');
    const next = { ...this.row(id) };
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.platform !== undefined) next.platform = patch.platform;
    if (patch.server_url !== undefined) next.server_url = patch.server_url;
    if (patch.stream_key !== undefined) next.stream_key_enc = this.seal(patch.stream_key);
    if (patch.enabled !== undefined) next.enabled = patch.enabled ? 1 : 0;
    if (patch.max_session_hours !== undefined) next.max_session_hours = patch.max_session_hours;
    // The combined result must still be valid (e.g. Facebook stays RTMPS-only).
    parseInput(
      DestinationCreateSchema,
      { name: next.name, platform: next.platform, server_url: next.server_url },
      'destination change',
    );
    return writeNamed(this.db, next.name, () => {
      this.db
        .prepare(
          `UPDATE destinations SET name = @name, platform = @platform, server_url = @server_url,
             stream_key_enc = @stream_key_enc, enabled = @enabled, max_session_hours = @max_session_hours,
             modified_at = @modified_at WHERE id = @id`,
        )
        .run({ ...next, modified_at: nowIso() });
      return this.get(id);
    });
  }

  get(id: number): Destination {
    return this.toDestination(this.row(id));
  }

  list(): Destination[] {
    return (this.db.prepare('SELECT * FROM destinations ORDER BY id').all() as DestinationRow[]).map((row) =>
      this.toDestination(row),
    );
  }

  delete(id: number): void {
    if (this.db.prepare('DELETE FROM destinations WHERE id = ?').run(id).changes === 0) throw notFound(id);
  }

  /** The stream key for the publisher. Internal use only: never log or return it. */
  streamKey(id: number): string | null {
    const row = this.row(id);
    return row.stream_key_enc === null ? null : this.secrets.open(row.stream_key_enc);
  }

  private seal(key: string | null): string | null {
    return key === null || key === '' ? null : this.secrets.seal(key);
  }

  private row(id: number): DestinationRow {
    const row = this.db.prepare('SELECT * FROM destinations WHERE id = ?').get(id) as
      DestinationRow | undefined;
    if (!row) throw notFound(id);
    return row;
  }

  private toDestination(row: DestinationRow): Destination {
    return {
      id: row.id,
      name: row.name,
      platform: row.platform,
      server_url: row.server_url,
      stream_key_masked: maskSecret(
        row.stream_key_enc === null ? null : this.secrets.open(row.stream_key_enc),
      ),
      enabled: row.enabled === 1,
      max_session_hours: row.max_session_hours,
      created_at: row.created_at,
      modified_at: row.modified_at,
    };
  }
}

function notFound(id: number): AppError {
  return new AppError('DESTINATION_NOT_FOUND', `there is no destination ${id}`);
}
