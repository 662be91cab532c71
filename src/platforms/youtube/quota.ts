// The YouTube Data API's daily quota (10,000 units by default, reset at midnight Pacific time)
// and how the appliance stays well inside it. Documented costs: a list call 1 unit; insert, bind,
// transition and update 50 each.
//
// The plan: while a broadcast is on air, one poll = liveBroadcasts.list + liveStreams.list
// (2 units). Every 60 s that is 2 × 1,440 = 2,880 units a day; with a fresh stream (50) and up to
// ten new broadcasts a day (insert + bind + transition = 150 each, 1,500), the day costs 4,430
// units: under half the default quota, leaving the rest for the operator's retries and for a
// second channel on the same Google project. Pure: no I/O.
import type { Clock } from '../../core/clock.ts';
import { addDays, localParts, localToInstant } from '../../core/calendar.ts';

/** Google resets the daily quota at midnight Pacific time. */
const QUOTA_ZONE = 'America/Los_Angeles';

export const QUOTA_COST = { list: 1, insert: 50, bind: 50, transition: 50, update: 50, delete: 50 } as const;
export type QuotaOperation = keyof typeof QUOTA_COST;

export const DEFAULT_DAILY_QUOTA = 10_000;
/** The share of the daily quota the appliance plans to spend at most. */
export const PLANNED_SHARE = 0.5;
/** Status polls while on air (README "YouTube Live"). */
export const DEFAULT_POLL_INTERVAL_SECONDS = 60;
/** Broadcasts a day the plan allows for (YouTube ending them, the 12-hour archive limit). */
export const PLANNED_BROADCASTS_PER_DAY = 10;
/** After quotaExceeded, the API is tried again at most this often (or at the reset if sooner). */
export const QUOTA_RETRY_MS = 30 * 60_000;

const SECONDS_PER_DAY = 86_400;

export interface QuotaPlan {
  pollIntervalSeconds: number;
  /** List calls per poll (broadcast and stream: 2). */
  listsPerPoll: number;
  broadcastsPerDay: number;
  /** Streams created a day (the stream key is reused: usually 1). */
  streamsPerDay: number;
}

export const DEFAULT_QUOTA_PLAN: QuotaPlan = {
  pollIntervalSeconds: DEFAULT_POLL_INTERVAL_SECONDS,
  listsPerPoll: 2,
  broadcastsPerDay: PLANNED_BROADCASTS_PER_DAY,
  streamsPerDay: 1,
};

/** Units a day a plan costs. */
export function dailyUnits(plan: QuotaPlan): number {
  const polls = Math.ceil(SECONDS_PER_DAY / plan.pollIntervalSeconds) * plan.listsPerPoll * QUOTA_COST.list;
  const broadcasts = plan.broadcastsPerDay * (QUOTA_COST.insert + QUOTA_COST.bind + QUOTA_COST.transition);
  return polls + broadcasts + plan.streamsPerDay * QUOTA_COST.insert;
}

/** The shortest whole-second poll interval whose day fits in `share` of `dailyQuota`; null when
 *  the creations alone do not fit. */
export function shortestPollInterval(
  plan: Omit<QuotaPlan, 'pollIntervalSeconds'>,
  dailyQuota = DEFAULT_DAILY_QUOTA,
  share = PLANNED_SHARE,
): number | null {
  const budget = dailyQuota * share;
  if (dailyUnits({ ...plan, pollIntervalSeconds: SECONDS_PER_DAY }) > budget) return null;
  for (let seconds = 1; seconds <= SECONDS_PER_DAY; seconds++)
    if (dailyUnits({ ...plan, pollIntervalSeconds: seconds }) <= budget) return seconds;
  return SECONDS_PER_DAY;
}

/** Wall ms of the next midnight in America/Los_Angeles after `wallNow` (when the quota resets). */
export function nextQuotaReset(wallNow: number): number {
  const today = localParts(QUOTA_ZONE, wallNow);
  return localToInstant(QUOTA_ZONE, { ...addDays(today, 1), hour: 0, minute: 0, second: 0 });
}

/** Units spent since the last reset, and the pause after Google said the quota is spent. */
export class QuotaLedger {
  private spent = 0;
  private resetAt: number;
  private blockedUntil: number | null = null;

  constructor(private readonly clock: Clock) {
    this.resetAt = nextQuotaReset(clock.wallNow());
  }

  /** Units spent today, by this appliance's count. */
  get unitsToday(): number {
    this.rollOver();
    return this.spent;
  }

  record(operation: QuotaOperation): void {
    this.rollOver();
    this.spent += QUOTA_COST[operation];
  }

  /** Google answered quotaExceeded: no call until the reset or the retry time, whichever is sooner. */
  exhausted(): void {
    const now = this.clock.wallNow();
    this.blockedUntil = Math.min(nextQuotaReset(now), now + QUOTA_RETRY_MS);
  }

  /** Wall ms until which calls are held back, or null. */
  pausedUntil(): number | null {
    if (this.blockedUntil !== null && this.clock.wallNow() >= this.blockedUntil) this.blockedUntil = null;
    return this.blockedUntil;
  }

  private rollOver(): void {
    const now = this.clock.wallNow();
    if (now < this.resetAt) return;
    this.spent = 0;
    this.resetAt = nextQuotaReset(now);
  }
}
