// A local stand-in for Google's OAuth 2.0 device flow and the YouTube Live Streaming API (Data API
// v3), on 127.0.0.1, answering the documented JSON shapes and error bodies. Switches let a test
// play the operator approving or denying, the daily quota running out, the channel owner revoking
// access, and YouTube ending a broadcast by itself. Quota is counted in the documented units
// (list 1, insert/bind/transition 50).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SIM_QUOTA_COST = { list: 1, write: 50 } as const;

type LifeCycle = 'created' | 'ready' | 'testing' | 'live' | 'complete' | 'revoked';
type StreamStatus = 'active' | 'created' | 'error' | 'inactive' | 'ready';

interface SimBroadcast {
  id: string;
  title: string;
  description: string;
  scheduledStartTime: string;
  privacyStatus: string;
  lifeCycleStatus: LifeCycle;
  boundStreamId: string | null;
  enableAutoStart: boolean;
  enableAutoStop: boolean;
  enableDvr: boolean;
  latencyPreference: string;
}

interface SimStream {
  id: string;
  title: string;
  streamName: string;
  streamStatus: StreamStatus;
  health: 'good' | 'ok' | 'bad' | 'noData';
}

interface DeviceGrant {
  deviceCode: string;
  userCode: string;
  clientId: string;
  state: 'pending' | 'approved' | 'denied' | 'expired';
  lastPollAt: number;
}

export interface YouTubeSimOptions {
  clientId?: string;
  clientSecret?: string;
  /** Seconds the device code asks the appliance to wait between polls. */
  interval?: number;
  /** Seconds an access token lives. */
  accessTokenLifetime?: number;
  /** Units a day (Google's default: 10,000). */
  dailyQuota?: number;
  /** Where streams' data goes (default YouTube's primary ingest): e2e tests point it at nginx. */
  ingestionAddress?: string;
  /** Whether data reaches a stream now (e.g. nginx's rtmp_stat shows a publisher of that name);
   *  without it, a test sets the status by hand (setStreamStatus). */
  streamActivity?: (streamName: string) => Promise<boolean>;
  /** The signed-in channel's name (channels.list); null: YouTube says none. */
  channelTitle?: string | null;
}

export class YouTubeApiSim {
  readonly clientId: string;
  readonly clientSecret: string;
  private server: Server | null = null;
  private port = 0;
  private readonly interval: number;
  private readonly accessTokenLifetime: number;
  private readonly dailyQuota: number;
  private readonly channelTitle: string | null;
  private readonly ingestionAddress: string;
  private readonly streamActivity: YouTubeSimOptions['streamActivity'];
  /** liveBroadcasts.insert refused with this reason (YouTube's daily limit on new broadcasts). */
  private insertRefusal: string | null = null;
  /** Transitions to live refused as if no data were seen (errorStreamInactive). */
  holdLive = false;
  /** The next binds that fail, and how (failBinds). */
  private bindFailures: { left: number; how: 'unavailable' | 'no-answer' } = { left: 0, how: 'unavailable' };
  private grants = new Map<string, DeviceGrant>();
  private refreshTokens = new Set<string>();
  private accessTokens = new Map<string, number>();
  private broadcasts = new Map<string, SimBroadcast>();
  private streams = new Map<string, SimStream>();
  private nextId = 1;
  /** Units spent today. */
  quotaUsed = 0;
  /** Requests seen, "METHOD /path", in order (tests check what the appliance asked). */
  readonly requests: string[] = [];
  /** Polls answered slow_down (a test asks for it with `slowDownNext`). */
  slowDownNext = 0;

  constructor(options: YouTubeSimOptions = {}) {
    this.clientId = options.clientId ?? 'sim-client.apps.googleusercontent.com';
    this.clientSecret = options.clientSecret ?? 'sim-client-secret';
    this.interval = options.interval ?? 5;
    this.accessTokenLifetime = options.accessTokenLifetime ?? 3599;
    this.dailyQuota = options.dailyQuota ?? 10_000;
    this.channelTitle = options.channelTitle === undefined ? 'Harbour Marina Live' : options.channelTitle;
    this.ingestionAddress = options.ingestionAddress ?? 'rtmp://a.rtmp.youtube.com/live2';
    this.streamActivity = options.streamActivity;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        send(response, 500, { error: { code: 500, message: String(error), errors: [] } });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  /** Where the appliance's configuration points: OAuth and API base URLs. */
  get endpoints(): { oauthBaseUrl: string; apiBaseUrl: string } {
    return { oauthBaseUrl: this.baseUrl, apiBaseUrl: `${this.baseUrl}/youtube/v3` };
  }

  // --- switches a test flips -------------------------------------------------------------------

  /** The operator entered the code and allowed access (or denied it). */
  approve(userCode: string, allow = true): void {
    for (const grant of this.grants.values())
      if (grant.userCode === userCode) grant.state = allow ? 'approved' : 'denied';
  }
  /** Every device code handed out so far runs out. */
  expireDeviceCodes(): void {
    for (const grant of this.grants.values()) if (grant.state === 'pending') grant.state = 'expired';
  }
  /** The daily quota is spent. */
  exhaustQuota(): void {
    this.quotaUsed = this.dailyQuota;
  }
  /** A new day at Google: the quota is back. */
  resetQuota(): void {
    this.quotaUsed = 0;
  }
  /** The channel owner removed the appliance's access (Google account → security → third-party access). */
  revokeAllTokens(): void {
    this.refreshTokens.clear();
    this.accessTokens.clear();
  }
  /** Access tokens issued so far stop working (they expired); refresh tokens still do. */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }
  /** The encoder's data reaches (or stops reaching) the stream's ingestion point. */
  setStreamStatus(streamId: string, status: StreamStatus, health: SimStream['health'] = 'good'): void {
    const stream = this.mustStream(streamId);
    stream.streamStatus = status;
    stream.health = status === 'active' ? health : 'noData';
  }
  /** YouTube ends the broadcast by itself (a long stream cut, a policy strike). */
  completeBroadcast(broadcastId: string): void {
    this.mustBroadcast(broadcastId).lifeCycleStatus = 'complete';
  }
  broadcast(id: string): Readonly<SimBroadcast> | undefined {
    return this.broadcasts.get(id);
  }
  /** Every broadcast made, oldest first. */
  allBroadcasts(): Readonly<SimBroadcast>[] {
    return [...this.broadcasts.values()];
  }
  /** Every stream made, oldest first. */
  allStreams(): Readonly<SimStream>[] {
    return [...this.streams.values()];
  }
  /** The next `count` liveBroadcasts.bind calls fail: 'unavailable' answers YouTube's 503
   *  backendError, 'no-answer' drops the connection without a word (a network failure). */
  failBinds(count: number, how: 'unavailable' | 'no-answer' = 'unavailable'): void {
    this.bindFailures = { left: count, how };
  }
  /** Binds still to fail. */
  get bindFailuresLeft(): number {
    return this.bindFailures.left;
  }
  /** YouTube refuses new broadcasts (its daily creation limit), or accepts them again (null). */
  refuseBroadcastInserts(reason: string | null = 'userRequestsExceedRateLimit'): void {
    this.insertRefusal = reason;
  }

  // --- HTTP ------------------------------------------------------------------------------------

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    this.requests.push(`${request.method ?? 'GET'} ${url.pathname}`);
    const body = await readBody(request);
    if (request.method === 'POST' && url.pathname === '/device/code')
      return this.deviceCode(response, new URLSearchParams(body));
    if (request.method === 'POST' && url.pathname === '/token')
      return this.token(response, new URLSearchParams(body));
    if (request.method === 'POST' && url.pathname === '/revoke')
      return this.revoke(response, new URLSearchParams(body), url);
    if (url.pathname.startsWith('/youtube/v3/')) return this.api(request, response, url, body);
    send(response, 404, { error: { code: 404, message: 'Not Found', errors: [] } });
  }

  private deviceCode(response: ServerResponse, form: URLSearchParams): void {
    if (form.get('client_id') !== this.clientId)
      return send(response, 401, {
        error: 'invalid_client',
        error_description: 'The OAuth client was not found.',
      });
    const grant: DeviceGrant = {
      deviceCode: token('dc'),
      userCode: `${letters(4)}-${letters(4)}`,
      clientId: this.clientId,
      state: 'pending',
      lastPollAt: 0,
    };
    this.grants.set(grant.deviceCode, grant);
    send(response, 200, {
      device_code: grant.deviceCode,
      user_code: grant.userCode,
      verification_url: 'https://www.google.com/device',
      expires_in: 1800,
      interval: this.interval,
    });
  }

  private token(response: ServerResponse, form: URLSearchParams): void {
    if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret)
      return send(response, 401, { error: 'invalid_client', error_description: 'Unauthorized' });
    const grantType = form.get('grant_type');
    if (grantType === 'urn:ietf:params:oauth:grant-type:device_code') {
      const grant = this.grants.get(form.get('device_code') ?? '');
      if (!grant)
        return send(response, 400, { error: 'invalid_grant', error_description: 'Malformed auth code.' });
      if (this.slowDownNext > 0) {
        this.slowDownNext--;
        return send(response, 403, { error: 'slow_down', error_description: 'Forbidden' });
      }
      if (grant.state === 'pending')
        return send(response, 428, {
          error: 'authorization_pending',
          error_description: 'Precondition Required',
        });
      if (grant.state === 'denied')
        return send(response, 403, { error: 'access_denied', error_description: 'Forbidden' });
      if (grant.state === 'expired')
        return send(response, 400, { error: 'expired_token', error_description: 'Bad Request' });
      this.grants.delete(grant.deviceCode);
      const refresh = token('1//rt');
      this.refreshTokens.add(refresh);
      return send(response, 200, { ...this.issueAccess(), refresh_token: refresh });
    }
    if (grantType === 'refresh_token') {
      if (!this.refreshTokens.has(form.get('refresh_token') ?? ''))
        return send(response, 400, {
          error: 'invalid_grant',
          error_description: 'Token has been expired or revoked.',
        });
      return send(response, 200, this.issueAccess());
    }
    send(response, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
  }

  private issueAccess(): Record<string, string | number> {
    const access = token('ya29');
    this.accessTokens.set(access, Date.now());
    return {
      access_token: access,
      expires_in: this.accessTokenLifetime,
      scope: 'https://www.googleapis.com/auth/youtube',
      token_type: 'Bearer',
    };
  }

  private revoke(response: ServerResponse, form: URLSearchParams, url: URL): void {
    const value = form.get('token') ?? url.searchParams.get('token') ?? '';
    if (this.refreshTokens.delete(value)) {
      // Revoking a refresh token ends the access tokens of the same grant too.
      this.accessTokens.clear();
      return send(response, 200, {});
    }
    if (this.accessTokens.delete(value)) return send(response, 200, {});
    send(response, 400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
  }

  /** With a streamActivity hook: each stream's status from whether data reaches it now. */
  private async refreshStreams(): Promise<void> {
    const activity = this.streamActivity;
    if (!activity) return;
    for (const stream of this.streams.values()) {
      const active = await activity(stream.streamName);
      if (active) {
        stream.streamStatus = 'active';
        stream.health = 'good';
      } else {
        stream.streamStatus = stream.streamStatus === 'ready' ? 'ready' : 'inactive';
        stream.health = 'noData';
      }
    }
  }

  private async api(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    body: string,
  ): Promise<void> {
    const auth = request.headers.authorization ?? '';
    const access = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const issued = this.accessTokens.get(access);
    if (issued === undefined) return apiError(response, 401, 'global', 'authError', 'Invalid Credentials');
    const resource = url.pathname.slice('/youtube/v3/'.length);
    const method = request.method ?? 'GET';
    const cost = method === 'GET' ? SIM_QUOTA_COST.list : SIM_QUOTA_COST.write;
    if (this.quotaUsed + cost > this.dailyQuota)
      return apiError(
        response,
        403,
        'youtube.quota',
        'quotaExceeded',
        'The request cannot be completed because you have exceeded your quota.',
      );
    this.quotaUsed += cost;
    // liveBroadcasts.delete takes only the id and answers 204 with no body.
    if (resource === 'liveBroadcasts' && method === 'DELETE') {
      const id = url.searchParams.get('id') ?? '';
      if (!this.broadcasts.delete(id))
        return apiError(
          response,
          404,
          'youtube.liveBroadcast',
          'liveBroadcastNotFound',
          'Broadcast not found',
        );
      response.writeHead(204);
      response.end();
      return;
    }
    const parts = (url.searchParams.get('part') ?? '').split(',').filter(Boolean);
    if (parts.length === 0)
      return apiError(response, 400, 'youtube.parameter', 'requiredParameter', 'No filter selected.');
    if (resource === 'liveBroadcasts' && method === 'POST') {
      if (this.insertRefusal !== null)
        return apiError(
          response,
          403,
          'youtube.liveBroadcast',
          this.insertRefusal,
          'The user has exceeded the number of live broadcasts that can be created.',
        );
      return this.insertBroadcast(response, parse(body));
    }
    if (resource === 'liveBroadcasts' && method === 'GET') return this.listBroadcasts(response, url);
    if (resource === 'liveBroadcasts/bind' && method === 'POST') {
      if (this.bindFailures.left > 0) {
        this.bindFailures.left--;
        if (this.bindFailures.how === 'no-answer') {
          response.socket?.destroy();
          return;
        }
        return apiError(response, 503, 'global', 'backendError', 'Backend Error');
      }
      return this.bind(response, url);
    }
    if (resource === 'liveBroadcasts/transition' && method === 'POST') {
      await this.refreshStreams();
      return this.transition(response, url);
    }
    if (resource === 'channels' && method === 'GET' && url.searchParams.get('mine') === 'true') {
      const items =
        this.channelTitle === null
          ? []
          : [{ kind: 'youtube#channel', id: 'UCsim', snippet: { title: this.channelTitle } }];
      return send(response, 200, { kind: 'youtube#channelListResponse', items });
    }
    if (resource === 'liveStreams' && method === 'POST') return this.insertStream(response, parse(body));
    if (resource === 'liveStreams' && method === 'GET') {
      await this.refreshStreams();
      return this.listStreams(response, url);
    }
    apiError(response, 404, 'global', 'notFound', 'Not Found');
  }

  private insertBroadcast(response: ServerResponse, body: Record<string, unknown>): void {
    const snippet = (body['snippet'] ?? {}) as Record<string, unknown>;
    const status = (body['status'] ?? {}) as Record<string, unknown>;
    const details = (body['contentDetails'] ?? {}) as Record<string, unknown>;
    if (typeof snippet['title'] !== 'string' || snippet['title'] === '')
      return apiError(response, 400, 'youtube.liveBroadcast', 'titleRequired', 'The title is required.');
    if (typeof snippet['scheduledStartTime'] !== 'string')
      return apiError(
        response,
        400,
        'youtube.liveBroadcast',
        'scheduledStartTimeRequired',
        'scheduledStartTime is required.',
      );
    const privacy = status['privacyStatus'];
    if (privacy !== 'public' && privacy !== 'unlisted' && privacy !== 'private')
      return apiError(
        response,
        400,
        'youtube.liveBroadcast',
        'invalidPrivacyStatus',
        'Invalid privacy status.',
      );
    const broadcast: SimBroadcast = {
      id: `bc${this.nextId++}`,
      title: snippet['title'],
      description: typeof snippet['description'] === 'string' ? snippet['description'] : '',
      scheduledStartTime: snippet['scheduledStartTime'],
      privacyStatus: privacy,
      lifeCycleStatus: 'created',
      boundStreamId: null,
      enableAutoStart: details['enableAutoStart'] === true,
      enableAutoStop: details['enableAutoStop'] !== false,
      enableDvr: details['enableDvr'] !== false,
      latencyPreference:
        typeof details['latencyPreference'] === 'string' ? details['latencyPreference'] : 'normal',
    };
    this.broadcasts.set(broadcast.id, broadcast);
    send(response, 200, this.broadcastResource(broadcast));
  }

  private listBroadcasts(response: ServerResponse, url: URL): void {
    const ids = url.searchParams.get('id');
    const mine = url.searchParams.get('mine') === 'true';
    if (!ids && !mine && !url.searchParams.get('broadcastStatus'))
      return apiError(response, 400, 'youtube.parameter', 'missingRequiredParameter', 'No filter selected.');
    const wanted = ids ? new Set(ids.split(',')) : null;
    const items = [...this.broadcasts.values()]
      .filter((broadcast) => wanted === null || wanted.has(broadcast.id))
      .map((broadcast) => this.broadcastResource(broadcast));
    send(response, 200, {
      kind: 'youtube#liveBroadcastListResponse',
      pageInfo: { totalResults: items.length, resultsPerPage: items.length },
      items,
    });
  }

  private bind(response: ServerResponse, url: URL): void {
    const broadcast = this.broadcasts.get(url.searchParams.get('id') ?? '');
    if (!broadcast)
      return apiError(response, 404, 'youtube.liveBroadcast', 'liveBroadcastNotFound', 'Broadcast not found');
    const streamId = url.searchParams.get('streamId');
    if (streamId && !this.streams.has(streamId))
      return apiError(response, 404, 'youtube.liveBroadcast', 'liveStreamNotFound', 'Stream not found');
    if (broadcast.lifeCycleStatus === 'complete' || broadcast.lifeCycleStatus === 'revoked')
      return apiError(
        response,
        403,
        'youtube.liveBroadcast',
        'liveBroadcastBindingNotAllowed',
        'Binding not allowed',
      );
    broadcast.boundStreamId = streamId;
    if (broadcast.lifeCycleStatus === 'created' && streamId) broadcast.lifeCycleStatus = 'ready';
    send(response, 200, this.broadcastResource(broadcast));
  }

  private transition(response: ServerResponse, url: URL): void {
    const broadcast = this.broadcasts.get(url.searchParams.get('id') ?? '');
    if (!broadcast)
      return apiError(response, 404, 'youtube.liveBroadcast', 'liveBroadcastNotFound', 'Broadcast not found');
    const target = url.searchParams.get('broadcastStatus');
    if (target !== 'testing' && target !== 'live' && target !== 'complete')
      return apiError(response, 400, 'youtube.liveBroadcast', 'invalidValue', 'Invalid broadcastStatus');
    if (broadcast.lifeCycleStatus === target)
      return apiError(response, 403, 'youtube.liveBroadcast', 'redundantTransition', 'Redundant transition');
    const allowed: Record<typeof target, LifeCycle[]> = {
      testing: ['ready'],
      live: ['ready', 'testing'],
      complete: ['live', 'testing'],
    };
    if (!allowed[target].includes(broadcast.lifeCycleStatus))
      return apiError(response, 403, 'youtube.liveBroadcast', 'invalidTransition', 'Invalid transition');
    if (target === 'live' && this.holdLive)
      return apiError(response, 403, 'youtube.liveBroadcast', 'errorStreamInactive', 'Stream is inactive');
    if (target !== 'complete') {
      const stream = broadcast.boundStreamId ? this.streams.get(broadcast.boundStreamId) : undefined;
      if (!stream || stream.streamStatus !== 'active')
        return apiError(response, 403, 'youtube.liveBroadcast', 'errorStreamInactive', 'Stream is inactive');
    }
    broadcast.lifeCycleStatus = target;
    send(response, 200, this.broadcastResource(broadcast));
  }

  private insertStream(response: ServerResponse, body: Record<string, unknown>): void {
    const snippet = (body['snippet'] ?? {}) as Record<string, unknown>;
    if (typeof snippet['title'] !== 'string' || snippet['title'] === '')
      return apiError(response, 400, 'youtube.liveStream', 'titleRequired', 'The title is required.');
    const stream: SimStream = {
      id: `st${this.nextId++}`,
      title: snippet['title'],
      streamName: `${letters(4)}-${letters(4)}-${letters(4)}-${letters(4)}`.toLowerCase(),
      streamStatus: 'ready',
      health: 'noData',
    };
    this.streams.set(stream.id, stream);
    send(response, 200, this.streamResource(stream));
  }

  private listStreams(response: ServerResponse, url: URL): void {
    const ids = url.searchParams.get('id');
    if (!ids && url.searchParams.get('mine') !== 'true')
      return apiError(response, 400, 'youtube.parameter', 'missingRequiredParameter', 'No filter selected.');
    const wanted = ids ? new Set(ids.split(',')) : null;
    const items = [...this.streams.values()]
      .filter((stream) => wanted === null || wanted.has(stream.id))
      .map((stream) => this.streamResource(stream));
    send(response, 200, {
      kind: 'youtube#liveStreamListResponse',
      pageInfo: { totalResults: items.length, resultsPerPage: items.length },
      items,
    });
  }

  private broadcastResource(broadcast: SimBroadcast): Record<string, unknown> {
    return {
      kind: 'youtube#liveBroadcast',
      id: broadcast.id,
      snippet: {
        title: broadcast.title,
        description: broadcast.description,
        scheduledStartTime: broadcast.scheduledStartTime,
      },
      status: { lifeCycleStatus: broadcast.lifeCycleStatus, privacyStatus: broadcast.privacyStatus },
      contentDetails: {
        boundStreamId: broadcast.boundStreamId ?? undefined,
        enableAutoStart: broadcast.enableAutoStart,
        enableAutoStop: broadcast.enableAutoStop,
        enableDvr: broadcast.enableDvr,
        latencyPreference: broadcast.latencyPreference,
      },
    };
  }

  private streamResource(stream: SimStream): Record<string, unknown> {
    return {
      kind: 'youtube#liveStream',
      id: stream.id,
      snippet: { title: stream.title },
      cdn: {
        ingestionType: 'rtmp',
        ingestionInfo: {
          streamName: stream.streamName,
          ingestionAddress: this.ingestionAddress,
          backupIngestionAddress: 'rtmp://b.rtmp.youtube.com/live2?backup=1',
        },
        resolution: 'variable',
        frameRate: 'variable',
      },
      status: { streamStatus: stream.streamStatus, healthStatus: { status: stream.health } },
    };
  }

  private mustStream(id: string): SimStream {
    const stream = this.streams.get(id);
    if (!stream) throw new Error(`the sim has no stream ${id}`);
    return stream;
  }
  private mustBroadcast(id: string): SimBroadcast {
    const broadcast = this.broadcasts.get(id);
    if (!broadcast) throw new Error(`the sim has no broadcast ${id}`);
    return broadcast;
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

/** The Data API's error body: { error: { code, message, errors: [{ domain, reason, message }] } }. */
function apiError(
  response: ServerResponse,
  status: number,
  domain: string,
  reason: string,
  message: string,
): void {
  send(response, status, { error: { code: status, message, errors: [{ domain, reason, message }] } });
}

function parse(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function token(prefix: string): string {
  return `${prefix}.${randomBytes(18).toString('base64url')}`;
}

function letters(count: number): string {
  const alphabet = 'BCDFGHJKLMNPQRSTVWXZ';
  return Array.from(randomBytes(count), (byte) => alphabet[byte % alphabet.length]).join('');
}
