// Cameras: list, read, add, change, delete. Passwords (stream and ONVIF) are write-only: reads say
// only whether one is set, and credentials typed into a stream URL are moved out of it and sealed
// by the store. Connection tests, snapshots and PTZ presets live in their own route modules.
import { z } from 'zod';
import { CAMERA_TYPES, CameraCreateSchema, CameraPatchSchema } from '../../domain/schemas.ts';
import { AppError, type FieldIssue } from '../../errors/registry.ts';
import type { Store } from '../../store/store.ts';
import type { Timeline } from '../../timeline/schema.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, type ApiInstance } from '../http.ts';

/** What every read shows: an allowlist, so a field added to the store never leaks by accident. */
export const CameraView = z.object({
  id: z.number(),
  name: z.string(),
  stream_url: z.string().meta({ description: 'Without credentials; they are stored sealed.' }),
  username: z.string().nullable(),
  has_password: z.boolean(),
  camera_type: z.enum(CAMERA_TYPES),
  onvif_url: z.string().nullable(),
  onvif_username: z.string().nullable(),
  has_onvif_password: z.boolean(),
  backup_camera_id: z.number().nullable(),
  enabled: z.boolean(),
  ptz_settle_seconds: z.number().nullable().meta({
    description:
      'PTZ: seconds before a cue with a preset that the camera is sent there, so it has stopped when it goes on air (null: 3 s).',
  }),
  created_at: z.string(),
  modified_at: z.string(),
});

/** JSON paths in a timeline where it shows a camera (its cues and its fallback). */
export function cameraUses(
  timeline: Timeline,
  cameraId: number,
): Array<{ path: string; cue: string | null }> {
  const uses: Array<{ path: string; cue: string | null }> = [];
  timeline.tracks.video.cues.forEach((cue, index) => {
    if (cue.action === 'show_camera' && cue.params.camera_id === cameraId)
      uses.push({ path: `timeline.tracks.video.cues[${index}].params.camera_id`, cue: cue.id });
  });
  if (timeline.fallback?.backup_camera_id === cameraId)
    uses.push({ path: 'timeline.fallback.backup_camera_id', cue: null });
  return uses;
}

/** Everything that would be left pointing at a deleted camera: timelines and other cameras' backups. */
function usesOfCamera(store: Store, cameraId: number): { issues: FieldIssue[]; summary: string[] } {
  const issues: FieldIssue[] = [];
  const timelines: string[] = [];
  for (const { id, name } of store.timelines.list()) {
    const uses = cameraUses(store.timelines.export(id).timeline, cameraId);
    if (uses.length > 0) timelines.push(`timeline ${id} "${name}"`);
    for (const use of uses) {
      issues.push({
        path: use.path,
        message:
          use.cue === null
            ? `timeline ${id} "${name}" uses it as its fallback camera`
            : `timeline ${id} "${name}" shows it in cue "${use.cue}"`,
      });
    }
  }
  const backups: string[] = [];
  for (const other of store.cameras.list()) {
    if (other.backup_camera_id !== cameraId) continue;
    backups.push(`camera ${other.id} "${other.name}" (as its backup)`);
    issues.push({
      path: 'backup_camera_id',
      message: `camera ${other.id} "${other.name}" uses it as its backup`,
    });
  }
  return { issues, summary: [...timelines, ...backups] };
}

/** A backup camera named in a body must exist: a 400 on that field, not a 404 for the URL. */
function requireBackupCamera(store: Store, backupId: number | null | undefined): void {
  if (backupId === null || backupId === undefined) return;
  if (!store.cameras.list().some((camera) => camera.id === backupId))
    throw new AppError('VALIDATION_FAILED', 'the backup camera does not exist', [
      { path: 'backup_camera_id', message: `there is no camera ${backupId}` },
    ]);
}

export function registerCameraRoutes(app: ApiInstance, deps: ApiDeps): void {
  const { store } = deps;

  app.get(
    '/api/cameras',
    {
      schema: {
        tags: ['cameras'],
        summary: 'All cameras (passwords never shown)',
        response: { 200: z.array(CameraView) },
      },
    },
    async () => store.cameras.list(),
  );

  app.get(
    '/api/cameras/:id',
    {
      schema: {
        tags: ['cameras'],
        summary: 'One camera (passwords never shown)',
        params: IdParams,
        response: { 200: CameraView },
      },
    },
    async (request) => store.cameras.get(request.params.id),
  );

  app.post(
    '/api/cameras',
    {
      schema: {
        tags: ['cameras'],
        summary: 'Add a camera (user:password@ in the stream URL is moved out and stored sealed)',
        body: CameraCreateSchema,
        response: { 201: CameraView },
      },
    },
    async (request, reply) => {
      requireBackupCamera(store, request.body.backup_camera_id);
      const camera = store.cameras.create(request.body);
      deps.shows?.camerasChanged();
      return reply.code(201).send(camera);
    },
  );

  app.patch(
    '/api/cameras/:id',
    {
      schema: {
        tags: ['cameras'],
        summary: 'Change a camera (fields left out keep their value; a password set to null is removed)',
        params: IdParams,
        body: CameraPatchSchema,
        response: { 200: CameraView },
      },
    },
    async (request) => {
      const { id } = request.params;
      store.cameras.get(id);
      if (request.body.backup_camera_id !== id) requireBackupCamera(store, request.body.backup_camera_id);
      const camera = store.cameras.update(id, request.body);
      // The show on air uses the new address and backup at once, not after the next GO LIVE.
      deps.shows?.camerasChanged();
      return camera;
    },
  );

  app.delete(
    '/api/cameras/:id',
    {
      schema: {
        tags: ['cameras'],
        summary: 'Delete a camera (refused while a timeline or another camera uses it)',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const camera = store.cameras.get(request.params.id);
      const { issues, summary } = usesOfCamera(store, camera.id);
      if (issues.length > 0)
        throw new AppError(
          'CAMERA_IN_USE',
          `camera ${camera.id} "${camera.name}" is used by ${summary.join(', ')}`,
          issues,
        );
      store.cameras.delete(camera.id);
      deps.shows?.camerasChanged();
      return reply.code(204).send();
    },
  );
}
