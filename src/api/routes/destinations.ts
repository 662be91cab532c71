// Streaming destinations and the platform presets they are made from. The stream key is
// write-only: sealed by the store, masked on every read, never logged nor put in an error.
// A server URL can carry a secret too (a custom rtmp://host/app/KEY, an SRT passphrase): reads
// show it redacted.
import { z } from 'zod';
import { DestinationTester } from '../../app/destination-test.ts';
import {
  PLATFORMS as PLATFORM_IDS,
  DestinationPatchSchema,
  YOUTUBE_LATENCY,
  YOUTUBE_PRIVACY,
  type Platform,
} from '../../domain/schemas.ts';
import { AppError } from '../../errors/registry.ts';
import { PLATFORMS, redactUrl, sessionLimitHours } from '../../ffmpeg/platforms.ts';
import type { Destination } from '../../store/repositories/destinations.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, type ApiInstance } from '../http.ts';

/** What redactUrl() puts in place of a secret. */
const REDACTED = '****';

const fields = DestinationPatchSchema.shape;
/** Like the store's schema, but server_url may be left out for a platform with a default server. */
const DestinationCreateBody = z.strictObject({
  name: fields.name.unwrap(),
  platform: fields.platform.unwrap(),
  server_url: fields.server_url.meta({
    description: 'Left out for YouTube, Facebook or Twitch: the platform’s default ingest server.',
  }),
  stream_key: fields.stream_key.meta({ description: 'Write-only: reads show a mask.' }),
  enabled: fields.enabled,
  max_session_hours: fields.max_session_hours.meta({
    description:
      'The platform’s limit on one live session, in hours: left out or null for the platform’s own (Facebook 8, Twitch 48, none otherwise), 0 for none. The appliance starts a new session shortly before it.',
  }),
  youtube: fields.youtube.meta({
    description:
      'YouTube only: run the broadcasts through the YouTube Live API on a connected channel (title, privacy, latency, DVR, archive); null or left out: a plain stream key.',
  }),
});

const YouTubeBroadcastView = z.object({
  connection_id: z.number(),
  title: z.string(),
  description: z.string(),
  privacy: z.enum(YOUTUBE_PRIVACY),
  latency: z.enum(YOUTUBE_LATENCY),
  dvr: z.boolean(),
  auto_start: z.boolean(),
  keep_archive: z.boolean(),
});

const DestinationView = z.object({
  id: z.number(),
  name: z.string(),
  platform: z.enum(PLATFORM_IDS),
  server_url: z.string().meta({ description: 'Secrets in it (a key in the path, query values) masked.' }),
  has_stream_key: z.boolean(),
  stream_key_masked: z
    .string()
    .nullable()
    .meta({ description: 'At most the last 4 characters, e.g. "••••••••x9k2"; null when none is set.' }),
  enabled: z.boolean(),
  max_session_hours: z
    .number()
    .nullable()
    .meta({ description: 'As set: null = the platform’s limit, 0 = none.' }),
  session_limit_hours: z.number().nullable().meta({
    description:
      'The limit in force (the setting, else the platform’s); null: none. The session is restarted shortly before it.',
  }),
  youtube: YouTubeBroadcastView.nullable(),
  created_at: z.string(),
  modified_at: z.string(),
});

const DestinationTestView = z.object({
  ok: z.boolean(),
  destinationId: z.number(),
  host: z.string().meta({ description: 'The server’s host name (the key is never in an answer).' }),
  seconds: z.number(),
  frames: z.number(),
  bytesSent: z.number(),
  message: z.string().meta({
    description: 'e.g. "Reached a.example: published 4 s (120 frames) — the server accepted the stream."',
  }),
  error: z
    .object({ code: z.string(), kind: z.string(), message: z.string(), remediation: z.string() })
    .nullable(),
});

const PlatformView = z.object({
  id: z.enum(PLATFORM_IDS),
  label: z.string(),
  servers: z.array(z.string()).meta({ description: 'Ingest servers, the default first.' }),
  schemes: z.array(z.string()),
  keyRequired: z.boolean(),
  maxDurationHours: z.number().nullable(),
  maxBitrateKbps: z.number().nullable(),
  keyframeSeconds: z.number(),
});

function view(destination: Destination): z.input<typeof DestinationView> {
  return {
    ...destination,
    server_url: redactUrl(destination.server_url),
    has_stream_key: destination.stream_key_masked !== null,
    session_limit_hours: sessionLimitHours(destination.platform, destination.max_session_hours),
  };
}

/** Refusals the store's schema cannot make: a scheme the platform does not take, a key with spaces. */
function checkAgainstPlatform(platform: Platform, serverUrl: string | undefined, streamKey?: string | null) {
  const preset = PLATFORMS[platform];
  const issues = [];
  if (serverUrl !== undefined && URL.canParse(serverUrl.trim())) {
    const scheme = new URL(serverUrl.trim()).protocol.slice(0, -1);
    if (!(preset.schemes as readonly string[]).includes(scheme))
      issues.push({
        path: 'server_url',
        message: `${preset.label} accepts ${preset.schemes.map((s) => s.toUpperCase()).join('/')} only, not ${scheme.toUpperCase()}`,
      });
  }
  // The message never repeats the key.
  if (typeof streamKey === 'string' && /\s/.test(streamKey.trim()))
    issues.push({ path: 'stream_key', message: 'must not contain spaces (copy it again from the platform)' });
  if (issues.length > 0) throw new AppError('VALIDATION_FAILED', 'the destination is not valid', issues);
}

/** Broadcast settings must name a connected channel (a revoked one may be reconnected later). */
function refuseUnknownChannel(
  store: ApiDeps['store'],
  youtube: { connection_id: number } | null | undefined,
) {
  if (!youtube) return;
  if (store.youtubeConnections.list().some((connection) => connection.id === youtube.connection_id)) return;
  throw new AppError('VALIDATION_FAILED', 'the destination is not valid', [
    {
      path: 'youtube.connection_id',
      message: `there is no connected YouTube channel ${youtube.connection_id}: connect the channel first (Destinations → YouTube broadcasts → Connect a channel)`,
    },
  ]);
}

/** A masked address read back from the API is not a server address. */
function refuseMasked(serverUrl: string | undefined): void {
  if (serverUrl?.includes(REDACTED))
    throw new AppError('VALIDATION_FAILED', 'the server address is the masked one the appliance shows', [
      {
        path: 'server_url',
        message: `contains "${REDACTED}" (the masked form): send the full address, or leave server_url out to keep it`,
      },
    ]);
}

export function registerDestinationRoutes(app: ApiInstance, deps: ApiDeps): void {
  const { store } = deps;
  const tester = new DestinationTester({
    store,
    onAir: (id) => deps.shows?.current?.request.destinationIds.includes(id) ?? false,
    ...(deps.clock !== undefined ? { clock: deps.clock } : {}),
    ...(deps.logger !== undefined ? { logger: deps.logger } : {}),
  });

  app.get(
    '/api/platforms',
    {
      schema: {
        tags: ['destinations'],
        summary: 'Platform presets: default servers, accepted schemes, limits, whether a key is needed',
        response: { 200: z.array(PlatformView) },
      },
    },
    async () =>
      PLATFORM_IDS.map((id) => ({
        ...PLATFORMS[id],
        servers: [...PLATFORMS[id].servers],
        schemes: [...PLATFORMS[id].schemes],
      })),
  );

  app.get(
    '/api/destinations',
    {
      schema: {
        tags: ['destinations'],
        summary: 'All destinations (stream keys masked)',
        response: { 200: z.array(DestinationView) },
      },
    },
    async () => store.destinations.list().map(view),
  );

  app.get(
    '/api/destinations/:id',
    {
      schema: {
        tags: ['destinations'],
        summary: 'One destination (stream key masked)',
        params: IdParams,
        response: { 200: DestinationView },
      },
    },
    async (request) => view(store.destinations.get(request.params.id)),
  );

  app.post(
    '/api/destinations',
    {
      schema: {
        tags: ['destinations'],
        summary: 'Add a destination (YouTube, Facebook, Twitch or a custom RTMP/RTMPS/SRT server)',
        body: DestinationCreateBody,
        response: { 201: DestinationView },
      },
    },
    async (request, reply) => {
      const { platform, server_url, ...rest } = request.body;
      refuseMasked(server_url);
      const server = server_url ?? PLATFORMS[platform].servers[0];
      if (server === undefined)
        throw new AppError('VALIDATION_FAILED', 'the destination is not valid', [
          { path: 'server_url', message: 'is required for a custom destination' },
        ]);
      checkAgainstPlatform(platform, server, rest.stream_key);
      refuseUnknownChannel(store, rest.youtube);
      const created = store.destinations.create({ ...rest, platform, server_url: server });
      return reply.code(201).send(view(created));
    },
  );

  app.patch(
    '/api/destinations/:id',
    {
      schema: {
        tags: ['destinations'],
        summary: 'Change a destination (without stream_key the key is kept; null removes it)',
        params: IdParams,
        body: DestinationPatchSchema,
        response: { 200: DestinationView },
      },
    },
    async (request) => {
      const { id } = request.params;
      const patch = { ...request.body };
      refuseMasked(patch.server_url);
      const current = store.destinations.get(id);
      // Switching platform moves a destination still on the old platform's server to the new default.
      if (
        patch.platform !== undefined &&
        patch.platform !== current.platform &&
        patch.server_url === undefined &&
        PLATFORMS[current.platform].servers.includes(current.server_url)
      ) {
        const server = PLATFORMS[patch.platform].servers[0];
        if (server !== undefined) patch.server_url = server;
      }
      checkAgainstPlatform(
        patch.platform ?? current.platform,
        patch.server_url ?? current.server_url,
        patch.stream_key,
      );
      refuseUnknownChannel(store, patch.youtube);
      return view(store.destinations.update(id, patch));
    },
  );

  app.post(
    '/api/destinations/:id/test',
    {
      schema: {
        tags: ['destinations'],
        summary:
          'Publish a few seconds of test pattern to the destination and say whether the server took it (409 while the show on air streams to it)',
        params: IdParams,
        response: { 200: DestinationTestView },
      },
    },
    async (request) => tester.test(request.params.id),
  );

  app.delete(
    '/api/destinations/:id',
    {
      schema: { tags: ['destinations'], summary: 'Delete a destination', params: IdParams },
    },
    async (request, reply) => {
      const { id } = request.params;
      // The show on air keeps publishing to it: deleting it would leave an output nobody can see.
      if (deps.shows?.current?.request.destinationIds.includes(id)) {
        const { name } = store.destinations.get(id);
        throw new AppError('DESTINATION_ON_AIR', `destination ${id} "${name}" is receiving the show on air`);
      }
      store.destinations.delete(id);
      return reply.code(204).send();
    },
  );
}
