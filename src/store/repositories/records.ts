// Smaller record stores: assets, executions, settings, users (alerts live in alerts.ts).
import { posix } from 'node:path';
import { type AssetType, type ExecutionStatus } from '../../domain/schemas.ts';
import { AppError } from '../../errors/registry.ts';
import { checkpointNow, nowIso, type Db } from '../database.ts';
import type { SecretBox } from '../secrets.ts';
import { openSetting, sealSetting, settingNeedsSealing } from './settings-secrets.ts';

export interface Asset {
  id: number;
  asset_type: AssetType;
  filename: string;
  file_path: string;
  file_size: number | null;
  mime_type: string | null;
  checksum: string | null;
  uploaded_at: string;
  metadata: Record<string, unknown> | null;
}

type AssetRow = Omit<Asset, 'metadata'> & { metadata: string | null };

export class AssetRepository {
  constructor(private readonly db: Db) {}

  create(asset: Omit<Asset, 'id' | 'uploaded_at'>): Asset {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO assets (asset_type, filename, file_path, file_size, mime_type, checksum, metadata, uploaded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        asset.asset_type,
        asset.filename,
        asset.file_path,
        asset.file_size,
        asset.mime_type,
        asset.checksum,
        asset.metadata === null ? null : JSON.stringify(asset.metadata),
        nowIso(),
      );
    return this.get(Number(lastInsertRowid));
  }

  get(id: number): Asset {
    const row = this.db.prepare('SELECT * FROM assets WHERE id = ?').get(id) as AssetRow | undefined;
    if (!row) throw new AppError('ASSET_NOT_FOUND', `there is no asset ${id}`);
    return toAsset(row);
  }

  /** All assets by id, or those of one type and/or whose display name contains `q` (any case). */
  list(filter: { type?: AssetType; q?: string } = {}): Asset[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.type !== undefined) {
      where.push('asset_type = ?');
      params.push(filter.type);
    }
    if (filter.q !== undefined && filter.q !== '') {
      where.push("filename LIKE ? ESCAPE '\\'");
      params.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const sql = `SELECT * FROM assets ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (this.db.prepare(sql).all(...params) as AssetRow[]).map(toAsset);
  }

  /** The asset holding exactly this content (SHA-256, hex), if any. */
  findByChecksum(checksum: string): Asset | null {
    const row = this.db
      .prepare('SELECT * FROM assets WHERE checksum = ? ORDER BY id LIMIT 1')
      .get(checksum) as AssetRow | undefined;
    return row ? toAsset(row) : null;
  }

  /**
   * Timelines whose cues use the asset: by `asset_id`, or by its path ("/assets/<file>") in
   * `media_url` / `image_url`.
   */
  usage(id: number): AssetUsage[] {
    const asset = this.get(id);
    const path = `/${asset.file_path}`;
    const base = path.slice(path.lastIndexOf('/') + 1);
    // A timeline may also name it `/assets/<its upload name>` (src/timeline/media-paths.ts, rule 3).
    const name = asset.filename.toLowerCase();
    const rows = this.db
      .prepare(
        `SELECT t.id, t.name, c.cue_key,
                json_extract(c.action_params, '$.asset_id') AS asset_id,
                json_extract(c.action_params, '$.media_url') AS media_url,
                json_extract(c.action_params, '$.image_url') AS image_url
           FROM timeline_cues c JOIN timeline_tracks k ON c.track_id = k.id JOIN timelines t ON k.timeline_id = t.id
          WHERE json_extract(c.action_params, '$.asset_id') = @id
             OR instr(json_extract(c.action_params, '$.media_url'), @base) > 0
             OR instr(json_extract(c.action_params, '$.image_url'), @base) > 0
             OR instr(lower(json_extract(c.action_params, '$.media_url')), @name) > 0
             OR instr(lower(json_extract(c.action_params, '$.image_url')), @name) > 0
          ORDER BY t.id, c.id`,
      )
      .all({ id, base, name }) as Array<{
      id: number;
      name: string;
      cue_key: string;
      asset_id: unknown;
      media_url: unknown;
      image_url: unknown;
    }>;
    const byTimeline = new Map<number, AssetUsage>();
    const add = (row: { id: number; name: string; cue_key: string }) => {
      const entry = byTimeline.get(row.id) ?? { id: row.id, name: row.name, cue_ids: [] };
      if (!entry.cue_ids.includes(row.cue_key)) entry.cue_ids.push(row.cue_key);
      byTimeline.set(row.id, entry);
    };
    for (const row of rows) {
      const named = (url: unknown) => samePath(url, path) || sameUploadName(url, name);
      if (row.asset_id !== id && !named(row.media_url) && !named(row.image_url)) continue;
      add(row);
    }
    // The audio bed's playlists (timelines.audio_track, a JSON column) name their files by id.
    const inBeds = this.db
      .prepare(
        `SELECT t.id, t.name, json_extract(cue.value, '$.id') AS cue_key
           FROM timelines t, json_each(t.audio_track, '$.cues') cue, json_each(cue.value, '$.params.asset_ids') a
          WHERE t.audio_track IS NOT NULL AND a.value = ? ORDER BY t.id, cue.key`,
      )
      .all(id) as Array<{ id: number; name: string; cue_key: string }>;
    inBeds.forEach(add);
    return [...byTimeline.values()].sort((a, b) => a.id - b.id);
  }

  /** Deletes the row unless a timeline uses the asset (checked in the same transaction). */
  deleteUnlessUsed(id: number): { asset: Asset; deleted: boolean; usage: AssetUsage[] } {
    return this.db.transaction(() => {
      const asset = this.get(id);
      const usage = this.usage(id);
      if (usage.length === 0) this.delete(id);
      return { asset, deleted: usage.length === 0, usage };
    })();
  }

  delete(id: number): void {
    if (this.db.prepare('DELETE FROM assets WHERE id = ?').run(id).changes === 0) {
      throw new AppError('ASSET_NOT_FOUND', `there is no asset ${id}`);
    }
  }
}

export interface AssetUsage {
  id: number;
  name: string;
  cue_ids: string[];
}

/** A local media path names an upload by its name, in any letter case ("/assets/White.png"). */
function sameUploadName(url: unknown, lowerName: string): boolean {
  return typeof url === 'string' && posix.normalize(`/${url}`).toLowerCase() === `/assets/${lowerName}`;
}

/** A local media path names the asset file ("/assets/x.png", also spelled "/assets/./x.png"). */
function samePath(url: unknown, assetPath: string): boolean {
  return typeof url === 'string' && url.startsWith('/') && posix.normalize(url) === assetPath;
}

function toAsset(row: AssetRow): Asset {
  return {
    ...row,
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Record<string, unknown>),
  };
}

export interface Execution {
  id: number;
  timeline_id: number | null;
  started_at: string;
  completed_at: string | null;
  status: ExecutionStatus;
  executed_by: number | null;
  error_message: string | null;
  metrics: Record<string, unknown> | null;
  /** What was started, as stored (the app validates it): never secrets. */
  plan: unknown;
  /** Wall-clock ms of program frame 0 (crash resume computes the position from it). */
  anchor_ms: number | null;
  checkpoint_frame: number | null;
  checkpoint_at: string | null;
  /** The process running the show; null for rows written before crash resume existed. */
  owner: ExecutionOwner | null;
  resume_count: number;
  resumed_at: string | null;
  resume_frame: number | null;
  note: string | null;
}

/** A process, identified so that a reused pid is not mistaken for it. */
export interface ExecutionOwner {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTicks: number;
  bootId: string;
}

type ExecutionRow = Omit<Execution, 'metrics' | 'plan' | 'owner'> & {
  metrics: string | null;
  plan: string | null;
  owner_pid: number | null;
  owner_start_ticks: number | null;
  owner_boot_id: string | null;
};

export class ExecutionRepository {
  constructor(private readonly db: Db) {}

  start(timelineId: number, executedBy: number | null = null, startedAt = nowIso()): Execution {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO timeline_executions (timeline_id, started_at, status, executed_by) VALUES (?, ?, 'running', ?)`,
      )
      .run(timelineId, startedAt, executedBy);
    return this.get(Number(lastInsertRowid));
  }

  /** A show run that can be resumed after a crash: the plan, the owner and the wall-clock anchor. */
  startShow(run: {
    timelineId: number;
    plan: unknown;
    owner: ExecutionOwner;
    anchorMs: number;
    startedAt?: string;
    executedBy?: number | null;
  }): Execution {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO timeline_executions (timeline_id, started_at, status, executed_by, plan, anchor_ms,
           owner_pid, owner_start_ticks, owner_boot_id)
         VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.timelineId,
        run.startedAt ?? nowIso(),
        run.executedBy ?? null,
        JSON.stringify(run.plan),
        run.anchorMs,
        run.owner.pid,
        run.owner.startTicks,
        run.owner.bootId,
      );
    return this.get(Number(lastInsertRowid));
  }

  /** Saves the show's position (and running totals) of a running execution; false if it is not running. */
  checkpoint(
    id: number,
    point: { frame: number; at?: string; anchorMs?: number; metrics?: Record<string, unknown> },
  ): boolean {
    const { changes } = this.db
      .prepare(
        `UPDATE timeline_executions SET checkpoint_frame = ?, checkpoint_at = ?, anchor_ms = COALESCE(?, anchor_ms),
           metrics = COALESCE(?, metrics) WHERE id = ? AND status = 'running'`,
      )
      .run(
        Math.max(0, Math.floor(point.frame)),
        point.at ?? nowIso(),
        point.anchorMs ?? null,
        point.metrics ? JSON.stringify(point.metrics) : null,
        id,
      );
    return changes > 0;
  }

  /** A running execution taken over by a new process after a crash: counts the resume. */
  resume(
    id: number,
    takeover: { owner: ExecutionOwner; frame: number; at?: string; anchorMs?: number; note?: string },
  ): Execution {
    const { changes } = this.db
      .prepare(
        `UPDATE timeline_executions SET resume_count = resume_count + 1, resumed_at = ?, resume_frame = ?,
           owner_pid = ?, owner_start_ticks = ?, owner_boot_id = ?, anchor_ms = COALESCE(?, anchor_ms),
           note = COALESCE(?, note) WHERE id = ? AND status = 'running'`,
      )
      .run(
        takeover.at ?? nowIso(),
        Math.max(0, Math.floor(takeover.frame)),
        takeover.owner.pid,
        takeover.owner.startTicks,
        takeover.owner.bootId,
        takeover.anchorMs ?? null,
        takeover.note ?? null,
        id,
      );
    if (changes === 0) throw new AppError('VALIDATION_FAILED', `execution ${id} is not running`);
    return this.get(id);
  }

  finish(
    id: number,
    status: Exclude<ExecutionStatus, 'running'>,
    details: { error?: string; metrics?: Record<string, unknown>; note?: string } = {},
  ): Execution {
    // Metrics and note left out keep what the checkpoints saved.
    this.db
      .prepare(
        `UPDATE timeline_executions SET status = ?, completed_at = ?, error_message = ?,
           metrics = COALESCE(?, metrics), note = COALESCE(?, note) WHERE id = ?`,
      )
      .run(
        status,
        nowIso(),
        details.error ?? null,
        details.metrics ? JSON.stringify(details.metrics) : null,
        details.note ?? null,
        id,
      );
    return this.get(id);
  }

  get(id: number): Execution {
    const row = this.db.prepare('SELECT * FROM timeline_executions WHERE id = ?').get(id) as
      ExecutionRow | undefined;
    if (!row) throw new AppError('EXECUTION_NOT_FOUND', `there is no execution ${id}`);
    return toExecution(row);
  }

  list(limit = 100): Execution[] {
    return (
      this.db
        .prepare('SELECT * FROM timeline_executions ORDER BY id DESC LIMIT ?')
        .all(limit) as ExecutionRow[]
    ).map(toExecution);
  }

  running(): Execution[] {
    return (
      this.db
        .prepare(`SELECT * FROM timeline_executions WHERE status = 'running' ORDER BY id`)
        .all() as ExecutionRow[]
    ).map(toExecution);
  }
}

function toExecution(row: ExecutionRow): Execution {
  const { owner_pid, owner_start_ticks, owner_boot_id, ...rest } = row;
  return {
    ...rest,
    metrics: row.metrics === null ? null : (JSON.parse(row.metrics) as Record<string, unknown>),
    plan: row.plan === null ? null : (JSON.parse(row.plan) as unknown),
    owner:
      owner_pid === null || owner_start_ticks === null || owner_boot_id === null
        ? null
        : { pid: owner_pid, startTicks: owner_start_ticks, bootId: owner_boot_id },
  };
}

export class SettingsRepository {
  /** With a secret box, settings that hold a secret (the webhook URL) are sealed at rest. */
  constructor(
    private readonly db: Db,
    private readonly secrets?: SecretBox,
  ) {
    if (secrets) this.sealClearText(secrets);
  }

  get<T>(key: string, fallback: T): T {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row ? (openSetting(key, JSON.parse(row.value), this.secrets) as T) : fallback;
  }

  set(key: string, value: unknown): void {
    const stored = this.secrets ? sealSetting(key, value, this.secrets) : value;
    this.db
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, JSON.stringify(stored), nowIso());
  }

  all(): Record<string, unknown> {
    const rows = this.db.prepare('SELECT key, value FROM settings ORDER BY key').all() as Array<{
      key: string;
      value: string;
    }>;
    return Object.fromEntries(
      rows.map((row) => [row.key, openSetting(row.key, JSON.parse(row.value), this.secrets)]),
    );
  }

  /** Settings saved in clear text before secrets in settings were sealed are sealed now. */
  private sealClearText(secrets: SecretBox): void {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as Array<{
      key: string;
      value: string;
    }>;
    let sealed = 0;
    for (const row of rows) {
      const value = JSON.parse(row.value) as unknown;
      if (!settingNeedsSealing(row.key, value)) continue;
      this.db
        .prepare('UPDATE settings SET value = ? WHERE key = ?')
        .run(JSON.stringify(sealSetting(row.key, value, secrets)), row.key);
      sealed += 1;
    }
    if (sealed > 0) checkpointNow(this.db);
  }
}

/** viewer < operator < admin (what each may do: src/api/auth/roles.ts). */
export type UserRole = 'viewer' | 'operator' | 'admin';

export interface User {
  id: number;
  username: string;
  role: UserRole;
  created_at: string;
}

export class UserRepository {
  constructor(private readonly db: Db) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  create(username: string, passwordHash: string, role: UserRole = 'admin'): User {
    try {
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)')
        .run(username, passwordHash, role, nowIso());
      return this.db
        .prepare('SELECT id, username, role, created_at FROM users WHERE id = ?')
        .get(lastInsertRowid) as User;
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new AppError('CONFLICT', `the user "${username}" already exists`, [
          { path: 'username', message: 'is taken' },
        ]);
      }
      throw error;
    }
  }

  list(): User[] {
    return this.db.prepare('SELECT id, username, role, created_at FROM users ORDER BY id').all() as User[];
  }

  get(id: number): User {
    const row = this.db.prepare('SELECT id, username, role, created_at FROM users WHERE id = ?').get(id);
    if (!row) throw new AppError('USER_NOT_FOUND', `there is no user ${id}`);
    return row as User;
  }

  /** Changes a user's role; the last admin cannot be demoted (nobody could manage the appliance). */
  setRole(id: number, role: UserRole): User {
    return this.db.transaction(() => {
      const user = this.get(id);
      if (user.role === 'admin' && role !== 'admin' && this.adminCount() === 1)
        throw new AppError('LAST_ADMIN', `"${user.username}" is the only admin`, [
          { path: 'role', message: 'the only admin must stay admin' },
        ]);
      this.db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, id);
      return { ...user, role };
    })();
  }

  /** Deletes a user with their sessions and API tokens; never the last admin. */
  delete(id: number): void {
    this.db.transaction(() => {
      const user = this.get(id);
      if (user.role === 'admin' && this.adminCount() === 1)
        throw new AppError('LAST_ADMIN', `"${user.username}" is the only admin`);
      this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
    })();
  }

  private adminCount(): number {
    return this.db.prepare("SELECT COUNT(*) FROM users WHERE role = 'admin'").pluck().get() as number;
  }

  /** Replaces a user's password hash; false when there is no such user. */
  setPassword(username: string, passwordHash: string): boolean {
    return (
      this.db.prepare('UPDATE users SET password_hash = ? WHERE username = ?').run(passwordHash, username)
        .changes === 1
    );
  }

  /** The stored hash for a login check (internal use only). */
  credentials(username: string): (User & { password_hash: string }) | null {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username);
    return (row as (User & { password_hash: string }) | undefined) ?? null;
  }
}
