// The YouTube broadcast of one destination while a show is on air (issue 17). At GO LIVE: the
// destination's reusable liveStream (made once, its id kept), a new broadcast with the
// destination's settings, bound to it; the publisher sends to the stream's ingestion address.
// While on air: a status poll every minute (src/platforms/youtube/quota.ts has the budget); data
// flowing → the broadcast goes live (unless YouTube starts it by itself); YouTube ending it, or the
// 12-hour archive limit near, → the next broadcast on the SAME stream, the RTMP session untouched;
// not live within a minute → a planned new RTMP session at a keyframe. Quota spent, YouTube's
// limit on new broadcasts, access revoked: an alert, a backoff, and the stream goes on. At stop:
// the broadcast is completed, best effort and bounded in time.
//
// Time only through the injected Clock; YouTube only through the LiveApi given (the real client
// or a test's stand-in). No secrets in logs: the ingestion URL holds the stream key.
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { messageOf } from '../../core/message-of.ts';
import type { YouTubeBroadcastState } from '../../domain/live.ts';
import type { YouTubeBroadcastSettings } from '../../domain/schemas.ts';
import type { AlertInput, AlertSink } from '../../errors/alert-sink.ts';
import { alertRemediation, alertSeverity, isAppError } from '../../errors/registry.ts';
import {
  YouTubeApiError,
  liveStatusOf,
  type LifeCycleStatus,
  type LiveBroadcast,
  type LiveStatus,
  type LiveStream,
  type YouTubeLiveClient,
} from './client.ts';
import { DEFAULT_POLL_INTERVAL_SECONDS, QUOTA_RETRY_MS, type QuotaLedger } from './quota.ts';
import type { SavedStreams } from './saved-streams.ts';

/** What the lifecycle asks of YouTube (the real client has it all). */
export type LiveApi = Pick<
  YouTubeLiveClient,
  | 'insertStream'
  | 'listStreams'
  | 'insertBroadcast'
  | 'listBroadcasts'
  | 'bind'
  | 'transition'
  | 'status'
  | 'deleteBroadcast'
> & { readonly ledger: Pick<QuotaLedger, 'pausedUntil'> };

/** The destination's publisher, as far as the lifecycle may touch it. */
export interface SessionControl {
  /** A planned new RTMP session at the next keyframe (the other outputs are not touched);
   *  false: no session runs now (the destination is down: its own alerts say so). */
  newSession(reason: string): boolean;
}

export const POLL_INTERVAL_MS = DEFAULT_POLL_INTERVAL_SECONDS * 1000;
/** While a new broadcast waits to go live it is read this often (for at most WAITING_FAST_MS). */
export const WAITING_POLL_MS = 5000;
const WAITING_FAST_MS = 2 * 60_000;
/** A new broadcast not live by then: a new RTMP session is asked for. */
export const GO_LIVE_WITHIN_MS = 60_000;
/** YouTube archives at most 12 hours of a live broadcast: the next one starts 10 min before. */
export const ARCHIVE_RENEW_AFTER_MS = 11 * 3_600_000 + 50 * 60_000;
/** Completing the broadcast at stop waits at most this long. */
export const STOP_WITHIN_MS = 10_000;
/** After YouTube's rate limit on requests or new broadcasts: the first wait, doubled up to QUOTA_RETRY_MS. */
const RATE_BACKOFF_MS = 60_000;
/** A bind that failed (5xx, no answer, the token refresh failing) is tried again after 5 s,
 *  doubled up to 15 min: each bind costs 50 units, so a day-long outage stays under 5,000. */
export const BIND_RETRY_FIRST_MS = 5000;
export const BIND_RETRY_MAX_MS = 15 * 60_000;
/** A broadcast still not bound this long after it was made: an alert (cleared once bound). */
export const BIND_WITHIN_MS = 2 * 60_000;

/** States in which a broadcast can (and at stop should) be completed. */
const ON_AIR = new Set<LifeCycleStatus>(['testing', 'liveStarting', 'live']);
/** States of a broadcast that has not been on air: removed at stop rather than left upcoming. */
const NEVER_ON_AIR = new Set<LifeCycleStatus>(['created', 'ready']);

const RATE_REASONS = new Set(['rateLimitExceeded', 'userRequestsExceedRateLimit', 'userRateLimitExceeded']);

export interface BroadcastLifecycleDeps {
  /** The destination's output id ("dest:3"), store id and name (for words and alert keys). */
  destination: { outputId: string; id: number; name: string };
  /** The connected channel the broadcasts are made on. */
  connectionId: number;
  settings: YouTubeBroadcastSettings;
  api: LiveApi;
  clock: Clock;
  streams: SavedStreams;
  alerts?: AlertSink;
  logger: Logger;
  pollIntervalMs?: number;
  goLiveWithinMs?: number;
  archiveRenewAfterMs?: number;
  bindWithinMs?: number;
}

interface Current {
  id: string;
  title: string;
  lifeCycleStatus: LifeCycleStatus;
  /** Monotonic ms of creation, and since when YouTube says it is live. */
  createdAt: number;
  liveSince: number | null;
}

type Renewal = 'ended' | 'archive';

/** A broadcast inserted but not bound yet: its bind is tried again rather than a new one made. */
interface Unbound {
  id: string;
  title: string;
  /** Monotonic ms it was made. */
  since: number;
  failures: number;
}

/** A failure worth trying again soon: no answer, a 5xx, or the token refresh failing (not a
 *  refusal YouTube means). */
export function isTransientFailure(error: unknown): boolean {
  if (error instanceof YouTubeApiError) return error.httpStatus === 0 || error.httpStatus >= 500;
  return !isAppError(error) || error.code === 'YOUTUBE_REQUEST_FAILED';
}

/** The ingestion URL a stream's data goes to: address + "/" + stream name. Pure. */
export function ingestUrlOf(stream: LiveStream): string {
  const { ingestionAddress, streamName } = stream.cdn.ingestionInfo;
  return `${ingestionAddress.replace(/\/+$/, '')}/${streamName}`;
}

export class BroadcastLifecycle {
  private readonly pollIntervalMs: number;
  private readonly goLiveWithinMs: number;
  private readonly archiveRenewAfterMs: number;
  private readonly bindWithinMs: number;
  private readonly log: Logger;
  private stream: LiveStream | null = null;
  private current: Current | null = null;
  /** A broadcast YouTube has not ended, replaced for the archive limit: completed once the next is live. */
  private replaced: string | null = null;
  /** The next broadcast is to be made (why), and since when the current one must go live. */
  private renewal: Renewal | null = null;
  private goLiveTimer: TimerHandle | null = null;
  private pollTimer: TimerHandle | null = null;
  private polling: Promise<void> | null = null;
  private session: SessionControl | null = null;
  private stopped = false;
  private last: LiveStatus | null = null;
  private checkedAt: number | null = null;
  private broadcasts = 0;
  private problem: string | null = null;
  private rateBackoffMs = 0;
  private unbound: Unbound | null = null;
  private bindBackoffMs = 0;
  /** The wait before the first bind is tried again, when it failed at GO LIVE. */
  private firstRetryMs = 0;
  private started = false;
  /** The first broadcast of the show: History gets an event once it is live. */
  private announce: string | null = null;
  private readonly openKeys = new Set<string>();

  constructor(private readonly deps: BroadcastLifecycleDeps) {
    this.pollIntervalMs = deps.pollIntervalMs ?? POLL_INTERVAL_MS;
    this.goLiveWithinMs = deps.goLiveWithinMs ?? GO_LIVE_WITHIN_MS;
    this.archiveRenewAfterMs = deps.archiveRenewAfterMs ?? ARCHIVE_RENEW_AFTER_MS;
    this.bindWithinMs = deps.bindWithinMs ?? BIND_WITHIN_MS;
    this.log = deps.logger;
  }

  /**
   * At GO LIVE: the stream (reused while it exists), a new broadcast bound to it. Returns the URL
   * the publisher sends to (it holds the stream key: never log it). Throws the registry's error
   * when YouTube refuses (the destination cannot go on air through the API then).
   */
  async prepare(options: { adopt?: boolean } = {}): Promise<string> {
    const { api, streams, destination, connectionId, clock } = this.deps;
    const savedId = streams.streamId(destination.id, connectionId);
    if (savedId !== null) {
      const [found] = await api.listStreams([savedId]);
      this.stream = found ?? null;
      if (!found) this.log.info({ streamId: savedId }, 'youtube: the saved stream is gone; making a new one');
    }
    if (this.stream === null) {
      this.stream = await api.insertStream(`${destination.name} (VistterStream)`);
      streams.save(destination.id, connectionId, this.stream.id, clock.wallNow());
      this.log.info({ streamId: this.stream.id }, 'youtube: stream created');
    }
    if (!(options.adopt && savedId === this.stream.id && (await this.adopt(this.stream.id)))) {
      try {
        await this.makeBroadcast();
      } catch (error) {
        // Made but not bound for a passing reason: the data can flow to the stream meanwhile, and
        // the watch binds it (a refusal YouTube means still stops GO LIVE).
        if (this.unbound === null || !isTransientFailure(error)) throw error;
        this.firstRetryMs = this.nextBindBackoff();
        this.problem = `the broadcast ${this.unbound.id} is not bound to the stream yet (${messageOf(error)}); tried again shortly`;
      }
    }
    return ingestUrlOf(this.stream);
  }

  /** A crash resume: the broadcast the interrupted show left on the stream, not yet ended, is
   *  carried on rather than left live beside a new one. True when one was found. */
  private async adopt(streamId: string): Promise<boolean> {
    const mine = await this.deps.api.listBroadcasts({ mine: true });
    const left = mine.find(
      (broadcast) =>
        broadcast.contentDetails?.boundStreamId === streamId && !liveStatusOf(broadcast, undefined).ended,
    );
    if (!left) return false;
    this.current = {
      id: left.id,
      title: left.snippet.title,
      lifeCycleStatus: left.status.lifeCycleStatus,
      createdAt: this.deps.clock.now(),
      liveSince: left.status.lifeCycleStatus === 'live' ? this.deps.clock.now() : null,
    };
    this.broadcasts++;
    this.log.info({ broadcastId: left.id }, 'youtube: carrying on the broadcast of the interrupted show');
    return true;
  }

  /** The destination's output, once the engine has made it (for the new-session fallback). */
  attachSession(session: SessionControl): void {
    this.session = session;
  }

  /** Starts watching: the first check soon, then at the poll interval. */
  start(): void {
    if (this.stopped || (this.current === null && this.unbound === null)) return;
    this.started = true;
    if (this.current === null) {
      this.schedule(this.firstRetryMs);
      return;
    }
    this.armGoLive(this.current.id);
    this.schedule(WAITING_POLL_MS);
  }

  /** The channel was connected again (new tokens in the store): check at once, so an access
   *  alert clears and a pending broadcast is made without waiting for the next poll. */
  accessRestored(): void {
    if (this.stopped || !this.started) return;
    this.log.info('youtube: the channel was connected again; checking now');
    const running = this.polling;
    if (running) void running.then(() => this.schedule(0));
    else this.schedule(0);
  }

  /** Ends the watch; completes the broadcast on air (bounded by `withinMs`); clears its alerts. */
  async stop(withinMs = STOP_WITHIN_MS): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.pollTimer?.cancel();
    this.goLiveTimer?.cancel();
    for (const key of [...this.openKeys]) this.clearAlert(key);
    const onAir = this.current && ON_AIR.has(this.current.lifeCycleStatus) ? this.current.id : null;
    const ending = [onAir, this.replaced].filter((id): id is string => id !== null);
    // Made for this show but never on air (still unbound, or bound and waiting for data): removed,
    // so the channel is not left with upcoming broadcasts nobody will start.
    const upcoming = this.current && NEVER_ON_AIR.has(this.current.lifeCycleStatus) ? this.current.id : null;
    const unused = [this.unbound?.id ?? null, upcoming].filter((id): id is string => id !== null);
    if (ending.length === 0 && unused.length === 0) return;
    const work = (async () => {
      await this.polling?.catch(() => undefined);
      for (const id of ending) {
        try {
          await this.deps.api.transition(id, 'complete');
          this.log.info({ broadcastId: id }, 'youtube: broadcast completed at stop');
        } catch (error) {
          this.log.info(
            { broadcastId: id, err: messageOf(error) },
            'youtube: broadcast not completed at stop',
          );
        }
      }
      for (const id of unused) {
        try {
          await this.deps.api.deleteBroadcast(id);
          this.log.info({ broadcastId: id }, 'youtube: a broadcast that never went on air removed at stop');
        } catch (error) {
          this.log.info(
            { broadcastId: id, err: messageOf(error) },
            'youtube: a broadcast that never went on air was not removed at stop; it stays upcoming on the channel',
          );
        }
      }
    })();
    const timer: { handle: TimerHandle | null } = { handle: null };
    const timeout = new Promise<void>((resolve) => {
      timer.handle = this.deps.clock.setTimeout(resolve, withinMs);
    });
    await Promise.race([work, timeout]);
    timer.handle?.cancel();
  }

  /** For the live state. */
  state(): YouTubeBroadcastState {
    const current = this.current;
    return {
      outputId: this.deps.destination.outputId,
      name: this.deps.destination.name,
      broadcastId: current?.id ?? null,
      watchUrl: current ? `https://youtu.be/${current.id}` : null,
      lifeCycleStatus: current?.lifeCycleStatus ?? null,
      streamStatus: this.last?.streamStatus ?? null,
      health: this.last?.health ?? null,
      live: current?.lifeCycleStatus === 'live',
      broadcasts: this.broadcasts,
      problem: this.problem,
      checkedAt: this.checkedAt === null ? null : new Date(this.checkedAt).toISOString(),
    };
  }

  // ── the watch ──

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.pollTimer?.cancel();
    this.pollTimer = this.deps.clock.setTimeout(() => {
      this.pollTimer = null;
      this.polling = this.tick().finally(() => (this.polling = null));
    }, delayMs);
  }

  /** One check: make what is missing, read the status, act on it; then the next check. */
  private async tick(): Promise<void> {
    let delay = this.pollIntervalMs;
    try {
      if (this.stopped) return;
      if (this.renewal !== null || this.unbound !== null) await this.makeBroadcast();
      const current = this.current;
      if (current === null || this.stream === null) return;
      const status = await this.deps.api.status(current.id, this.stream.id);
      if (this.stopped) return;
      this.observe(current, status);
      if (status.ended) {
        this.log.warn(
          { broadcastId: current.id, status: status.lifeCycleStatus },
          'youtube ended the broadcast',
        );
        this.renewal = 'ended';
        if (!this.stopped) await this.makeBroadcast(current);
      } else if (current.lifeCycleStatus !== 'live') {
        await this.goLiveIfFlowing(current, status);
      } else if (
        this.deps.settings.keep_archive &&
        current.liveSince !== null &&
        this.deps.clock.now() - current.liveSince >= this.archiveRenewAfterMs
      ) {
        this.log.info(
          { broadcastId: current.id },
          'youtube: the 12-hour archive limit is near; next broadcast',
        );
        this.replaced = current.id;
        this.renewal = 'archive';
        await this.makeBroadcast(current);
      }
      this.succeeded();
      if (this.current && this.current.lifeCycleStatus !== 'live' && this.waitingFast(this.current))
        delay = WAITING_POLL_MS;
    } catch (error) {
      delay = this.failed(error);
    } finally {
      this.schedule(delay);
    }
  }

  private waitingFast(current: Current): boolean {
    return this.deps.clock.now() - current.createdAt < WAITING_FAST_MS;
  }

  private observe(current: Current, status: LiveStatus): void {
    this.last = status;
    this.checkedAt = this.deps.clock.wallNow();
    this.setLifeCycle(current, status.lifeCycleStatus);
  }

  private setLifeCycle(current: Current, status: LifeCycleStatus): void {
    current.lifeCycleStatus = status;
    if (status === 'live' && current.liveSince === null) {
      current.liveSince = this.deps.clock.now();
      this.wentLive(current);
    }
  }

  /** Data flows and YouTube does not start it by itself: the appliance takes it live. */
  private async goLiveIfFlowing(current: Current, status: LiveStatus): Promise<void> {
    if (this.deps.settings.auto_start || status.streamStatus !== 'active') return;
    if (current.lifeCycleStatus !== 'ready' && current.lifeCycleStatus !== 'testing') return;
    try {
      const answer = await this.deps.api.transition(current.id, 'live');
      this.setLifeCycle(current, answer.status.lifeCycleStatus);
    } catch (error) {
      // No data seen yet or a state in between: the next check tries again.
      if (isAppError(error) && error.code === 'YOUTUBE_TRANSITION_REFUSED') {
        this.log.info({ broadcastId: current.id, err: error.message }, 'youtube: not live yet');
        return;
      }
      throw error;
    }
  }

  /** A new broadcast (or the one made earlier whose bind failed), bound to the stream;
   *  `previous`: the one it follows (ended or replaced). */
  private async makeBroadcast(previous?: Current): Promise<void> {
    const { api, settings, clock } = this.deps;
    const stream = this.stream;
    if (stream === null) return;
    if (this.unbound === null) {
      const inserted = await api.insertBroadcast({
        title: settings.title,
        description: settings.description,
        privacy: settings.privacy,
        latency: settings.latency,
        dvr: settings.dvr,
        autoStart: settings.auto_start,
        scheduledStart: clock.wallNow(),
      });
      this.unbound = { id: inserted.id, title: inserted.snippet.title, since: clock.now(), failures: 0 };
    }
    const pending = this.unbound;
    let bound: LiveBroadcast;
    try {
      bound = await api.bind(pending.id, stream.id);
    } catch (error) {
      this.bindFailed(pending, error);
      throw error;
    }
    this.unbound = null;
    this.bindBackoffMs = 0;
    this.clearAlert(this.keyOf('bind'));
    if (pending.failures > 0)
      this.log.info(
        { broadcastId: bound.id, failures: pending.failures },
        'youtube: broadcast bound at last',
      );
    const renewal = this.renewal;
    const before = previous ?? this.current;
    this.current = {
      id: bound.id,
      title: bound.snippet.title,
      lifeCycleStatus: bound.status.lifeCycleStatus,
      createdAt: clock.now(),
      liveSince: null,
    };
    this.renewal = null;
    this.broadcasts++;
    this.log.info(
      { broadcastId: bound.id, streamId: stream.id, renewal },
      'youtube: broadcast created and bound',
    );
    if (!before) {
      // The show's first broadcast: History says so once it is live, as for the next ones.
      this.announce = bound.id;
      if (this.started) this.armGoLive(bound.id);
    }
    if (renewal !== null && before) {
      this.raise(`broadcast:${before.id}`, {
        code: 'YOUTUBE_BROADCAST_COMPLETE',
        severity: renewal === 'archive' ? 'info' : alertSeverity('YOUTUBE_BROADCAST_COMPLETE'),
        message:
          (renewal === 'archive'
            ? `Destination "${this.deps.destination.name}": the broadcast ${before.id} neared YouTube's 12-hour archive limit`
            : `YouTube ended the broadcast ${before.id} of destination "${this.deps.destination.name}" (${before.lifeCycleStatus})`) +
          `; the next broadcast ${bound.id} (https://youtu.be/${bound.id}) is bound to the same stream, which was not interrupted.`,
        remediation:
          renewal === 'archive'
            ? alertRemediation('YOUTUBE_BROADCAST_COMPLETE', 'archive')
            : alertRemediation('YOUTUBE_BROADCAST_COMPLETE'),
      });
      this.armGoLive(bound.id);
      // The data is already flowing: no need to wait for the next check.
      if (
        !settings.auto_start &&
        this.current.lifeCycleStatus !== 'live' &&
        this.last?.streamStatus === 'active'
      )
        await this.goLiveIfFlowing(this.current, {
          ...this.last,
          lifeCycleStatus: this.current.lifeCycleStatus,
        });
    }
  }

  /** Not live within the bound: a planned new RTMP session (YouTube sees the stream start again). */
  private armGoLive(broadcastId: string): void {
    this.goLiveTimer?.cancel();
    this.goLiveTimer = this.deps.clock.setTimeout(() => {
      this.goLiveTimer = null;
      const current = this.current;
      if (this.stopped || !current || current.id !== broadcastId || current.lifeCycleStatus === 'live')
        return;
      const seconds = Math.round(this.goLiveWithinMs / 1000);
      if (!this.session?.newSession(`YouTube broadcast not live after ${seconds} s`)) {
        // No RTMP session runs (the destination is down): look again after another bound.
        this.log.info(
          { broadcastId },
          `youtube: broadcast not live after ${seconds} s; no RTMP session to renew`,
        );
        this.armGoLive(broadcastId);
        return;
      }
      this.log.warn({ broadcastId }, `youtube: broadcast not live after ${seconds} s; new RTMP session`);
      this.raise(`fallback:${broadcastId}`, {
        code: 'DESTINATION_SESSION_RESTARTED',
        severity: alertSeverity('DESTINATION_SESSION_RESTARTED'),
        message:
          `Destination "${this.deps.destination.name}": the YouTube broadcast ${broadcastId} was not live ` +
          `${seconds} s after it was made (${current.lifeCycleStatus}); a new RTMP session was started at a keyframe.`,
        remediation: alertRemediation('DESTINATION_SESSION_RESTARTED'),
      });
    }, this.goLiveWithinMs);
  }

  private wentLive(current: Current): void {
    this.log.info({ broadcastId: current.id }, 'youtube: broadcast is live');
    this.goLiveTimer?.cancel();
    this.goLiveTimer = null;
    if (this.announce === current.id) {
      this.announce = null;
      const key = this.keyOf(`live:${current.id}`);
      const watchUrl = `https://youtu.be/${current.id}`;
      // An event for History only: raised and cleared at once (the control room's card has it).
      this.raise(key, {
        code: 'YOUTUBE_BROADCAST_LIVE',
        severity: alertSeverity('YOUTUBE_BROADCAST_LIVE'),
        message: `Destination "${this.deps.destination.name}": YouTube broadcast "${current.title}" created and live (${watchUrl}).`,
        remediation: alertRemediation('YOUTUBE_BROADCAST_LIVE'),
      });
      this.clearAlert(key);
    }
    // The events of the renewal stay in History; the control room no longer needs them.
    for (const key of [...this.openKeys])
      if (key.startsWith(this.keyOf('broadcast:')) || key.startsWith(this.keyOf('fallback:')))
        this.clearAlert(key);
    const replaced = this.replaced;
    if (replaced !== null && replaced !== current.id) {
      this.replaced = null;
      this.deps.api.transition(replaced, 'complete').then(
        () => this.log.info({ broadcastId: replaced }, 'youtube: the replaced broadcast completed'),
        (error: unknown) =>
          this.log.warn(
            { broadcastId: replaced, err: messageOf(error) },
            'youtube: completing the replaced broadcast failed',
          ),
      );
    }
  }

  // ── problems ──

  private succeeded(): void {
    this.problem = null;
    this.rateBackoffMs = 0;
    this.clearAlert(this.keyOf('quota'));
    this.clearAlert(this.keyOf('access'));
  }

  /** A bind refused or unanswered: the broadcast YouTube no longer has is forgotten (the next
   *  try makes a new one); any other is kept for the next try, with an alert past the bound. */
  private bindFailed(pending: Unbound, error: unknown): void {
    pending.failures++;
    const gone =
      (isAppError(error) && error.code === 'YOUTUBE_BROADCAST_COMPLETE') ||
      (error instanceof YouTubeApiError && error.httpStatus === 404);
    if (gone) {
      this.log.warn(
        { broadcastId: pending.id, err: messageOf(error) },
        'youtube: the unbound broadcast is gone',
      );
      this.unbound = null;
      return;
    }
    this.log.warn(
      { broadcastId: pending.id, failures: pending.failures, err: messageOf(error) },
      'youtube: binding the broadcast failed',
    );
    const waitedMs = this.deps.clock.now() - pending.since;
    if (waitedMs < this.bindWithinMs) return;
    const minutes = Math.max(1, Math.round(waitedMs / 60_000));
    this.raise(this.keyOf('bind'), {
      code: 'YOUTUBE_BIND_FAILED',
      severity: alertSeverity('YOUTUBE_BIND_FAILED'),
      message:
        `Destination "${this.deps.destination.name}": the YouTube broadcast "${pending.title}" (${pending.id}) ` +
        `could not be bound to the stream for ${minutes} min (${pending.failures} tries; last: ${messageOf(error)}). ` +
        'The appliance keeps trying; the RTMP stream continues.',
      remediation: alertRemediation('YOUTUBE_BIND_FAILED'),
    });
  }

  /** What a failed check means; returns when to check again. */
  private failed(error: unknown): number {
    const name = this.deps.destination.name;
    if (this.unbound !== null && isTransientFailure(error)) {
      const delay = this.nextBindBackoff();
      const retryAt = new Date(this.deps.clock.wallNow() + delay).toISOString().slice(11, 19);
      this.problem = `the broadcast ${this.unbound.id} is not bound to the stream yet (${messageOf(error)}); tried again at ${retryAt} UTC`;
      return delay;
    }
    if (!isAppError(error)) {
      this.problem = `checking the broadcast failed: ${messageOf(error)}`;
      this.log.error({ err: messageOf(error) }, 'youtube: check failed');
      return this.pollIntervalMs;
    }
    this.log.warn({ code: error.code, err: error.message }, 'youtube: check failed');
    switch (error.code) {
      case 'YOUTUBE_QUOTA_EXCEEDED': {
        const reason = error instanceof YouTubeApiError ? error.reason : null;
        const limited = reason !== null && RATE_REASONS.has(reason);
        let delay: number;
        if (limited) {
          delay = this.nextBackoff();
        } else {
          const until = this.deps.api.ledger.pausedUntil();
          delay =
            until === null
              ? QUOTA_RETRY_MS
              : Math.max(this.pollIntervalMs, until - this.deps.clock.wallNow());
        }
        const retryAt = new Date(this.deps.clock.wallNow() + delay).toISOString().slice(11, 16);
        const what =
          this.renewal !== null
            ? limited
              ? "YouTube's limit on new broadcasts is reached, so the next broadcast could not be made yet"
              : "YouTube's daily API quota is spent, so the next broadcast could not be made yet"
            : limited
              ? 'YouTube asks for fewer requests'
              : "YouTube's daily API quota is spent";
        this.problem = `${what}; tried again at ${retryAt} UTC`;
        this.raise(this.keyOf('quota'), {
          code: 'YOUTUBE_QUOTA_EXCEEDED',
          severity: alertSeverity('YOUTUBE_QUOTA_EXCEEDED'),
          message: `Destination "${name}": ${what}. The appliance backs off until ${retryAt} UTC; the RTMP stream continues.`,
          remediation: alertRemediation('YOUTUBE_QUOTA_EXCEEDED'),
        });
        return delay;
      }
      case 'YOUTUBE_TOKEN_REVOKED':
      case 'YOUTUBE_NOT_CONNECTED':
      case 'YOUTUBE_CLIENT_NOT_SET':
        this.problem = 'the channel’s access was revoked: reconnect the channel in Destinations';
        this.raise(this.keyOf('access'), {
          code: 'YOUTUBE_TOKEN_REVOKED',
          severity: alertSeverity('YOUTUBE_TOKEN_REVOKED'),
          message:
            `Destination "${name}": YouTube no longer accepts the channel’s access (${error.message}). ` +
            'Reconnect the channel in Destinations; the RTMP stream continues meanwhile.',
          remediation: alertRemediation('YOUTUBE_TOKEN_REVOKED'),
        });
        return this.pollIntervalMs;
      case 'YOUTUBE_BROADCAST_COMPLETE':
        // The broadcast is gone (or ended) where YouTube refused a call on it: make the next one.
        this.renewal ??= 'ended';
        return WAITING_POLL_MS;
      default: {
        if (this.renewal === null) {
          this.problem = error.message;
          return this.pollIntervalMs;
        }
        // Each refused insert costs 50 units: the next broadcast is not asked for every minute.
        const delay = this.nextBackoff();
        const retryAt = new Date(this.deps.clock.wallNow() + delay).toISOString().slice(11, 16);
        this.problem = `the next broadcast could not be made (${error.message}); tried again at ${retryAt} UTC`;
        return delay;
      }
    }
  }

  /** 5 s, 10, 20 … up to BIND_RETRY_MAX_MS; reset once bound. */
  private nextBindBackoff(): number {
    this.bindBackoffMs = Math.min(
      BIND_RETRY_MAX_MS,
      this.bindBackoffMs === 0 ? BIND_RETRY_FIRST_MS : this.bindBackoffMs * 2,
    );
    return this.bindBackoffMs;
  }

  /** 1 min, 2, 4 … up to QUOTA_RETRY_MS; reset by a check that works. */
  private nextBackoff(): number {
    this.rateBackoffMs = Math.min(
      QUOTA_RETRY_MS,
      this.rateBackoffMs === 0 ? RATE_BACKOFF_MS : this.rateBackoffMs * 2,
    );
    return this.rateBackoffMs;
  }

  private keyOf(what: string): string {
    return `destination:${this.deps.destination.outputId}:youtube:${what}`;
  }

  private raise(key: string, alert: Omit<AlertInput, 'key' | 'source'>): void {
    if (this.stopped) return; // the show's alerts ended with it
    const fullKey = key.startsWith('destination:') ? key : this.keyOf(key);
    this.openKeys.add(fullKey);
    this.deps.alerts?.raise({
      ...alert,
      key: fullKey,
      source: `destination:${this.deps.destination.outputId}`,
    });
  }

  private clearAlert(key: string): void {
    if (!this.openKeys.delete(key)) return;
    this.deps.alerts?.clear(key);
  }
}
