// Connecting YouTube channels (OAuth device flow, polled by the appliance) and the connections a
// destination's broadcasts can run on. No answer carries a token or the device code: the
// response schemas list the fields that may leave.
import { z } from 'zod';
import { YouTubeConnector } from '../../app/youtube-connect.ts';
import { GOOGLE_ENDPOINTS } from '../../config.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, type ApiInstance } from '../http.ts';

const ConnectBody = z
  .strictObject({
    label: z
      .string()
      .trim()
      .max(100, { error: 'must be at most 100 characters' })
      .optional()
      .meta({ description: 'A name for the channel when YouTube does not tell its own.' }),
    reconnect: z
      .number({ error: 'must be the id of a stored connection' })
      .int({ error: 'must be a whole number' })
      .positive({ error: 'must be the id of a stored connection' })
      .optional()
      .meta({
        description:
          'Connect this stored channel again: its tokens are replaced in place when YouTube names the same channel (a show on air on it carries on with them).',
      }),
  })
  .default({});

const AttemptParams = z.strictObject({
  attemptId: z.string().regex(/^[\w-]{1,40}$/, { error: 'must be the id a started connection answered' }),
});

const ConnectAttemptView = z.object({
  id: z.string(),
  state: z.enum(['pending', 'connected', 'denied', 'expired', 'failed', 'cancelled']),
  userCode: z.string().meta({ description: 'The code the channel owner enters at verificationUrl.' }),
  verificationUrl: z.string(),
  expiresAt: z.string(),
  expiresInSeconds: z.number(),
  intervalSeconds: z.number().meta({ description: 'How often the appliance asks Google now.' }),
  connection: z.object({ id: z.number(), label: z.string() }).nullable(),
  reconnected: z.boolean(),
  message: z.string().nullable(),
  remediation: z.string().nullable(),
});

const ConnectionView = z.object({
  id: z.number(),
  label: z.string(),
  scope: z.string(),
  connectedAt: z.number(),
  revokedAt: z.number().nullable().meta({ description: 'Set: the channel must be connected again.' }),
  revokedReason: z.string().nullable(),
  destinationIds: z.array(z.number()),
});

const DisconnectView = z.object({
  connection: ConnectionView,
  revokedAtGoogle: z.boolean(),
  message: z.string(),
});

export function registerYouTubeRoutes(app: ApiInstance, deps: ApiDeps): void {
  const connector = new YouTubeConnector({
    store: deps.store,
    endpoints: deps.youtubeEndpoints ?? GOOGLE_ENDPOINTS,
    ...(deps.clock !== undefined ? { clock: deps.clock } : {}),
    ...(deps.logger !== undefined ? { logger: deps.logger.child({ component: 'youtube-connect' }) } : {}),
    destinationOnAir: (id) => deps.shows?.current?.request.destinationIds.includes(id) ?? false,
    onReconnected: (id) => deps.shows?.current?.youtubeReconnected(id),
  });
  app.addHook('onClose', async () => connector.close());

  app.post(
    '/api/youtube/connect',
    {
      schema: {
        tags: ['youtube'],
        summary:
          'Start connecting a YouTube channel: a code for the owner to enter at the address shown; the appliance polls Google until allowed, denied or expired',
        body: ConnectBody,
        response: { 201: ConnectAttemptView },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await connector.start(request.body.label, request.body.reconnect)),
  );

  app.get(
    '/api/youtube/connect/:attemptId',
    {
      schema: {
        tags: ['youtube'],
        summary:
          'How connecting goes: pending, connected (with the channel), denied, expired, failed or cancelled',
        params: AttemptParams,
        response: { 200: ConnectAttemptView },
      },
    },
    async (request) => connector.status(request.params.attemptId),
  );

  app.delete(
    '/api/youtube/connect/:attemptId',
    {
      schema: {
        tags: ['youtube'],
        summary: 'Stop connecting (the code shown stops working for this appliance)',
        params: AttemptParams,
        response: { 200: ConnectAttemptView },
      },
    },
    async (request) => connector.cancel(request.params.attemptId),
  );

  app.get(
    '/api/youtube/connections',
    {
      schema: {
        tags: ['youtube'],
        summary:
          'Connected channels (no token), whether each must be connected again, and the destinations on each',
        response: { 200: z.array(ConnectionView) },
      },
    },
    async () => connector.connections(),
  );

  app.post(
    '/api/youtube/connections/:id/disconnect',
    {
      schema: {
        tags: ['youtube'],
        summary:
          'Disconnect a channel: Google is told to forget the access (best effort) and the connection is marked revoked; 409 while a show on air broadcasts on it',
        params: IdParams,
        response: { 200: DisconnectView },
      },
    },
    async (request) => connector.disconnect(request.params.id),
  );
}
