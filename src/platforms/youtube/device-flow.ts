// Connecting a YouTube channel with OAuth 2.0's device flow (RFC 8628, Google's "TV and
// limited-input devices"): the appliance asks for a code, shows the operator the code and the
// address to enter it at (on any phone or computer), then polls the token endpoint at the interval
// Google gave, slower after slow_down, until the operator allows or denies or the code runs out.
import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../errors/registry.ts';
import type { YouTubeEndpoints } from '../../config.ts';
import {
  accessTokenOf,
  oauthErrorOf,
  postForm,
  YOUTUBE_SCOPE,
  type OAuthAnswer,
  type OAuthClient,
} from './oauth-http.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 §3.5: after slow_down, wait 5 s longer between polls, for good. */
export const SLOW_DOWN_STEP_SECONDS = 5;
/** When Google names no interval. */
const DEFAULT_INTERVAL_SECONDS = 5;

/** What the operator is shown, and what the appliance keeps to poll with. */
export interface DeviceAuthorization {
  deviceCode: string;
  /** The code the operator types, like "BCDF-GHJK". */
  userCode: string;
  /** Where the operator types it (google.com/device). */
  verificationUrl: string;
  /** Monotonic clock ms when the code runs out. */
  expiresAt: number;
  intervalSeconds: number;
}

export interface GrantedTokens {
  accessToken: string;
  refreshToken: string;
  /** Wall-clock ms. */
  accessExpiresAt: number;
  scope: string;
}

/** One poll's answer, as the flow acts on it. */
export type PollOutcome =
  | { kind: 'pending' }
  | { kind: 'slow_down' }
  | { kind: 'granted'; accessToken: string; refreshToken: string; expiresInSeconds: number; scope: string }
  | { kind: 'failed'; error: AppError };

/** Asks Google for a device code and the address the operator enters it at. */
export async function startDeviceFlow(
  endpoints: YouTubeEndpoints,
  client: OAuthClient,
  clock: Clock,
): Promise<DeviceAuthorization> {
  const answer = await postForm(`${endpoints.oauthBaseUrl}/device/code`, {
    client_id: client.clientId,
    scope: YOUTUBE_SCOPE,
  });
  const { device_code: deviceCode, user_code: userCode, expires_in: expiresIn, interval } = answer.body;
  // Google names it verification_url; RFC 8628 verification_uri.
  const url = answer.body['verification_url'] ?? answer.body['verification_uri'];
  if (
    answer.status !== 200 ||
    typeof deviceCode !== 'string' ||
    typeof userCode !== 'string' ||
    typeof url !== 'string'
  )
    throw deviceCodeRefusal(answer);
  return {
    deviceCode,
    userCode,
    verificationUrl: url,
    expiresAt: clock.now() + (typeof expiresIn === 'number' ? expiresIn : 1800) * 1000,
    intervalSeconds: typeof interval === 'number' && interval > 0 ? interval : DEFAULT_INTERVAL_SECONDS,
  };
}

function deviceCodeRefusal(answer: OAuthAnswer): AppError {
  const error = oauthErrorOf(answer);
  if (error === 'invalid_client' || error === 'unauthorized_client')
    return new AppError(
      'YOUTUBE_CLIENT_NOT_SET',
      `Google does not accept the OAuth client in Settings for the device flow (${error}); it must be of type "TV and limited-input devices"`,
    );
  return new AppError(
    'YOUTUBE_REQUEST_FAILED',
    `Google refused to hand out a device code (HTTP ${answer.status}${error ? `, ${error}` : ''})`,
  );
}

/** Reads one token-endpoint answer of the device grant. Pure. */
export function interpretPoll(answer: OAuthAnswer): PollOutcome {
  const granted = accessTokenOf(answer);
  if (answer.status === 200 && granted) {
    if (granted.refreshToken === null)
      return {
        kind: 'failed',
        error: new AppError(
          'YOUTUBE_CONNECT_FAILED',
          'Google granted access but gave no refresh token, so the connection could not last',
        ),
      };
    return {
      kind: 'granted',
      accessToken: granted.accessToken,
      refreshToken: granted.refreshToken,
      expiresInSeconds: granted.expiresInSeconds,
      scope: granted.scope,
    };
  }
  switch (oauthErrorOf(answer)) {
    case 'authorization_pending':
      return { kind: 'pending' };
    case 'slow_down':
      return { kind: 'slow_down' };
    case 'access_denied':
      return {
        kind: 'failed',
        error: new AppError(
          'YOUTUBE_CONNECT_FAILED',
          'the Google account owner denied the appliance access to the channel',
        ),
      };
    case 'expired_token':
      return {
        kind: 'failed',
        error: new AppError(
          'YOUTUBE_CONNECT_FAILED',
          'the code ran out before it was entered; start connecting again for a new one',
        ),
      };
    case 'invalid_client':
      return {
        kind: 'failed',
        error: new AppError(
          'YOUTUBE_CLIENT_NOT_SET',
          'Google does not accept the OAuth client id and secret in Settings',
        ),
      };
    case 'invalid_grant':
      return {
        kind: 'failed',
        error: new AppError(
          'YOUTUBE_CONNECT_FAILED',
          'Google no longer knows this code (already used or withdrawn)',
        ),
      };
    default:
      return {
        kind: 'failed',
        error: new AppError(
          'YOUTUBE_REQUEST_FAILED',
          `Google's token service answered HTTP ${answer.status}${oauthErrorOf(answer) ? ` (${oauthErrorOf(answer)})` : ''}`,
        ),
      };
  }
}

/** The interval after a poll's outcome (seconds). Pure. */
export function nextIntervalSeconds(current: number, outcome: PollOutcome): number {
  return outcome.kind === 'slow_down' ? current + SLOW_DOWN_STEP_SECONDS : current;
}

/**
 * Polls until the operator allows (the tokens), denies or lets the code run out (an AppError with
 * the reason in words). `signal` ends it early (the operator cancelled).
 */
export async function pollForTokens(
  endpoints: YouTubeEndpoints,
  client: OAuthClient,
  authorization: DeviceAuthorization,
  clock: Clock,
  signal?: AbortSignal,
): Promise<GrantedTokens> {
  let interval = authorization.intervalSeconds;
  for (;;) {
    await wait(clock, interval * 1000, signal);
    if (clock.now() >= authorization.expiresAt)
      throw new AppError(
        'YOUTUBE_CONNECT_FAILED',
        'the code ran out before it was entered; start connecting again for a new one',
      );
    const outcome = interpretPoll(
      await postForm(`${endpoints.oauthBaseUrl}/token`, {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        device_code: authorization.deviceCode,
        grant_type: DEVICE_GRANT,
      }),
    );
    if (outcome.kind === 'granted')
      return {
        accessToken: outcome.accessToken,
        refreshToken: outcome.refreshToken,
        accessExpiresAt: clock.wallNow() + outcome.expiresInSeconds * 1000,
        scope: outcome.scope,
      };
    if (outcome.kind === 'failed') throw outcome.error;
    interval = nextIntervalSeconds(interval, outcome);
  }
}

function wait(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = (): void => {
      timer.cancel();
      reject(new AppError('YOUTUBE_CONNECT_FAILED', 'connecting the channel was cancelled'));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', cancelled);
      resolve();
    }, ms);
    if (signal?.aborted) cancelled();
    else signal?.addEventListener('abort', cancelled, { once: true });
  });
}
