// Webhook notifier: POSTs each alert event as JSON to one URL, in order, one request at a time.
// A dead or slow webhook must never grow memory or hold anything up: events wait in a bounded
// queue (the oldest is dropped when full), each request has a deadline, and a failed event is
// retried a few times with backoff and then given up. The URL may carry a token, so only its
// origin is ever logged.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { AppError } from '../errors/registry.ts';
import { backoffDelay, resolveBackoff, type BackoffOptions } from '../process/backoff.ts';
import type { AlertEvent, AlertNotifier } from './alert-center.ts';

export const WEBHOOK_TIMEOUT_MS = 5000;
export const WEBHOOK_RETRIES = 3;
export const WEBHOOK_MAX_QUEUE = 100;
/** 1 s, 2 s, 4 s … (±20 %): a webhook that is briefly down gets the event a few seconds late. */
export const WEBHOOK_BACKOFF: Required<BackoffOptions> = {
  baseMs: 1000,
  factor: 2,
  capMs: 30_000,
  jitter: 0.2,
};

/** The outcome of one POST. `retry` says whether trying again could help. */
export type DeliveryResult = { ok: true; status: number } | { ok: false; retry: boolean; reason: string };

/** Sends one body; resolves (never rejects) within about timeoutMs. */
export type WebhookSend = (body: string, timeoutMs: number) => Promise<DeliveryResult>;

export interface WebhookNotifierOptions {
  /** http(s) URL; may carry a token in its path or query (never logged). */
  url: string;
  /** Extra request headers (e.g. Authorization); never logged. */
  headers?: Readonly<Record<string, string>>;
  clock?: Clock;
  logger?: Logger;
  /** Deadline per request, ms. Default 5000. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  backoff?: BackoffOptions;
  random?: () => number;
  /** Events waiting (not counting the one being sent). Default 100. */
  maxQueue?: number;
  /** Replaces the HTTP POST (tests of the retry schedule). */
  send?: WebhookSend;
}

export interface WebhookStats {
  queued: number;
  sending: boolean;
  delivered: number;
  /** Events given up after the last retry (or refused by the webhook with a 4xx). */
  failed: number;
  /** Events dropped unsent because the queue was full. */
  dropped: number;
}

interface Pending {
  body: string;
  event: AlertEvent['event'];
  key: string | null;
}

export class WebhookNotifier implements AlertNotifier {
  /** scheme://host:port, safe to log and show. */
  readonly origin: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoff: Required<BackoffOptions>;
  private readonly random: () => number;
  private readonly maxQueue: number;
  private readonly send: WebhookSend;
  private readonly queue: Pending[] = [];
  private sending = false;
  private retryTimer: TimerHandle | null = null;
  private closed = false;
  private overflowing = false;
  private delivered = 0;
  private failed = 0;
  private dropped = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(options: WebhookNotifierOptions) {
    const url = parseWebhookUrl(options.url);
    this.origin = url.origin;
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? createLogger('webhook')).child({ webhook: this.origin });
    this.timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    this.retries = Math.max(0, Math.floor(options.retries ?? WEBHOOK_RETRIES));
    this.backoff = resolveBackoff({ ...WEBHOOK_BACKOFF, ...options.backoff });
    this.random = options.random ?? Math.random;
    this.maxQueue = Math.max(1, Math.floor(options.maxQueue ?? WEBHOOK_MAX_QUEUE));
    this.send = options.send ?? httpSend(url, options.headers ?? {}, this.clock);
  }

  /** Queues the event; returns at once and never throws. */
  notify(event: AlertEvent): void {
    if (this.closed) return;
    try {
      // Serialised now: the event is a snapshot, and the queue holds only strings.
      this.queue.push({ body: JSON.stringify(event), event: event.event, key: event.alert.key });
      if (this.queue.length > this.maxQueue) {
        const lost = this.queue.shift()!;
        this.dropped += 1;
        if (!this.overflowing) {
          this.overflowing = true;
          this.log.warn(
            { maxQueue: this.maxQueue, droppedKey: lost.key },
            'webhook is not keeping up: dropping the oldest queued alert events',
          );
        }
      }
      this.pump();
    } catch (error) {
      this.log.error({ err: error }, 'could not queue the webhook event');
    }
  }

  stats(): WebhookStats {
    return {
      queued: this.queue.length,
      sending: this.sending,
      delivered: this.delivered,
      failed: this.failed,
      dropped: this.dropped,
    };
  }

  /** Resolves once nothing is queued or being sent (tests, orderly shutdown). */
  idle(): Promise<void> {
    if (!this.sending && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops: queued events are dropped, a pending retry is cancelled; a request in flight ends by its deadline. */
  close(): void {
    this.closed = true;
    if (this.retryTimer) {
      // The event waiting for its retry is given up with the queue.
      this.retryTimer.cancel();
      this.retryTimer = null;
      this.sending = false;
      this.dropped += 1;
    }
    this.dropped += this.queue.length;
    this.queue.length = 0;
    if (!this.sending) this.settleIdle();
  }

  private pump(): void {
    if (this.sending || this.closed) return;
    const next = this.queue.shift();
    if (!next) {
      this.settleIdle();
      return;
    }
    this.sending = true;
    this.attempt(next, 1);
  }

  private attempt(item: Pending, attempt: number): void {
    this.send(item.body, this.timeoutMs)
      .catch((error: unknown): DeliveryResult => ({ ok: false, retry: true, reason: String(error) }))
      .then((result) => {
        if (result.ok) {
          this.delivered += 1;
          if (this.overflowing) {
            this.overflowing = false;
            this.log.info({ dropped: this.dropped }, 'webhook is keeping up again');
          }
          this.log.debug(
            { event: item.event, key: item.key, status: result.status, attempt },
            'webhook delivered',
          );
          this.finish();
          return;
        }
        if (result.retry && attempt <= this.retries && !this.closed) {
          const delayMs = backoffDelay(attempt, this.backoff, this.random);
          this.log.warn(
            { event: item.event, key: item.key, reason: result.reason, attempt, retryInMs: delayMs },
            'webhook delivery failed; will retry',
          );
          this.retryTimer = this.clock.setTimeout(() => {
            this.retryTimer = null;
            if (this.closed) this.finish();
            else this.attempt(item, attempt + 1);
          }, delayMs);
          return;
        }
        this.failed += 1;
        this.log.warn(
          { event: item.event, key: item.key, reason: result.reason, attempts: attempt },
          'webhook delivery failed; event dropped (check the webhook address and that the receiver is up)',
        );
        this.finish();
      })
      .catch((error: unknown) => {
        this.log.error({ err: error }, 'webhook delivery bookkeeping failed');
        this.finish();
      });
  }

  private finish(): void {
    this.sending = false;
    if (this.closed) this.settleIdle();
    else this.pump();
  }

  private settleIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Checks a webhook URL without ever putting it in an error message. */
export function parseWebhookUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('WEBHOOK_URL_INVALID', 'the webhook address is not a valid URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
    throw new AppError('WEBHOOK_URL_INVALID', 'the webhook address must start with https:// or http://');
  }
  return url;
}

/** Server errors, rate limits and timeouts may pass; other 4xx (wrong URL, bad token) will not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

function httpSend(url: URL, headers: Readonly<Record<string, string>>, clock: Clock): WebhookSend {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return (body, timeoutMs) =>
    new Promise<DeliveryResult>((resolve) => {
      let settled = false;
      const settle = (result: DeliveryResult): void => {
        if (settled) return;
        settled = true;
        resolve(result);
      };
      const req = request(url, {
        method: 'POST',
        // No keep-alive: events are rare, and a closed socket cannot go stale between them.
        agent: false,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'VistterStream-alerts',
        },
      });
      // The deadline also ends a response that trickles in after its status line: no socket
      // outlives timeoutMs, however the receiver misbehaves.
      const deadline = clock.setTimeout(() => {
        settle({ ok: false, retry: true, reason: `no answer within ${timeoutMs} ms` });
        req.destroy();
      }, timeoutMs);
      req.on('close', () => deadline.cancel());
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        // The body is not needed: discard it so the socket can close.
        res.resume();
        if (status >= 200 && status < 300) settle({ ok: true, status });
        else if (status >= 300 && status < 400)
          settle({ ok: false, retry: false, reason: `redirect ${status}` });
        else settle({ ok: false, retry: isRetryableStatus(status), reason: `HTTP ${status}` });
      });
      // Only the error code (ECONNREFUSED, ENOTFOUND …): messages are not trusted to omit the URL.
      req.on('error', (error: NodeJS.ErrnoException) =>
        settle({ ok: false, retry: true, reason: error.code ?? error.name }),
      );
      req.end(body);
    });
}
