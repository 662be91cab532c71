// Cameras and their PTZ presets. Passwords are sealed at rest; reads return only whether one is set.
import { CameraCreateSchema, CameraPatchSchema, PresetCreateSchema } from '../../domain/schemas.ts';
import { AppError } from '../../errors/registry.ts';
import { nowIso, type Db } from '../database.ts';
import type { SecretBox } from '../secrets.ts';
import type { Camera } from '../../domain/views.ts';

export type { Camera };
import { parseInput, writeNamed } from './shared.ts';

/** What the engine needs to connect: the URL with credentials. Never log or return this. */
export interface CameraConnection {
  id: number;
  name: string;
  url: string;
  onvif: { url: string; username: string | null; password: string | null } | null;
}

export interface PtzPreset {
  id: number;
  camera_id: number;
  name: string;
  preset_token: string | null;
  pan: number | null;
  tilt: number | null;
  zoom: number | null;
}

interface CameraRow {
  id: number;
  name: string;
  stream_url: string;
  username: string | null;
  password_enc: string | null;
  camera_type: 'stationary' | 'ptz';
  onvif_url: string | null;
  onvif_username: string | null;
  onvif_password_enc: string | null;
  backup_camera_id: number | null;
  enabled: number;
  ptz_settle_seconds: number | null;
  created_at: string;
  modified_at: string;
}

/** Moves user:password@ out of a URL so credentials are stored sealed, not in the URL column. */
export function splitCredentials(rawUrl: string): { url: string; username?: string; password?: string } {
  const url = new URL(rawUrl);
  if (!url.username && !url.password) return { url: rawUrl };
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return { url: url.toString(), ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

export class CameraRepository {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
  ) {}

  create(input: unknown): Camera {
    const value = parseInput(CameraCreateSchema, input, 'camera');
    const split = splitCredentials(value.stream_url);
    const now = nowIso();
    return writeNamed(this.db, value.name, () => {
      if (value.backup_camera_id) this.get(value.backup_camera_id);
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO cameras (name, stream_url, username, password_enc, camera_type, onvif_url, onvif_username,
             onvif_password_enc, backup_camera_id, enabled, ptz_settle_seconds, created_at, modified_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          value.name,
          split.url,
          value.username ?? split.username ?? null,
          this.sealOrNull(value.password ?? split.password ?? null),
          value.camera_type,
          value.onvif_url ?? null,
          value.onvif_username ?? null,
          this.sealOrNull(value.onvif_password ?? null),
          value.backup_camera_id ?? null,
          value.enabled ? 1 : 0,
          value.ptz_settle_seconds ?? null,
          now,
          now,
        );
      return this.get(Number(lastInsertRowid));
    });
  }

  update(id: number, input: unknown): Camera {
    const patch = parseInput(CameraPatchSchema, input, 'camera change');
    const current = this.row(id);
    const next: CameraRow = { ...current };
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.stream_url !== undefined) {
      const split = splitCredentials(patch.stream_url);
      next.stream_url = split.url;
      if (split.username !== undefined) next.username = split.username;
      if (split.password !== undefined) next.password_enc = this.sealOrNull(split.password);
    }
    if (patch.username !== undefined) next.username = patch.username;
    if (patch.password !== undefined) next.password_enc = this.sealOrNull(patch.password);
    if (patch.camera_type !== undefined) next.camera_type = patch.camera_type;
    if (patch.onvif_url !== undefined) next.onvif_url = patch.onvif_url;
    if (patch.onvif_username !== undefined) next.onvif_username = patch.onvif_username;
    if (patch.onvif_password !== undefined) next.onvif_password_enc = this.sealOrNull(patch.onvif_password);
    if (patch.backup_camera_id !== undefined) {
      if (patch.backup_camera_id === id) {
        throw new AppError('VALIDATION_FAILED', 'a camera cannot be its own backup', [
          { path: 'backup_camera_id', message: 'must be another camera' },
        ]);
      }
      if (patch.backup_camera_id !== null) this.get(patch.backup_camera_id);
      next.backup_camera_id = patch.backup_camera_id;
    }
    if (patch.enabled !== undefined) next.enabled = patch.enabled ? 1 : 0;
    if (patch.ptz_settle_seconds !== undefined) next.ptz_settle_seconds = patch.ptz_settle_seconds;
    return writeNamed(this.db, next.name, () => {
      this.db
        .prepare(
          `UPDATE cameras SET name = @name, stream_url = @stream_url, username = @username, password_enc = @password_enc,
             camera_type = @camera_type, onvif_url = @onvif_url, onvif_username = @onvif_username,
             onvif_password_enc = @onvif_password_enc, backup_camera_id = @backup_camera_id, enabled = @enabled,
             ptz_settle_seconds = @ptz_settle_seconds, modified_at = @modified_at WHERE id = @id`,
        )
        .run({ ...next, modified_at: nowIso() });
      return this.get(id);
    });
  }

  get(id: number): Camera {
    return toCamera(this.row(id));
  }

  list(): Camera[] {
    return (this.db.prepare('SELECT * FROM cameras ORDER BY id').all() as CameraRow[]).map(toCamera);
  }

  delete(id: number): void {
    if (this.db.prepare('DELETE FROM cameras WHERE id = ?').run(id).changes === 0) throw cameraNotFound(id);
  }

  /** The URL with credentials for the decoder, and ONVIF access for PTZ. Internal use only. */
  connection(id: number): CameraConnection {
    const row = this.row(id);
    const url = new URL(row.stream_url);
    if (row.username) url.username = encodeURIComponent(row.username);
    if (row.password_enc) url.password = encodeURIComponent(this.secrets.open(row.password_enc));
    return {
      id: row.id,
      name: row.name,
      url: url.toString(),
      onvif: row.onvif_url
        ? {
            url: row.onvif_url,
            username: row.onvif_username,
            password: row.onvif_password_enc ? this.secrets.open(row.onvif_password_enc) : null,
          }
        : null,
    };
  }

  addPreset(cameraId: number, input: unknown): PtzPreset {
    const value = parseInput(PresetCreateSchema, input, 'preset');
    this.row(cameraId);
    return writeNamed(this.db, value.name, () => {
      const { lastInsertRowid } = this.db
        .prepare(
          'INSERT INTO ptz_presets (camera_id, name, preset_token, pan, tilt, zoom) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          cameraId,
          value.name,
          value.preset_token ?? null,
          value.pan ?? null,
          value.tilt ?? null,
          value.zoom ?? null,
        );
      return this.db.prepare('SELECT * FROM ptz_presets WHERE id = ?').get(lastInsertRowid) as PtzPreset;
    });
  }

  presets(cameraId: number): PtzPreset[] {
    this.row(cameraId);
    return this.db
      .prepare('SELECT * FROM ptz_presets WHERE camera_id = ? ORDER BY name')
      .all(cameraId) as PtzPreset[];
  }

  /** A preset by the name a timeline uses in `preset_id`. */
  findPreset(cameraId: number, name: string | number): PtzPreset {
    const preset = this.db
      .prepare('SELECT * FROM ptz_presets WHERE camera_id = ? AND name = ?')
      .get(cameraId, String(name)) as PtzPreset | undefined;
    if (!preset) throw new AppError('PRESET_NOT_FOUND', `camera ${cameraId} has no preset "${name}"`);
    return preset;
  }

  deletePreset(cameraId: number, presetId: number): void {
    const { changes } = this.db
      .prepare('DELETE FROM ptz_presets WHERE id = ? AND camera_id = ?')
      .run(presetId, cameraId);
    if (changes === 0) throw new AppError('PRESET_NOT_FOUND', `camera ${cameraId} has no preset ${presetId}`);
  }

  private row(id: number): CameraRow {
    const row = this.db.prepare('SELECT * FROM cameras WHERE id = ?').get(id) as CameraRow | undefined;
    if (!row) throw cameraNotFound(id);
    return row;
  }

  private sealOrNull(secret: string | null): string | null {
    return secret === null || secret === '' ? null : this.secrets.seal(secret);
  }
}

function toCamera(row: CameraRow): Camera {
  return {
    id: row.id,
    name: row.name,
    stream_url: row.stream_url,
    username: row.username,
    has_password: row.password_enc !== null,
    camera_type: row.camera_type,
    onvif_url: row.onvif_url,
    onvif_username: row.onvif_username,
    has_onvif_password: row.onvif_password_enc !== null,
    backup_camera_id: row.backup_camera_id,
    enabled: row.enabled === 1,
    ptz_settle_seconds: row.ptz_settle_seconds,
    created_at: row.created_at,
    modified_at: row.modified_at,
  };
}

function cameraNotFound(id: number): AppError {
  return new AppError('CAMERA_NOT_FOUND', `there is no camera ${id}`);
}
