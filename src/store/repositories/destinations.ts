// Streaming destinations. The stream key is write-only: sealed at rest, masked on every read.
// A server URL may carry a secret too: a key typed into an RTMP(S) URL's path is moved to the
// key field; any other secret in it (a key path beside a key, user:password@, an SRT
// ?passphrase=) keeps the whole URL sealed in server_url_enc, with the masked form in server_url.
import { createLogger } from '../../core/logger.ts';
import { redactUrl } from '../../core/redact.ts';
import {
  DestinationCreateSchema,
  DestinationPatchSchema,
  YouTubeBroadcastSettingsSchema,
  type Platform,
  type YouTubeBroadcastSettings,
} from '../../domain/schemas.ts';
import { AppError } from '../../errors/registry.ts';
import { checkpointNow, nowIso, type Db } from '../database.ts';
import { maskSecret, urlHoldsSecret, type SecretBox } from '../secrets.ts';
import { parseInput, writeNamed } from './shared.ts';

export interface Destination {
  id: number;
  name: string;
  platform: Platform;
  /** The full server URL (secrets included: for the publisher; the API shows it redacted). */
  server_url: string;
  /** e.g. "••••••••x9k2"; null when no key is set. The key itself is never returned. */
  stream_key_masked: string | null;
  enabled: boolean;
  /** The platform's limit on one live session in hours: null = the platform's own, 0 = none. */
  max_session_hours: number | null;
  /** Broadcasts run through the YouTube Live API; null: a plain stream key. */
  youtube: YouTubeBroadcastSettings | null;
  created_at: string;
  modified_at: string;
}

interface DestinationRow {
  id: number;
  name: string;
  platform: Platform;
  /** The masked form when server_url_enc is set, else the URL itself. */
  server_url: string;
  server_url_enc: string | null;
  stream_key_enc: string | null;
  enabled: number;
  max_session_hours: number | null;
  youtube_settings: string | null;
  created_at: string;
  modified_at: string;
}

/** What is written for a server URL and a stream key. */
interface StoredSecrets {
  server_url: string;
  server_url_enc: string | null;
  stream_key_enc: string | null;
}

export class DestinationRepository {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
  ) {
    this.sealClearTextRows();
  }

  create(input: unknown): Destination {
    const value = parseInput(DestinationCreateSchema, input, 'destination');
    const now = nowIso();
    const stored = this.storedSecrets(value.server_url, value.stream_key ?? null);
    return writeNamed(this.db, value.name, () => {
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO destinations (name, platform, server_url, server_url_enc, stream_key_enc, enabled,
             max_session_hours, youtube_settings, created_at, modified_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          value.name,
          value.platform,
          stored.server_url,
          stored.server_url_enc,
          stored.stream_key_enc,
          value.enabled ? 1 : 0,
          value.max_session_hours ?? null,
          value.youtube ? JSON.stringify(value.youtube) : null,
          now,
          now,
        );
      return this.get(Number(lastInsertRowid));
    });
  }

  update(id: number, input: unknown): Destination {
    const patch = parseInput(DestinationPatchSchema, input, 'destination change');
    const current = this.row(id);
    const next = { ...current };
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.platform !== undefined) next.platform = patch.platform;
    if (patch.enabled !== undefined) next.enabled = patch.enabled ? 1 : 0;
    if (patch.max_session_hours !== undefined) next.max_session_hours = patch.max_session_hours;
    if (patch.youtube !== undefined)
      next.youtube_settings = patch.youtube === null ? null : JSON.stringify(patch.youtube);
    const serverUrl = patch.server_url ?? this.fullServerUrl(current);
    // The combined result must still be valid (e.g. Facebook stays RTMPS-only).
    parseInput(
      DestinationCreateSchema,
      {
        name: next.name,
        platform: next.platform,
        server_url: serverUrl,
        youtube: parseYouTubeSettings(next.youtube_settings),
      },
      'destination change',
    );
    if (patch.server_url !== undefined || patch.stream_key !== undefined) {
      const streamKey = patch.stream_key !== undefined ? patch.stream_key : this.openKey(current);
      Object.assign(next, this.storedSecrets(serverUrl, streamKey));
    }
    return writeNamed(this.db, next.name, () => {
      this.db
        .prepare(
          `UPDATE destinations SET name = @name, platform = @platform, server_url = @server_url,
             server_url_enc = @server_url_enc, stream_key_enc = @stream_key_enc, enabled = @enabled,
             max_session_hours = @max_session_hours, youtube_settings = @youtube_settings,
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
    return this.openKey(this.row(id));
  }

  private seal(key: string | null): string | null {
    return key === null || key === '' ? null : this.secrets.seal(key);
  }

  private openKey(row: DestinationRow): string | null {
    return row.stream_key_enc === null ? null : this.secrets.open(row.stream_key_enc);
  }

  private fullServerUrl(row: DestinationRow): string {
    return row.server_url_enc === null ? row.server_url : this.secrets.open(row.server_url_enc);
  }

  private storedSecrets(serverUrl: string, streamKey: string | null): StoredSecrets {
    const moved = moveKeyOutOfServerUrl(serverUrl, streamKey);
    const sealWhole = urlHoldsSecret(moved.serverUrl);
    return {
      server_url: sealWhole ? redactUrl(moved.serverUrl) : moved.serverUrl,
      server_url_enc: sealWhole ? this.secrets.seal(moved.serverUrl) : null,
      stream_key_enc: this.seal(moved.streamKey),
    };
  }

  /**
   * Rows saved before server URLs were sealed (migration 008) are sealed when the store opens.
   * A row whose key cannot be opened (another secret key) is left as it is and logged by id.
   */
  private sealClearTextRows(): void {
    const rows = this.db
      .prepare('SELECT * FROM destinations WHERE server_url_enc IS NULL ORDER BY id')
      .all() as DestinationRow[];
    const update = this.db.prepare(
      `UPDATE destinations SET server_url = @server_url, server_url_enc = @server_url_enc,
         stream_key_enc = @stream_key_enc WHERE id = @id`,
    );
    const log = createLogger('store');
    let sealed = 0;
    this.db.transaction(() => {
      for (const row of rows) {
        try {
          const streamKey = this.openKey(row);
          const moved = moveKeyOutOfServerUrl(row.server_url, streamKey);
          if (moved.serverUrl === row.server_url && !urlHoldsSecret(row.server_url)) continue;
          update.run({ id: row.id, ...this.storedSecrets(row.server_url, streamKey) });
          sealed += 1;
          log.info({ destination: row.id }, 'sealed the secret in a destination’s server URL');
        } catch (error) {
          const code = error instanceof AppError ? error.code : 'unknown';
          log.warn({ destination: row.id, code }, 'could not seal a destination’s server URL; left as it is');
        }
      }
    })();
    if (sealed > 0) checkpointNow(this.db);
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
      server_url: this.fullServerUrl(row),
      stream_key_masked: maskSecret(
        row.stream_key_enc === null ? null : this.secrets.open(row.stream_key_enc),
      ),
      enabled: row.enabled === 1,
      max_session_hours: row.max_session_hours,
      youtube: parseYouTubeSettings(row.youtube_settings),
      created_at: row.created_at,
      modified_at: row.modified_at,
    };
  }
}

export interface ServerAndKey {
  serverUrl: string;
  streamKey: string | null;
}

/** rtmp(s)://authority/app/KEY[?query]: authority, app, and the key with its query. */
const RTMP_KEY_IN_PATH_RE = /^(rtmps?:\/\/[^/?#\s]+)\/+([^/?#\s]+)\/+([^?#\s][^#\s]*)$/i;

/**
 * A key typed into an RTMP(S) server URL (rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl) with
 * the key field empty becomes the key (abcd-efgh-ijkl, its query with it: Facebook's keys carry
 * one) and the server keeps the application (rtmp://a.rtmp.youtube.com/live2): destinationUrl()
 * joins them back into the same address. With a key set, the path is left alone (it may be an
 * application instance) and the URL is sealed whole instead.
 */
export function moveKeyOutOfServerUrl(serverUrl: string, streamKey: string | null): ServerAndKey {
  const key = streamKey?.trim() ?? '';
  if (key !== '') return { serverUrl, streamKey: key };
  const match = RTMP_KEY_IN_PATH_RE.exec(serverUrl.trim());
  if (!match) return { serverUrl, streamKey: null };
  return { serverUrl: `${match[1]!}/${match[2]!}`, streamKey: match[3]! };
}

/** The stored broadcast settings; a row that no longer parses reads as none. */
function parseYouTubeSettings(stored: string | null): YouTubeBroadcastSettings | null {
  if (stored === null) return null;
  const parsed = YouTubeBroadcastSettingsSchema.safeParse(JSON.parse(stored));
  return parsed.success ? parsed.data : null;
}

function notFound(id: number): AppError {
  return new AppError('DESTINATION_NOT_FOUND', `there is no destination ${id}`);
}
