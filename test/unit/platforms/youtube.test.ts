// The pure parts of the YouTube Live layer: reading OAuth and Data API answers, the quota plan,
// when a token is refreshed, and the Google client setting (secret sealed, masked).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { parseSetting } from '../../../src/domain/settings.ts';
import {
  apiReasonOf,
  liveStatusOf,
  mapApiError,
  type LiveBroadcast,
} from '../../../src/platforms/youtube/client.ts';
import { interpretPoll, nextIntervalSeconds } from '../../../src/platforms/youtube/device-flow.ts';
import {
  dailyUnits,
  DEFAULT_DAILY_QUOTA,
  DEFAULT_QUOTA_PLAN,
  nextQuotaReset,
  PLANNED_SHARE,
  shortestPollInterval,
} from '../../../src/platforms/youtube/quota.ts';
import { needsRefresh, REFRESH_MARGIN_MS } from '../../../src/platforms/youtube/tokens.ts';
import { openSetting, sealSetting } from '../../../src/store/repositories/settings-secrets.ts';
import { createSecretBox } from '../../../src/store/secrets.ts';

const apiError = (status: number, reason: string) => ({
  error: { code: status, message: 'm', errors: [{ domain: 'youtube', reason, message: 'm' }] },
});

describe('device flow answers', () => {
  it('pending and slow_down keep polling; slow_down adds 5 s for good', () => {
    const pending = interpretPoll({ status: 428, body: { error: 'authorization_pending' } });
    const slow = interpretPoll({ status: 403, body: { error: 'slow_down' } });
    assert.equal(pending.kind, 'pending');
    assert.equal(slow.kind, 'slow_down');
    assert.equal(nextIntervalSeconds(5, slow), 10);
    assert.equal(nextIntervalSeconds(10, pending), 10);
  });

  it('denied, expired and unknown-client answers become errors in words', () => {
    const cases = [
      ['access_denied', 'YOUTUBE_CONNECT_FAILED', /denied/],
      ['expired_token', 'YOUTUBE_CONNECT_FAILED', /ran out/],
      ['invalid_client', 'YOUTUBE_CLIENT_NOT_SET', /OAuth client/],
      ['invalid_grant', 'YOUTUBE_CONNECT_FAILED', /no longer knows/],
    ] as const;
    for (const [error, code, words] of cases) {
      const outcome = interpretPoll({ status: 400, body: { error } });
      assert.equal(outcome.kind, 'failed', error);
      if (outcome.kind !== 'failed') continue;
      assert.equal(outcome.error.code, code, error);
      assert.match(outcome.error.message, words);
    }
  });

  it('a grant without a refresh token cannot last and is refused', () => {
    const outcome = interpretPoll({ status: 200, body: { access_token: 'a', expires_in: 3600 } });
    assert.equal(outcome.kind, 'failed');
    const granted = interpretPoll({
      status: 200,
      body: { access_token: 'a', expires_in: 3600, refresh_token: 'r' },
    });
    assert.equal(granted.kind, 'granted');
  });
});

describe('Data API refusals', () => {
  it('maps the documented reasons to registry codes with remediation', () => {
    assert.equal(apiReasonOf(apiError(403, 'quotaExceeded')), 'quotaExceeded');
    assert.equal(mapApiError(403, apiError(403, 'quotaExceeded'), 'x').code, 'YOUTUBE_QUOTA_EXCEEDED');
    assert.equal(
      mapApiError(403, apiError(403, 'userRequestsExceedRateLimit'), 'x').code,
      'YOUTUBE_QUOTA_EXCEEDED',
    );
    assert.equal(mapApiError(401, apiError(401, 'authError'), 'x').code, 'YOUTUBE_TOKEN_REVOKED');
    assert.match(
      mapApiError(401, apiError(401, 'authError'), 'x').remediation,
      /Reconnect the channel in Destinations/,
    );
    assert.equal(
      mapApiError(403, apiError(403, 'invalidTransition'), 'x').code,
      'YOUTUBE_TRANSITION_REFUSED',
    );
    assert.equal(mapApiError(403, apiError(403, 'redundantTransition'), 'x').reason, 'redundantTransition');
    assert.match(
      mapApiError(403, apiError(403, 'errorStreamInactive'), 'going live').message,
      /no data reaches/,
    );
    const other = mapApiError(500, '<html>', 'reading the stream');
    assert.equal(other.code, 'YOUTUBE_REQUEST_FAILED');
    assert.equal(other.reason, null);
    assert.match(other.message, /HTTP 500/);
  });

  it('a complete or revoked broadcast has ended; without a stream the data is inactive', () => {
    const broadcast = (lifeCycleStatus: LiveBroadcast['status']['lifeCycleStatus']): LiveBroadcast => ({
      id: 'b',
      snippet: { title: 't' },
      status: { lifeCycleStatus },
    });
    assert.equal(liveStatusOf(broadcast('complete'), undefined).ended, true);
    assert.equal(liveStatusOf(broadcast('revoked'), undefined).ended, true);
    assert.deepEqual(liveStatusOf(broadcast('live'), undefined), {
      lifeCycleStatus: 'live',
      streamStatus: 'inactive',
      health: 'noData',
      ended: false,
    });
  });
});

describe('quota plan', () => {
  it('the default poll (60 s, two lists) with ten broadcasts a day spends under half the quota', () => {
    assert.equal(dailyUnits(DEFAULT_QUOTA_PLAN), 2 * 1440 + 10 * 150 + 50);
    assert.ok(dailyUnits(DEFAULT_QUOTA_PLAN) <= DEFAULT_DAILY_QUOTA * PLANNED_SHARE);
  });

  it('finds the shortest poll interval that fits, and none when creations alone do not', () => {
    const { pollIntervalSeconds: _poll, ...rest } = DEFAULT_QUOTA_PLAN;
    const shortest = shortestPollInterval(rest);
    assert.ok(shortest !== null);
    assert.ok(dailyUnits({ ...rest, pollIntervalSeconds: shortest }) <= 5000);
    assert.ok(dailyUnits({ ...rest, pollIntervalSeconds: shortest - 1 }) > 5000);
    assert.ok(shortest <= DEFAULT_QUOTA_PLAN.pollIntervalSeconds);
    assert.equal(shortestPollInterval({ ...rest, broadcastsPerDay: 40 }), null);
  });

  it('the quota resets at midnight Pacific time, summer and winter', () => {
    // 2026-07-01 12:00 UTC is 05:00 PDT (UTC−7): next midnight is 07-02 07:00 UTC.
    assert.equal(nextQuotaReset(Date.UTC(2026, 6, 1, 12)), Date.UTC(2026, 6, 2, 7));
    // 2026-01-15 07:59 UTC is 23:59 PST (UTC−8) on the 14th: midnight is 08:00 UTC.
    assert.equal(nextQuotaReset(Date.UTC(2026, 0, 15, 7, 59)), Date.UTC(2026, 0, 15, 8));
    // The day clocks go back (2026-11-01): midnight of the 2nd is at UTC−8.
    assert.equal(nextQuotaReset(Date.UTC(2026, 10, 1, 12)), Date.UTC(2026, 10, 2, 8));
  });
});

describe('tokens and the Google client setting', () => {
  it('refreshes within the margin of expiry, or when no access token is held', () => {
    assert.equal(needsRefresh(null, 0), true);
    assert.equal(needsRefresh(10 * 60_000, 0), false);
    assert.equal(needsRefresh(REFRESH_MARGIN_MS, 0), true);
  });

  it('validates the client and seals its secret, masked whole in the stored JSON', () => {
    assert.equal(
      parseSetting('youtube.oauth_client', { client_id: 'nope', client_secret: 's' }).success,
      false,
    );
    const parsed = parseSetting('youtube.oauth_client', {
      client_id: '1234-abc.apps.googleusercontent.com',
      client_secret: 'GOCSPX-secret-value',
    });
    assert.ok(parsed.success);
    const box = createSecretBox(randomBytes(32));
    const stored = sealSetting('youtube.oauth_client', parsed.data, box) as Record<string, string>;
    assert.equal(stored['client_secret'], '****');
    assert.ok(!JSON.stringify(stored).includes('GOCSPX-secret-value'));
    assert.deepEqual(openSetting('youtube.oauth_client', stored, box), parsed.data);
  });

  it('the endpoints default to Google and may point elsewhere', () => {
    const google = loadConfig({ VISTTER_DATA_DIR: '/tmp/vistter-none' }).youtube;
    assert.equal(google.oauthBaseUrl, 'https://oauth2.googleapis.com');
    assert.equal(google.apiBaseUrl, 'https://www.googleapis.com/youtube/v3');
    const local = loadConfig({
      VISTTER_DATA_DIR: '/tmp/vistter-none',
      VISTTER_YOUTUBE_OAUTH_URL: 'http://127.0.0.1:9/',
      VISTTER_YOUTUBE_API_URL: 'http://127.0.0.1:9/youtube/v3',
    }).youtube;
    assert.equal(local.oauthBaseUrl, 'http://127.0.0.1:9');
    assert.throws(
      () => loadConfig({ VISTTER_DATA_DIR: '/tmp/vistter-none', VISTTER_YOUTUBE_API_URL: 'ftp://x' }),
      /VISTTER_YOUTUBE_API_URL/,
    );
  });
});
