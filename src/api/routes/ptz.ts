// PTZ presets and control over ONVIF: the presets a timeline names (stored), capturing the
// camera's current position as a preset, moving the camera to one, importing the camera's own
// presets, and reading where it points. Each call connects to the camera afresh; a camera that
// refuses answers 502 PTZ_FAILED with the reason, one without ONVIF settings 409 PTZ_NOT_CONFIGURED.
import { z } from 'zod';
import { PresetCreateSchema } from '../../domain/schemas.ts';
import { AppError } from '../../errors/registry.ts';
import { connectOnvif, type CameraPreset, type PtzClient, type PtzPosition } from '../../ptz/onvif.ts';
import type { PtzPreset } from '../../store/repositories/cameras.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, type ApiInstance } from '../http.ts';

const PresetParams = z.strictObject({
  id: IdParams.shape.id,
  presetId: z.coerce.number().int().positive({ error: 'must be a positive number' }),
});

const PresetView = z.object({
  id: z.number(),
  camera_id: z.number(),
  name: z.string().meta({ description: 'What timelines name in preset_id.' }),
  preset_token: z.string().nullable().meta({ description: 'The camera’s ONVIF preset token.' }),
  pan: z.number().nullable(),
  tilt: z.number().nullable(),
  zoom: z.number().nullable(),
});

const PresetCreateBody = z
  .strictObject({
    ...PresetCreateSchema.shape,
    capture: z.boolean().optional().meta({
      description:
        'true: the camera stores its current position as a preset (ONVIF SetPreset; with preset_token, overwrites that one) and its token is kept',
    }),
  })
  .superRefine((value, ctx) => {
    if (value.capture) {
      for (const key of ['pan', 'tilt', 'zoom'] as const) {
        if (value[key] !== undefined && value[key] !== null)
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'is read from the camera when capture is true',
          });
      }
    } else if (
      !value.preset_token &&
      (value.pan === undefined || value.pan === null || value.tilt === undefined || value.tilt === null)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['preset_token'],
        message: 'give the camera’s preset token, or pan and tilt, or capture: true',
      });
    }
  });

const GotoBody = z
  .strictObject({
    speed: z
      .number()
      .gt(0, { error: 'must be above 0' })
      .max(1, { error: 'must be at most 1' })
      .optional()
      .meta({ description: 'Fraction of the camera’s top speed (default: the camera’s own).' }),
  })
  .nullish(); // no body at all is fine

const StatusView = z.object({ pan: z.number(), tilt: z.number(), zoom: z.number(), moving: z.boolean() });

const SyncView = z.object({
  imported: z.array(PresetView),
  skipped: z.array(z.object({ token: z.string(), name: z.string(), reason: z.string() })),
});

const NAME_TAKEN = (name: string) =>
  new AppError('CONFLICT', `the name "${name}" is already used`, [
    { path: 'name', message: 'is already used' },
  ]);

/** A position the store accepts (generic space); cameras in other spaces keep only the token. */
function storablePosition(position: PtzPosition | null): Partial<PtzPosition> {
  if (!position) return {};
  const { pan, tilt, zoom } = position;
  const inRange = Math.abs(pan) <= 1 && Math.abs(tilt) <= 1 && zoom >= 0 && zoom <= 1;
  return inRange ? { pan, tilt, zoom } : {};
}

/** Camera preset names become names a timeline can use: letters, digits and _ . : - only. */
function storableName(preset: CameraPreset, index: number): string {
  const clean = (text: string) =>
    text
      .trim()
      .replace(/[^A-Za-z0-9_.:-]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 100);
  return clean(preset.name) || clean(`preset_${preset.token}`) || `preset_${index + 1}`;
}

export function registerPtzRoutes(app: ApiInstance, deps: ApiDeps): void {
  const { store } = deps;
  const connect = deps.ptz?.connect ?? connectOnvif;

  /** The camera's ONVIF client, or PTZ_NOT_CONFIGURED before any network. */
  function ptzSettings(cameraId: number) {
    const camera = store.cameras.get(cameraId);
    const label = `camera "${camera.name}"`;
    if (camera.camera_type !== 'ptz')
      throw new AppError('PTZ_NOT_CONFIGURED', `${label} is not set up as a PTZ camera`);
    const { onvif } = store.cameras.connection(cameraId);
    if (!onvif) throw new AppError('PTZ_NOT_CONFIGURED', `${label} has no ONVIF address`);
    return { url: onvif.url, username: onvif.username, password: onvif.password, label };
  }
  const clientFor = (cameraId: number): Promise<PtzClient> => connect(ptzSettings(cameraId));

  function storedPreset(cameraId: number, presetId: number): PtzPreset {
    const preset = store.cameras.presets(cameraId).find((candidate) => candidate.id === presetId);
    if (!preset) throw new AppError('PRESET_NOT_FOUND', `camera ${cameraId} has no preset ${presetId}`);
    return preset;
  }

  app.get(
    '/api/cameras/:id/presets',
    {
      schema: {
        tags: ['ptz'],
        summary: 'The camera’s stored presets, by name',
        params: IdParams,
        response: { 200: z.array(PresetView) },
      },
    },
    async (request) => store.cameras.presets(request.params.id),
  );

  app.post(
    '/api/cameras/:id/presets',
    {
      schema: {
        tags: ['ptz'],
        summary:
          'Add a preset: typed in (the camera’s preset token, or pan/tilt/zoom), or { name, capture: true } to store where the camera points now',
        params: IdParams,
        body: PresetCreateBody,
        response: { 201: PresetView },
      },
    },
    async (request, reply) => {
      const cameraId = request.params.id;
      const { capture, ...input } = request.body;
      if (!capture) return reply.code(201).send(store.cameras.addPreset(cameraId, input));

      // Check the name first: a preset stored in the camera must not be left without its entry here.
      if (store.cameras.presets(cameraId).some((preset) => preset.name === input.name))
        throw NAME_TAKEN(input.name);
      const client = await clientFor(cameraId);
      const requested = input.preset_token ?? undefined;
      const { token } = await client.capturePreset(input.name, requested);
      let position: Partial<PtzPosition> = {};
      try {
        position = storablePosition(await client.status());
      } catch (error) {
        // The preset is in the camera; its coordinates are only informative.
        request.log.warn(
          { code: (error as AppError).code },
          `preset position not read: ${(error as Error).message}`,
        );
      }
      try {
        const stored = store.cameras.addPreset(cameraId, {
          name: input.name,
          preset_token: token,
          ...position,
        });
        return reply.code(201).send(stored);
      } catch (error) {
        if (requested === undefined) await client.removePreset(token).catch(() => undefined);
        throw error;
      }
    },
  );

  app.delete(
    '/api/cameras/:id/presets/:presetId',
    {
      schema: {
        tags: ['ptz'],
        summary: 'Forget a stored preset (the camera keeps its own)',
        params: PresetParams,
      },
    },
    async (request, reply) => {
      store.cameras.get(request.params.id);
      store.cameras.deletePreset(request.params.id, request.params.presetId);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/cameras/:id/presets/:presetId/goto',
    {
      schema: {
        tags: ['ptz'],
        summary: 'Move the camera to a stored preset (answers when the camera accepted the move)',
        params: PresetParams,
        body: GotoBody,
        response: { 200: z.object({ preset: PresetView, via: z.enum(['preset_token', 'position']) }) },
      },
    },
    async (request) => {
      const { id, presetId } = request.params;
      const speed = request.body?.speed;
      store.cameras.get(id);
      const preset = storedPreset(id, presetId);
      const settings = ptzSettings(id);
      if (!preset.preset_token && (preset.pan === null || preset.tilt === null)) {
        throw new AppError(
          'PTZ_NOT_CONFIGURED',
          `preset "${preset.name}" has neither a camera preset token nor a position; capture it again`,
        );
      }
      const client = await connect(settings);
      if (preset.preset_token) {
        await client.gotoPreset(preset.preset_token, speed);
        return { preset, via: 'preset_token' as const };
      }
      await client.moveTo(
        { pan: preset.pan!, tilt: preset.tilt!, ...(preset.zoom === null ? {} : { zoom: preset.zoom }) },
        speed,
      );
      return { preset, via: 'position' as const };
    },
  );

  app.post(
    '/api/cameras/:id/ptz/sync',
    {
      schema: {
        tags: ['ptz'],
        summary:
          'Import the presets stored in the camera (by name; presets already here, by token or name, are skipped)',
        params: IdParams,
        response: { 200: SyncView },
      },
    },
    async (request) => {
      const cameraId = request.params.id;
      const onCamera = await (await clientFor(cameraId)).presets();
      const stored = store.cameras.presets(cameraId);
      const names = new Set(stored.map((preset) => preset.name));
      const tokens = new Set(stored.flatMap((preset) => (preset.preset_token ? [preset.preset_token] : [])));
      const imported: PtzPreset[] = [];
      const skipped: Array<{ token: string; name: string; reason: string }> = [];
      for (const [index, preset] of onCamera.entries()) {
        const skip = (reason: string) => skipped.push({ token: preset.token, name: preset.name, reason });
        if (tokens.has(preset.token)) {
          skip('already stored');
          continue;
        }
        const name = storableName(preset, index);
        if (names.has(name)) {
          skip(`the name "${name}" is already used by another preset`);
          continue;
        }
        try {
          imported.push(
            store.cameras.addPreset(cameraId, {
              name,
              preset_token: preset.token,
              ...storablePosition(preset.position),
            }),
          );
          names.add(name);
          tokens.add(preset.token);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          skip(error.message);
        }
      }
      return { imported, skipped };
    },
  );

  app.get(
    '/api/cameras/:id/ptz/status',
    {
      schema: {
        tags: ['ptz'],
        summary: 'Where the camera points now and whether it is moving',
        params: IdParams,
        response: { 200: StatusView },
      },
    },
    async (request) => (await clientFor(request.params.id)).status(),
  );
}
