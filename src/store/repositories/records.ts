// Smaller record stores: assets, executions, settings, users (alerts live in alerts.ts).
import { type AssetType, type ExecutionStatus } from '../../domain/schemas.ts';
import { AppError } from '../../errors/registry.ts';
import { nowIso, type Db } from '../database.ts';

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

  list(): Asset[] {
    return (this.db.prepare('SELECT * FROM assets ORDER BY id').all() as AssetRow[]).map(toAsset);
  }

  delete(id: number): void {
    if (this.db.prepare('DELETE FROM assets WHERE id = ?').run(id).changes === 0) {
      throw new AppError('ASSET_NOT_FOUND', `there is no asset ${id}`);
    }
  }
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
  constructor(private readonly db: Db) {}

  get<T>(key: string, fallback: T): T {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : fallback;
  }

  set(key: string, value: unknown): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, JSON.stringify(value), nowIso());
  }

  all(): Record<string, unknown> {
    const rows = this.db.prepare('SELECT key, value FROM settings ORDER BY key').all() as Array<{
      key: string;
      value: string;
    }>;
    return Object.fromEntries(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
  }
}

export interface User {
  id: number;
  username: string;
  role: 'admin' | 'operator';
  created_at: string;
}

export class UserRepository {
  constructor(private readonly db: Db) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  create(username: string, passwordHash: string, role: User['role'] = 'admin'): User {
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
