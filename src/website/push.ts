// The scheduled push: the live still PUT or POSTed to the venue's website every interval, for
// websites hosted elsewhere (the appliance sits behind the venue's router, so the website cannot
// fetch from it). Each request has a time limit; after a failure the next try waits longer
// (doubling, capped); after FAILURES_BEFORE_ALERT failures in a row an alert is raised, and the
// first success clears it. The credentials go in the Authorization header only: logs and alerts
// name the address without its query, never a password or token.
import { systemClock, type Clock, type TimerHandle } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import type { PushCredentials, PushSettings } from '../domain/website.ts';
import type { AlertSink } from '../errors/alert-sink.ts';
import { alertRemediation } from '../errors/registry.ts';
import type { Still } from './live-still.ts';

export const PUSH_ALERT_KEY = 'website:push';
export const FAILURES_BEFORE_ALERT = 3;
/** The longest wait between tries while the website fails. */
export const MAX_BACKOFF_MS = 15 * 60_000;
/** A request that has not finished by then is abandoned (and counts as a failure). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

export interface PushDeps {
  /** The still to send (shared with /live.jpg: made at most once per interval). */
  still(): Promise<Still>;
  /** The push as configured now, and its credentials (opened), or null. */
  settings(): { push: PushSettings | null; credentials: PushCredentials | null };
  alerts: AlertSink;
  clock?: Clock;
  logger?: Logger;
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

export type PushOutcome = { ok: true; status: number } | { ok: false; reason: string };

/** The address as logs and alerts may show it: origin and path, no query or user part. */
export function pushAddressForPeople(url: string): string {
  if (!URL.canParse(url)) return '(not an address)';
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
}

export function authorizationHeader(credentials: PushCredentials | null): string | null {
  if (!credentials) return null;
  return credentials.type === 'basic'
    ? `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`, 'utf8').toString('base64')}`
    : `Bearer ${credentials.token}`;
}

/** The wait before the next try after `failures` failures in a row (0: the interval). */
export function nextDelayMs(intervalS: number, failures: number): number {
  const interval = intervalS * 1000;
  if (failures === 0) return interval;
  // Capped, but never sooner than the interval itself.
  return Math.max(interval, Math.min(MAX_BACKOFF_MS, interval * 2 ** Math.min(failures, 16)));
}

export class WebsitePusher {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private timer: TimerHandle | null = null;
  private running = false;
  private stopped = true;
  private failures = 0;
  private pushes = 0;

  constructor(private readonly deps: PushDeps) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? createLogger('website-push');
    this.timeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.fetch = deps.fetch ?? globalThis.fetch;
  }

  /** Starts pushing as configured (and checks again whenever reconfigure() is called). */
  start(): void {
    this.stopped = false;
    this.reconfigure();
  }

  /** The settings changed: push at once with the new ones (or stop, when turned off). */
  reconfigure(): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = null;
    this.failures = 0;
    const { push } = this.deps.settings();
    if (!push?.enabled) {
      this.clearAlert();
      return;
    }
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  /** Successful pushes since the start. */
  pushCount(): number {
    return this.pushes;
  }

  /** One push now, with the settings in force (also what each scheduled turn runs). */
  async pushOnce(): Promise<PushOutcome> {
    const { push, credentials } = this.deps.settings();
    if (!push) return { ok: false, reason: 'no push is configured' };
    const address = pushAddressForPeople(push.url);
    try {
      const still = await this.deps.still();
      const headers: Record<string, string> = {
        'content-type': 'image/jpeg',
        'x-vistter-on-air': still.onAir ? '1' : '0',
        'last-modified': new Date(still.madeAtWallMs).toUTCString(),
      };
      const authorization = authorizationHeader(credentials);
      if (authorization) headers['authorization'] = authorization;
      const response = await this.fetch(push.url, {
        method: push.method,
        headers,
        body: new Uint8Array(still.jpeg),
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // Read (and drop) the answer so the connection is freed; a huge answer is not waited for.
      await response.body?.cancel().catch(() => undefined);
      if (!response.ok) return { ok: false, reason: `the website answered ${response.status} to ${address}` };
      return { ok: true, status: response.status };
    } catch (error) {
      return { ok: false, reason: `${address}: ${describeFailure(error, this.timeoutMs)}` };
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => void this.turn(), delayMs);
  }

  private async turn(): Promise<void> {
    this.timer = null;
    if (this.stopped || this.running) return;
    const { push } = this.deps.settings();
    if (!push?.enabled) return;
    this.running = true;
    let outcome: PushOutcome;
    try {
      outcome = await this.pushOnce();
    } finally {
      this.running = false;
    }
    if (outcome.ok) {
      this.pushes += 1;
      if (this.failures > 0)
        this.log.info({ address: pushAddressForPeople(push.url) }, 'website push works again');
      this.failures = 0;
      this.clearAlert();
    } else {
      this.failures += 1;
      this.log.warn({ failures: this.failures, reason: outcome.reason }, 'website push failed');
      if (this.failures >= FAILURES_BEFORE_ALERT) {
        this.deps.alerts.raise({
          key: PUSH_ALERT_KEY,
          severity: 'warning',
          code: 'WEBSITE_PUSH_FAILED',
          message: `The live picture could not be sent to the venue website ${this.failures} times in a row (${outcome.reason}).`,
          remediation: alertRemediation('WEBSITE_PUSH_FAILED', undefined, { method: push.method }),
          source: 'website',
        });
      }
    }
    // Settings may have changed while the request ran: reconfigure() then scheduled already.
    if (this.timer === null && !this.stopped) {
      const now = this.deps.settings().push;
      if (now?.enabled) this.schedule(nextDelayMs(now.interval_s, this.failures));
    }
  }

  /** Also clears one left open by a previous run (the alert center makes a repeat cheap). */
  private clearAlert(): void {
    this.deps.alerts.clear(PUSH_ALERT_KEY);
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
  const code = cause && 'code' in cause ? String(cause.code) : null;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the name does not resolve';
  if (code) return `network error ${code}`;
  return error instanceof Error ? error.message.slice(0, 200) : 'failed';
}
