// Camera "test connection" and snapshot: a stored camera by id, or an address typed in the form
// before it is saved. A failed test is a result (200 with ok: false, the code and a sentence); a
// failed snapshot is the registry's error (502). Credentials go to ffmpeg only, never to an
// answer or a log line.
import { z } from 'zod';
import { cameraMedia as realCameraMedia, type CameraMedia } from '../../cameras/probe.ts';
import { CAMERA_PROTOCOLS, credentialsDecode } from '../../domain/schemas.ts';
import { splitCredentials } from '../../store/repositories/cameras.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, type ApiInstance } from '../http.ts';

const StreamUrl = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(2000, { error: 'must be at most 2000 characters' })
  .refine(
    (value) => {
      if (!URL.canParse(value)) return false;
      const url = new URL(value);
      return (
        (CAMERA_PROTOCOLS as readonly string[]).includes(url.protocol.slice(0, -1)) && url.hostname !== ''
      );
    },
    {
      error: `must be a camera stream URL (${CAMERA_PROTOCOLS.join(', ')}), like rtsp://192.168.1.20/stream1`,
    },
  )
  .refine(credentialsDecode, {
    error: 'the user name or password in it has a broken %-escape (write a % sign as %25)',
  });

const TestUrlBody = z.strictObject({
  stream_url: StreamUrl,
  /** Override the user name / password in the URL (as the camera form sends them). */
  username: z.string().max(100).nullable().optional(),
  password: z.string().max(200).nullable().optional(),
});

/** The URL with the given credentials in it (fields win over user:password@ in the URL). */
export function urlWithCredentials(
  streamUrl: string,
  username?: string | null,
  password?: string | null,
): string {
  const split = splitCredentials(streamUrl);
  const user = username ?? split.username ?? '';
  const pass = password ?? split.password ?? '';
  const url = new URL(split.url);
  if (user) url.username = encodeURIComponent(user);
  if (pass) url.password = encodeURIComponent(pass);
  return url.toString();
}

export function registerCameraMediaRoutes(app: ApiInstance, deps: ApiDeps): void {
  const media: CameraMedia = deps.cameraMedia ?? realCameraMedia;
  // A page refreshing snapshots must not start an ffmpeg per request: one per camera at a time.
  const inFlight = new Map<number, Promise<Buffer>>();

  app.post(
    '/api/cameras/:id/test',
    {
      schema: {
        tags: ['cameras'],
        summary: 'Test a saved camera: { ok: true, video, audio, latencyMs } or { ok: false, code, reason }',
        params: IdParams,
      },
    },
    async (request) => media.test(deps.store.cameras.connection(request.params.id).url),
  );

  app.post(
    '/api/cameras/test',
    {
      schema: {
        tags: ['cameras'],
        summary: 'Test a camera address before saving it (same answer as testing a saved camera)',
        body: TestUrlBody,
      },
    },
    async (request) => {
      const { stream_url, username, password } = request.body;
      return media.test(urlWithCredentials(stream_url, username, password));
    },
  );

  app.get(
    '/api/cameras/:id/snapshot.jpg',
    {
      schema: {
        tags: ['cameras'],
        summary:
          'One current frame of a saved camera as JPEG (at most 1280 wide); 502 with the reason if it cannot be read',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const url = deps.store.cameras.connection(id).url;
      let pending = inFlight.get(id);
      if (!pending) {
        pending = media.snapshot(url).finally(() => inFlight.delete(id));
        inFlight.set(id, pending);
      }
      const jpeg = await pending;
      return reply.type('image/jpeg').header('cache-control', 'no-store').send(jpeg);
    },
  );
}
