// Typed calls to the YouTube Live Streaming API (Data API v3): liveStreams insert/list,
// liveBroadcasts insert/list/bind/transition. Every answer is checked against the fields the
// appliance uses; every refusal becomes a registry error with what to do: quota spent → back off
// (the ledger holds calls back) and alert; token refused twice → the channel must be reconnected;
// a broadcast YouTube has ended → YOUTUBE_BROADCAST_COMPLETE, so the caller makes the next one.
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { messageOf } from '../../core/message-of.ts';
import { AppError, type ErrorCode } from '../../errors/registry.ts';
import { REQUEST_TIMEOUT_MS } from './oauth-http.ts';
import { QuotaLedger, type QuotaOperation } from './quota.ts';
import type { AccessTokenSource } from './tokens.ts';

export const LIFE_CYCLE_STATUSES = [
  'created',
  'ready',
  'testStarting',
  'testing',
  'liveStarting',
  'live',
  'complete',
  'revoked',
] as const;
export type LifeCycleStatus = (typeof LIFE_CYCLE_STATUSES)[number];

const LiveBroadcastSchema = z.object({
  id: z.string(),
  snippet: z.object({
    title: z.string(),
    description: z.string().optional(),
    scheduledStartTime: z.string().optional(),
  }),
  status: z.object({ lifeCycleStatus: z.enum(LIFE_CYCLE_STATUSES), privacyStatus: z.string().optional() }),
  contentDetails: z
    .object({
      boundStreamId: z.string().optional(),
      enableAutoStart: z.boolean().optional(),
      enableAutoStop: z.boolean().optional(),
      enableDvr: z.boolean().optional(),
      latencyPreference: z.string().optional(),
    })
    .optional(),
});
export type LiveBroadcast = z.infer<typeof LiveBroadcastSchema>;

const LiveStreamSchema = z.object({
  id: z.string(),
  snippet: z.object({ title: z.string() }),
  cdn: z.object({
    ingestionInfo: z.object({
      streamName: z.string(),
      ingestionAddress: z.string(),
      backupIngestionAddress: z.string().optional(),
    }),
  }),
  status: z.object({
    streamStatus: z.enum(['active', 'created', 'error', 'inactive', 'ready']),
    healthStatus: z.object({ status: z.enum(['good', 'ok', 'bad', 'noData']) }).optional(),
  }),
});
export type LiveStream = z.infer<typeof LiveStreamSchema>;

const ListSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** A broadcast as the destination's settings describe it. */
export interface BroadcastSettings {
  title: string;
  description?: string;
  privacy: 'public' | 'unlisted' | 'private';
  latency: 'normal' | 'low' | 'ultraLow';
  dvr: boolean;
  /** YouTube goes live by itself when data arrives; false: the appliance transitions. */
  autoStart: boolean;
  /** Wall ms; YouTube wants a start time even for "now". */
  scheduledStart: number;
}

/** What one status poll tells. */
export interface LiveStatus {
  lifeCycleStatus: LifeCycleStatus;
  streamStatus: LiveStream['status']['streamStatus'];
  health: 'good' | 'ok' | 'bad' | 'noData';
  /** YouTube has ended the broadcast: a new one must be bound to stay on air. */
  ended: boolean;
}

/** A refusal from YouTube: the registry code, plus the API's own reason for logs and tests. */
export class YouTubeApiError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly reason: string | null,
    readonly httpStatus: number,
  ) {
    super(code, message);
    this.name = 'YouTubeApiError';
  }
}

const QUOTA_REASONS = new Set(['quotaExceeded', 'dailyLimitExceeded']);
const RATE_REASONS = new Set(['rateLimitExceeded', 'userRequestsExceedRateLimit', 'userRateLimitExceeded']);
const TRANSITION_REASONS = new Set([
  'invalidTransition',
  'errorStreamInactive',
  'liveBroadcastBindingNotAllowed',
]);

/** The reason of a Data API error body ({ error: { errors: [{ reason }] } }). Pure. */
export function apiReasonOf(body: unknown): string | null {
  const parsed = z
    .object({ error: z.object({ errors: z.array(z.object({ reason: z.string() })).optional() }) })
    .safeParse(body);
  return parsed.success ? (parsed.data.error.errors?.[0]?.reason ?? null) : null;
}

/** An error answer → the registry error. `what` names the call ("binding the broadcast"). Pure. */
export function mapApiError(httpStatus: number, body: unknown, what: string): YouTubeApiError {
  const reason = apiReasonOf(body);
  const make = (code: ErrorCode, message: string): YouTubeApiError =>
    new YouTubeApiError(code, message, reason, httpStatus);
  if (reason !== null && QUOTA_REASONS.has(reason))
    return make('YOUTUBE_QUOTA_EXCEEDED', `YouTube refused ${what}: the day's API quota is spent`);
  if (reason !== null && RATE_REASONS.has(reason))
    return make('YOUTUBE_QUOTA_EXCEEDED', `YouTube refused ${what}: too many requests in a short time`);
  if (httpStatus === 401)
    return make('YOUTUBE_TOKEN_REVOKED', `YouTube no longer accepts the channel's access (${what})`);
  if (reason === 'redundantTransition')
    return make('YOUTUBE_TRANSITION_REFUSED', `${what}: the broadcast is already in that state`);
  if (reason !== null && TRANSITION_REASONS.has(reason))
    return make(
      'YOUTUBE_TRANSITION_REFUSED',
      reason === 'errorStreamInactive'
        ? `YouTube refused ${what}: no data reaches the stream yet`
        : `YouTube refused ${what}: the broadcast's state does not allow it`,
    );
  if (reason === 'liveStreamingNotEnabled')
    return make(
      'YOUTUBE_REQUEST_FAILED',
      `YouTube refused ${what}: live streaming is not enabled on this channel`,
    );
  return make(
    'YOUTUBE_REQUEST_FAILED',
    `YouTube refused ${what} (HTTP ${httpStatus}${reason ? `, ${reason}` : ''})`,
  );
}

/** What a status poll means for the caller. Pure. */
export function liveStatusOf(broadcast: LiveBroadcast, stream: LiveStream | undefined): LiveStatus {
  const lifeCycleStatus = broadcast.status.lifeCycleStatus;
  return {
    lifeCycleStatus,
    streamStatus: stream?.status.streamStatus ?? 'inactive',
    health: stream?.status.healthStatus?.status ?? 'noData',
    ended: lifeCycleStatus === 'complete' || lifeCycleStatus === 'revoked',
  };
}

export interface YouTubeClientDeps {
  apiBaseUrl: string;
  tokens: AccessTokenSource;
  clock: Clock;
  /** Shared by every client of one Google project (the quota is the project's). */
  ledger?: QuotaLedger;
  logger?: Logger;
}

interface Call {
  method: 'GET' | 'POST' | 'DELETE';
  resource: string;
  query: Record<string, string>;
  body?: unknown;
  operation: QuotaOperation;
  what: string;
}

export class YouTubeLiveClient {
  readonly ledger: QuotaLedger;

  constructor(private readonly deps: YouTubeClientDeps) {
    this.ledger = deps.ledger ?? new QuotaLedger(deps.clock);
  }

  async insertStream(title: string): Promise<LiveStream> {
    return this.call(
      {
        method: 'POST',
        resource: 'liveStreams',
        query: { part: 'snippet,cdn,contentDetails,status' },
        body: {
          snippet: { title },
          cdn: { frameRate: 'variable', resolution: 'variable', ingestionType: 'rtmp' },
          // The same key serves broadcast after broadcast.
          contentDetails: { isReusable: true },
        },
        operation: 'insert',
        what: 'creating the stream',
      },
      LiveStreamSchema,
    );
  }

  async listStreams(ids: readonly string[]): Promise<LiveStream[]> {
    const answer = await this.call(
      {
        method: 'GET',
        resource: 'liveStreams',
        query: { part: 'id,snippet,cdn,status', id: ids.join(',') },
        operation: 'list',
        what: 'reading the stream',
      },
      ListSchema(LiveStreamSchema),
    );
    return answer.items;
  }

  async insertBroadcast(settings: BroadcastSettings): Promise<LiveBroadcast> {
    return this.call(
      {
        method: 'POST',
        resource: 'liveBroadcasts',
        query: { part: 'snippet,status,contentDetails' },
        body: {
          snippet: {
            title: settings.title,
            description: settings.description ?? '',
            scheduledStartTime: new Date(settings.scheduledStart).toISOString(),
          },
          status: { privacyStatus: settings.privacy, selfDeclaredMadeForKids: false },
          contentDetails: {
            enableAutoStart: settings.autoStart,
            // The appliance decides when a broadcast ends, not a pause in the data.
            enableAutoStop: false,
            enableDvr: settings.dvr,
            latencyPreference: settings.latency,
          },
        },
        operation: 'insert',
        what: 'creating the broadcast',
      },
      LiveBroadcastSchema,
    );
  }

  async listBroadcasts(filter: { ids: readonly string[] } | { mine: true }): Promise<LiveBroadcast[]> {
    const answer = await this.call(
      {
        method: 'GET',
        resource: 'liveBroadcasts',
        query: {
          part: 'id,snippet,status,contentDetails',
          ...('ids' in filter ? { id: filter.ids.join(',') } : { mine: 'true' }),
        },
        operation: 'list',
        what: 'reading the broadcast',
      },
      ListSchema(LiveBroadcastSchema),
    );
    return answer.items;
  }

  async bind(broadcastId: string, streamId: string): Promise<LiveBroadcast> {
    try {
      return await this.call(
        {
          method: 'POST',
          resource: 'liveBroadcasts/bind',
          query: { id: broadcastId, streamId, part: 'id,snippet,status,contentDetails' },
          operation: 'bind',
          what: 'binding the broadcast to the stream',
        },
        LiveBroadcastSchema,
      );
    } catch (error) {
      throw await this.endedOr(error, broadcastId);
    }
  }

  /** Moves the broadcast to testing, live or complete. Already there counts as done. */
  async transition(broadcastId: string, to: 'testing' | 'live' | 'complete'): Promise<LiveBroadcast> {
    try {
      return await this.call(
        {
          method: 'POST',
          resource: 'liveBroadcasts/transition',
          query: { id: broadcastId, broadcastStatus: to, part: 'id,snippet,status,contentDetails' },
          operation: 'transition',
          what: `taking the broadcast ${to}`,
        },
        LiveBroadcastSchema,
      );
    } catch (error) {
      if (error instanceof YouTubeApiError && error.reason === 'redundantTransition') {
        const [broadcast] = await this.listBroadcasts({ ids: [broadcastId] });
        if (broadcast) return broadcast;
      }
      throw await this.endedOr(error, broadcastId);
    }
  }

  /** Removes a broadcast that never went on air (50 units); one already gone counts as done. */
  async deleteBroadcast(broadcastId: string): Promise<void> {
    try {
      await this.call(
        {
          method: 'DELETE',
          resource: 'liveBroadcasts',
          query: { id: broadcastId },
          operation: 'delete',
          what: 'removing the broadcast',
        },
        z.unknown(),
      );
    } catch (error) {
      if (error instanceof YouTubeApiError && error.httpStatus === 404) return;
      throw error;
    }
  }

  /** One status poll (2 units): the broadcast's life cycle and its stream's data and health. */
  async status(broadcastId: string, streamId: string): Promise<LiveStatus> {
    const [broadcast] = await this.listBroadcasts({ ids: [broadcastId] });
    if (!broadcast)
      throw new YouTubeApiError(
        'YOUTUBE_BROADCAST_COMPLETE',
        `the broadcast ${broadcastId} no longer exists on YouTube`,
        'notFound',
        404,
      );
    const [stream] = await this.listStreams([streamId]);
    return liveStatusOf(broadcast, stream);
  }

  /** A refused bind or transition on a broadcast YouTube has ended says so. */
  private async endedOr(error: unknown, broadcastId: string): Promise<unknown> {
    if (!(error instanceof YouTubeApiError) || error.code !== 'YOUTUBE_TRANSITION_REFUSED') return error;
    try {
      const [broadcast] = await this.listBroadcasts({ ids: [broadcastId] });
      if (broadcast && liveStatusOf(broadcast, undefined).ended)
        return new YouTubeApiError(
          'YOUTUBE_BROADCAST_COMPLETE',
          `YouTube has ended the broadcast "${broadcast.snippet.title}" (${broadcast.status.lifeCycleStatus})`,
          error.reason,
          error.httpStatus,
        );
    } catch {
      // The original refusal says enough.
    }
    return error;
  }

  private async call<S extends z.ZodType>(call: Call, schema: S): Promise<z.output<S>> {
    const pausedUntil = this.ledger.pausedUntil();
    if (pausedUntil !== null)
      throw new YouTubeApiError(
        'YOUTUBE_QUOTA_EXCEEDED',
        `the YouTube API quota is spent; the appliance tries again at ${new Date(pausedUntil).toISOString()}`,
        'quotaExceeded',
        403,
      );
    let answer = await this.send(call);
    if (answer.status === 401) {
      // An access token can lapse early (Google rotated it): one refresh, one retry.
      this.deps.tokens.invalidate();
      answer = await this.send(call);
    }
    this.ledger.record(call.operation);
    if (answer.status < 200 || answer.status >= 300) {
      const error = mapApiError(answer.status, answer.body, call.what);
      if (error.code === 'YOUTUBE_QUOTA_EXCEEDED' && error.reason !== null && QUOTA_REASONS.has(error.reason))
        this.ledger.exhausted();
      this.deps.logger?.warn(
        { code: error.code, reason: error.reason, status: answer.status },
        `youtube: ${error.message}`,
      );
      throw error;
    }
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success)
      throw new YouTubeApiError(
        'YOUTUBE_REQUEST_FAILED',
        `YouTube's answer to ${call.what} lacks fields the appliance needs`,
        null,
        answer.status,
      );
    return parsed.data;
  }

  private async send(call: Call): Promise<{ status: number; body: unknown }> {
    const token = await this.deps.tokens.accessToken();
    const url = `${this.deps.apiBaseUrl}/${call.resource}?${new URLSearchParams(call.query).toString()}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: call.method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: call.body === undefined ? null : JSON.stringify(call.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new YouTubeApiError(
        'YOUTUBE_REQUEST_FAILED',
        `YouTube did not answer ${call.what} (${messageOf(error)})`,
        null,
        0,
      );
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // An empty or HTML answer: the status speaks.
    }
    return { status: response.status, body };
  }
}
