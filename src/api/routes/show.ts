// Show control over HTTP: pre-flight, GO LIVE, stop, the live controls, the on-air state (also
// pushed over the /api/live WebSocket at least once a second and on every change), the HLS
// preview files, Prometheus /metrics and the public /api/health.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { GoLiveSchema } from '../../app/show-control.ts';
import { systemClock } from '../../core/clock.ts';
import { LiveMessageSchema, type LiveMessage } from '../../domain/live.ts';
import { AppError } from '../../errors/registry.ts';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../../health/index.ts';
import type { ApiDeps, ApiShowControl } from '../deps.ts';
import type { ApiInstance } from '../http.ts';
import { streamAudioLevels } from './live-audio.ts';

const PreflightBody = GoLiveSchema.pick({ timelineId: true, destinationIds: true, record: true });
const JumpBody = z.strictObject({ seconds: z.number().min(0, { error: 'must be 0 or more' }) });
const OnOffBody = z.strictObject({ on: z.boolean() });
const CameraBody = z.strictObject({
  cameraId: z.number().int().positive({ error: 'must be a camera number' }),
});
const PinBody = z.strictObject({
  cameraId: z.number().int().positive({ error: 'must be a camera number' }).nullable(),
});
const OverlayTextBody = z.strictObject({
  // A repeat copy's id is its cue's (at most 100 characters) plus "#" and the copy's number.
  cueId: z.string().min(1).max(120),
  /** null: back to the timeline's own text. */
  text: z.string().max(500, { error: 'must be at most 500 characters' }).nullable(),
});
const QualityBody = z.strictObject({
  /** A level of the show's quality ladder (0 = the operator's settings); null: automatic. */
  level: z
    .number()
    .int({ error: 'must be a whole level number' })
    .min(0, { error: 'must be 0 or more' })
    .nullable(),
});
const PreviewParams = z.strictObject({
  file: z.string().regex(/^[A-Za-z0-9_-]+\.(m3u8|ts|m4s|mp4)$/, { error: 'is not a preview file name' }),
});

/** Pushes at most this often on bursts of changes (a slider dragged, many alerts at once). */
const PUSH_MIN_INTERVAL_MS = 100;
const PUSH_EVERY_MS = 1000;

export function registerHealthRoute(app: ApiInstance, deps: ApiDeps): void {
  app.get(
    '/api/health',
    {
      config: { public: true },
      schema: {
        tags: ['monitoring'],
        summary:
          'Health of the appliance and the show on air: the status without sign-in, the warnings and errors with it',
      },
    },
    async (request, reply) => {
      const health = deps.shows?.health() ?? {
        status: 'healthy' as const,
        warnings: [],
        errors: [],
        live: false,
      };
      // A load balancer or monitor reads the status code: 503 while the show on air is unhealthy.
      // A stranger learns the status only: the warnings and errors name destinations and cameras.
      return reply
        .code(health.status === 'unhealthy' ? 503 : 200)
        .send(request.auth ? health : { status: health.status });
    },
  );
}

export function registerShowRoutes(app: ApiInstance, deps: ApiDeps, shows: ApiShowControl): void {
  const previewDir = resolve(join(deps.dataDir, 'preview'));
  const ok = () => shows.liveState();

  app.get(
    '/api/show',
    { schema: { tags: ['show'], summary: 'The on-air state (what the WebSocket pushes)' } },
    async () => shows.liveState(),
  );

  app.post(
    '/api/show/preflight',
    {
      schema: {
        tags: ['show'],
        summary: 'Run the pre-flight checklist for a timeline and destinations',
        body: PreflightBody,
      },
    },
    async (request) => shows.preflight(request.body),
  );

  app.post(
    '/api/show/go-live',
    {
      schema: {
        tags: ['show'],
        summary:
          'GO LIVE: pre-flight, then start at once or after countdownSeconds (409 PREFLIGHT_FAILED unless force)',
        body: GoLiveSchema,
      },
    },
    async (request, reply) => reply.code(202).send(await shows.goLive(request.body, request.auth?.user.id)),
  );

  app.post(
    '/api/show/stop',
    { schema: { tags: ['show'], summary: 'Stop the show on air, or cancel the countdown' } },
    async () => shows.stop(),
  );

  app.post(
    '/api/show/pause',
    { schema: { tags: ['show'], summary: 'Hold the timeline clock (the stream goes on)' } },
    async () => {
      shows.pause();
      return ok();
    },
  );

  app.post(
    '/api/show/resume',
    { schema: { tags: ['show'], summary: 'Let the timeline clock run again' } },
    async () => {
      shows.resume();
      return ok();
    },
  );

  app.post(
    '/api/show/jump',
    { schema: { tags: ['show'], summary: 'Jump to a time in the timeline', body: JumpBody } },
    async (request) => {
      shows.jumpTo(request.body.seconds);
      return ok();
    },
  );

  app.post(
    '/api/show/overrides/emergency',
    { schema: { tags: ['overrides'], summary: 'Emergency test pattern on or off', body: OnOffBody } },
    async (request) => {
      shows.setEmergency(request.body.on);
      return ok();
    },
  );

  app.post(
    '/api/show/overrides/force-camera',
    {
      schema: {
        tags: ['overrides'],
        summary: 'Put a camera on air until the next video cue',
        body: CameraBody,
      },
    },
    async (request) => {
      shows.forceCamera(request.body.cameraId);
      return ok();
    },
  );

  app.post(
    '/api/show/overrides/pin-camera',
    {
      schema: {
        tags: ['overrides'],
        summary: 'Keep a camera on air until unpinned (cameraId null unpins)',
        body: PinBody,
      },
    },
    async (request) => {
      shows.pinCamera(request.body.cameraId);
      return ok();
    },
  );

  app.post(
    '/api/show/overrides/cancel-force',
    {
      schema: {
        tags: ['overrides'],
        summary: 'End a forced camera at once (the timeline’s camera returns)',
      },
    },
    async () => {
      shows.cancelForce();
      return ok();
    },
  );

  app.post(
    '/api/show/overrides/return-to-timeline',
    {
      schema: {
        tags: ['overrides'],
        summary: 'End every override at once: emergency, pin, force and cleared overlays',
      },
    },
    async () => {
      shows.returnToTimeline();
      return ok();
    },
  );

  app.post(
    '/api/show/overrides/clear-overlays',
    {
      schema: {
        tags: ['overrides'],
        summary: 'Take every overlay on air off (they return when their cues play again)',
      },
    },
    async () => {
      shows.clearOverlays();
      return ok();
    },
  );

  app.post(
    '/api/show/overrides/restore-overlays',
    { schema: { tags: ['overrides'], summary: 'Bring cleared overlays back at once' } },
    async () => {
      shows.restoreOverlays();
      return ok();
    },
  );

  app.post(
    '/api/show/overrides/overlay-text',
    {
      schema: {
        tags: ['overrides'],
        summary: 'Change a text overlay’s text live (null restores it)',
        body: OverlayTextBody,
      },
    },
    async (request) => {
      await shows.setOverlayText(request.body.cueId, request.body.text);
      return ok();
    },
  );

  app.post(
    '/api/show/quality',
    {
      schema: {
        tags: ['show'],
        summary:
          'Hold the program at a quality level (0 = your settings; higher = lighter on the CPU), or null for automatic degraded mode',
        body: QualityBody,
      },
    },
    async (request) => shows.holdQuality(request.body.level),
  );

  app.get(
    '/preview/:file',
    {
      schema: {
        tags: ['show'],
        summary: 'The HLS preview of the program (playlist and segments)',
        params: PreviewParams,
      },
    },
    async (request, reply) => {
      const path = resolve(previewDir, request.params.file);
      if (!path.startsWith(previewDir + sep) || !existsSync(path))
        throw new AppError('NOT_FOUND', 'the preview is not running (go live first)');
      const playlist = path.endsWith('.m3u8');
      // Segment names start again at 0 with every show: a cached one would be the last show's.
      return reply
        .type(playlist ? 'application/vnd.apple.mpegurl' : path.endsWith('.ts') ? 'video/mp2t' : 'video/mp4')
        .header('cache-control', 'no-cache')
        .header('content-length', statSync(path).size)
        .send(createReadStream(path));
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['monitoring'], summary: 'Prometheus metrics (API token or session)' } },
    async (_request, reply) => {
      const metrics = shows.metrics();
      const live = `# HELP vistter_show_live 1 while a show is on air.\n# TYPE vistter_show_live gauge\nvistter_show_live ${metrics ? 1 : 0}\n`;
      return reply.type(PROMETHEUS_CONTENT_TYPE).send(live + (metrics ? renderPrometheus(metrics) : ''));
    },
  );

  app.get(
    '/api/live',
    { websocket: true, schema: { tags: ['show'], summary: 'WebSocket: the on-air state, pushed' } },
    (socket, request) => {
      // Browsers send the cookie on a cross-site WebSocket too: only the appliance's own pages may listen.
      const origin = request.headers.origin;
      if (origin && (!URL.canParse(origin) || new URL(origin).host !== request.headers.host)) {
        socket.close(1008, 'cross-site');
        return;
      }
      streamLiveState(socket, shows);
      streamAudioLevels(socket, shows, deps.clock ?? systemClock);
    },
  );
}

function streamLiveState(socket: WebSocket, shows: ApiShowControl): void {
  let lastSent = 0;
  let pending: NodeJS.Timeout | null = null;
  const send = (): void => {
    pending = null;
    if (socket.readyState !== socket.OPEN) return;
    lastSent = Date.now();
    const message: LiveMessage = LiveMessageSchema.parse({ type: 'state', data: shows.liveState() });
    socket.send(JSON.stringify(message));
  };
  const soon = (): void => {
    if (pending) return;
    pending = setTimeout(send, Math.max(0, lastSent + PUSH_MIN_INTERVAL_MS - Date.now()));
  };
  const every = setInterval(send, PUSH_EVERY_MS);
  const unsubscribe = shows.onChange(soon);
  socket.on('close', () => {
    clearInterval(every);
    if (pending) clearTimeout(pending);
    unsubscribe();
  });
  send();
}
