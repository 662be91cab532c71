// Connecting a YouTube channel from the web UI: the appliance (not the browser) asks Google for a
// device code, shows it through the API, and polls Google at the interval Google asked (slower
// after slow_down) until the owner allows or denies or the code runs out. The browser only reads
// the attempt's progress. Tokens go straight into the sealed store; no answer and no log line
// carries one. Disconnecting tells Google to forget the grant (best effort) and marks the
// connection revoked, so destinations that use it say they need reconnecting.
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';
import type { YouTubeEndpoints } from '../config.ts';
import { AppError, isAppError } from '../errors/registry.ts';
import {
  interpretPoll,
  nextIntervalSeconds,
  startDeviceFlow,
  type DeviceAuthorization,
  type GrantedTokens,
  type PollOutcome,
} from '../platforms/youtube/device-flow.ts';
import {
  oauthErrorOf,
  postForm,
  REQUEST_TIMEOUT_MS,
  type OAuthClient,
} from '../platforms/youtube/oauth-http.ts';
import { saveConnection, TokenKeeper } from '../platforms/youtube/tokens.ts';
import type {
  ConnectAttemptView,
  ConnectState,
  YouTubeConnectionView as ConnectionView,
} from '../domain/youtube.ts';
import type { Store } from '../store/store.ts';

export type { ConnectAttemptView };

export const YOUTUBE_CLIENT_SETTING = 'youtube.oauth_client';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** Finished attempts kept for the browser to read their outcome. */
const FINISHED_KEPT = 10;

export interface DisconnectResult {
  connection: ConnectionView;
  /** Google confirmed it forgot the grant; false: only marked revoked here (reason in `message`). */
  revokedAtGoogle: boolean;
  message: string;
}

export interface YouTubeConnectorDeps {
  store: Store;
  endpoints: YouTubeEndpoints;
  clock?: Clock;
  logger?: Logger;
  /** Whether the show on air streams to this destination. */
  destinationOnAir?: (destinationId: number) => boolean;
  /** A connection got new tokens in place (the show on air uses them at once). */
  onReconnected?: (connectionId: number) => void;
}

interface Attempt {
  id: string;
  authorization: DeviceAuthorization;
  /** Wall-clock ms the code runs out (for the browser's countdown). */
  expiresAtWall: number;
  intervalSeconds: number;
  state: ConnectState;
  connection: { id: number; label: string } | null;
  error: AppError | null;
  timer: TimerHandle | null;
  label: string | undefined;
  /** The connection the operator connects again (its tokens are replaced in place). */
  reconnect: number | null;
  reconnected: boolean;
}

/** The operator's OAuth client from the settings, or YOUTUBE_CLIENT_NOT_SET. */
export function oauthClientOf(store: Store): OAuthClient {
  const stored = store.settings.get<unknown>(YOUTUBE_CLIENT_SETTING, null);
  if (stored !== null && typeof stored === 'object') {
    const { client_id: clientId, client_secret: clientSecret } = stored as Record<string, unknown>;
    if (typeof clientId === 'string' && typeof clientSecret === 'string' && clientId && clientSecret)
      return { clientId, clientSecret };
  }
  throw new AppError(
    'YOUTUBE_CLIENT_NOT_SET',
    'no Google OAuth client is set for connecting YouTube channels (Settings → YouTube)',
  );
}

export class YouTubeConnector {
  private readonly attempts = new Map<string, Attempt>();
  private readonly clock: Clock;

  constructor(private readonly deps: YouTubeConnectorDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /** Asks Google for a code to show; polling starts at once in the appliance. A pending attempt
   *  started earlier is cancelled (one code on screen at a time). */
  async start(label?: string, reconnect?: number): Promise<ConnectAttemptView> {
    const client = oauthClientOf(this.deps.store);
    if (reconnect !== undefined) this.connection(reconnect); // an unknown one is refused now
    const authorization = await startDeviceFlow(this.deps.endpoints, client, this.clock);
    for (const earlier of this.attempts.values())
      if (earlier.state === 'pending') this.stop(earlier, 'cancelled');
    const attempt: Attempt = {
      id: randomBytes(9).toString('base64url'),
      authorization,
      expiresAtWall: this.clock.wallNow() + (authorization.expiresAt - this.clock.now()),
      intervalSeconds: authorization.intervalSeconds,
      state: 'pending',
      connection: null,
      error: null,
      timer: null,
      label: label?.trim() || undefined,
      reconnect: reconnect ?? null,
      reconnected: false,
    };
    this.attempts.set(attempt.id, attempt);
    this.forgetOldAttempts();
    this.deps.logger?.info(
      { attempt: attempt.id, intervalSeconds: attempt.intervalSeconds },
      'youtube: connecting a channel, waiting for the code to be entered',
    );
    this.schedulePoll(attempt, client);
    return this.view(attempt);
  }

  status(id: string): ConnectAttemptView {
    return this.view(this.attempt(id));
  }

  cancel(id: string): ConnectAttemptView {
    const attempt = this.attempt(id);
    if (attempt.state === 'pending') {
      this.stop(attempt, 'cancelled');
      this.deps.logger?.info({ attempt: id }, 'youtube: connecting cancelled by the operator');
    }
    return this.view(attempt);
  }

  connections(): ConnectionView[] {
    const destinations = this.deps.store.destinations.list();
    return this.deps.store.youtubeConnections.list().map((summary) => ({
      ...summary,
      destinationIds: destinations
        .filter((destination) => destination.youtube?.connection_id === summary.id)
        .map((destination) => destination.id),
    }));
  }

  connection(id: number): ConnectionView {
    const found = this.connections().find((view) => view.id === id);
    if (!found) throw new AppError('YOUTUBE_NOT_CONNECTED', `there is no YouTube connection ${id}`);
    return found;
  }

  /** Tells Google to forget the grant (best effort) and marks the connection revoked. Refused
   *  while a destination on air broadcasts on it. */
  async disconnect(id: number): Promise<DisconnectResult> {
    const current = this.connection(id);
    const onAir = current.destinationIds.filter((destinationId) =>
      this.deps.destinationOnAir?.(destinationId),
    );
    if (onAir.length > 0)
      throw new AppError(
        'YOUTUBE_CONNECTION_ON_AIR',
        `the channel "${current.label}" is on air through destination ${onAir.join(', ')}`,
      );
    if (current.revokedAt !== null)
      return { connection: current, revokedAtGoogle: false, message: 'the connection was already revoked' };
    let revokedAtGoogle = false;
    let message = 'Google forgot the appliance’s access to the channel';
    try {
      const keeper = new TokenKeeper(id, {
        connections: this.deps.store.youtubeConnections,
        endpoints: this.deps.endpoints,
        client: this.clientOrPlaceholder(),
        clock: this.clock,
      });
      await keeper.revoke();
      revokedAtGoogle = true;
    } catch (error) {
      message = `marked disconnected here, but Google did not confirm (${messageOf(error)}); the owner can remove the access in the Google account's security settings`;
      this.deps.store.youtubeConnections.markRevoked(
        id,
        this.clock.wallNow(),
        'disconnected by the operator',
      );
    }
    this.deps.logger?.info({ connectionId: id, revokedAtGoogle }, 'youtube: channel disconnected');
    return { connection: this.connection(id), revokedAtGoogle, message };
  }

  /** Stops every pending poll (the appliance shuts down). */
  close(): void {
    for (const attempt of this.attempts.values())
      if (attempt.state === 'pending') this.stop(attempt, 'cancelled');
  }

  // ---------------------------------------------------------------------------------------------

  private schedulePoll(attempt: Attempt, client: OAuthClient): void {
    attempt.timer = this.clock.setTimeout(() => {
      attempt.timer = null;
      void this.poll(attempt, client);
    }, attempt.intervalSeconds * 1000);
  }

  private async poll(attempt: Attempt, client: OAuthClient): Promise<void> {
    if (attempt.state !== 'pending') return;
    if (this.clock.now() >= attempt.authorization.expiresAt)
      return this.fail(
        attempt,
        'expired',
        new AppError(
          'YOUTUBE_CONNECT_FAILED',
          'the code ran out before it was entered; start connecting again for a new one',
        ),
      );
    let outcome: PollOutcome;
    let oauthError: string | null;
    try {
      const answer = await postForm(`${this.deps.endpoints.oauthBaseUrl}/token`, {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        device_code: attempt.authorization.deviceCode,
        grant_type: DEVICE_GRANT,
      });
      oauthError = oauthErrorOf(answer);
      outcome = interpretPoll(answer);
    } catch (error) {
      // Google out of reach for one poll: try again at the next interval while the code lasts.
      this.deps.logger?.warn(
        { attempt: attempt.id, err: messageOf(error) },
        'youtube: polling Google failed',
      );
      if (attempt.state === 'pending') this.schedulePoll(attempt, client);
      return;
    }
    if (attempt.state !== 'pending') return; // cancelled while the request was out
    if (outcome.kind === 'granted') {
      await this.connected(attempt, {
        accessToken: outcome.accessToken,
        refreshToken: outcome.refreshToken,
        accessExpiresAt: this.clock.wallNow() + outcome.expiresInSeconds * 1000,
        scope: outcome.scope,
      });
      return;
    }
    if (outcome.kind === 'failed') {
      const state =
        oauthError === 'access_denied' ? 'denied' : oauthError === 'expired_token' ? 'expired' : 'failed';
      return this.fail(attempt, state, outcome.error);
    }
    attempt.intervalSeconds = nextIntervalSeconds(attempt.intervalSeconds, outcome);
    if (outcome.kind === 'slow_down')
      this.deps.logger?.info(
        { attempt: attempt.id, intervalSeconds: attempt.intervalSeconds },
        'youtube: Google asked to poll more slowly',
      );
    this.schedulePoll(attempt, client);
  }

  private async connected(attempt: Attempt, granted: GrantedTokens): Promise<void> {
    const label = (await this.channelTitle(granted.accessToken)) ?? attempt.label ?? defaultLabel(this.clock);
    if (attempt.state !== 'pending') return;
    const again = this.sameChannel(attempt.reconnect, label);
    let id: number;
    if (again === null) {
      id = saveConnection(this.deps.store.youtubeConnections, label, granted, this.clock);
    } else {
      id = again;
      this.deps.store.youtubeConnections.reconnect(
        id,
        label,
        {
          refreshToken: granted.refreshToken,
          accessToken: granted.accessToken,
          accessExpiresAt: granted.accessExpiresAt,
          scope: granted.scope,
        },
        this.clock.wallNow(),
      );
    }
    attempt.state = 'connected';
    attempt.connection = { id, label };
    attempt.reconnected = again !== null;
    this.deps.logger?.info(
      { attempt: attempt.id, connectionId: id, label, reconnected: again !== null },
      again === null ? 'youtube: channel connected' : 'youtube: channel connected again',
    );
    if (again !== null) this.deps.onReconnected?.(id);
  }

  /**
   * The stored connection this grant renews, or null for a new one: the one the operator chose to
   * connect again, unless YouTube names another channel; else a disconnected one of the same
   * channel name (disconnect, then connect again).
   */
  private sameChannel(chosen: number | null, label: string): number | null {
    const stored = this.deps.store.youtubeConnections.list();
    if (chosen !== null) {
      const target = stored.find((connection) => connection.id === chosen);
      return target && target.label === label ? target.id : null;
    }
    const revoked = stored.filter(
      (connection) => connection.revokedAt !== null && connection.label === label,
    );
    return revoked.length === 1 ? revoked[0]!.id : null;
  }

  /** The channel's own name (channels.list, 1 quota unit); null when YouTube does not say. */
  private async channelTitle(accessToken: string): Promise<string | null> {
    try {
      const response = await fetch(`${this.deps.endpoints.apiBaseUrl}/channels?part=snippet&mine=true`, {
        headers: { authorization: `Bearer ${accessToken}` },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (!response.ok) return null;
      const body = (await response.json()) as { items?: Array<{ snippet?: { title?: unknown } }> };
      const title = body.items?.[0]?.snippet?.title;
      return typeof title === 'string' && title.trim() !== '' ? title.trim().slice(0, 100) : null;
    } catch {
      return null;
    }
  }

  private fail(attempt: Attempt, state: 'denied' | 'expired' | 'failed', error: AppError): void {
    this.stop(attempt, state);
    attempt.error = error;
    this.deps.logger?.info(
      { attempt: attempt.id, state, code: error.code },
      `youtube: connecting ended: ${error.message}`,
    );
  }

  private stop(attempt: Attempt, state: ConnectState): void {
    attempt.timer?.cancel();
    attempt.timer = null;
    attempt.state = state;
  }

  private attempt(id: string): Attempt {
    const attempt = this.attempts.get(id);
    if (!attempt)
      throw new AppError(
        'YOUTUBE_CONNECT_FAILED',
        'this connecting attempt is not known (the appliance may have restarted)',
      );
    return attempt;
  }

  private forgetOldAttempts(): void {
    const finished = [...this.attempts.values()].filter((attempt) => attempt.state !== 'pending');
    for (const attempt of finished.slice(0, Math.max(0, finished.length - FINISHED_KEPT)))
      this.attempts.delete(attempt.id);
  }

  /** Revoking needs no client secret at Google; a missing client setting must not block it. */
  private clientOrPlaceholder(): OAuthClient {
    try {
      return oauthClientOf(this.deps.store);
    } catch (error) {
      if (!isAppError(error)) throw error;
      return { clientId: '', clientSecret: '' };
    }
  }

  private view(attempt: Attempt): ConnectAttemptView {
    const left = Math.max(0, Math.ceil((attempt.authorization.expiresAt - this.clock.now()) / 1000));
    return {
      id: attempt.id,
      state: attempt.state,
      userCode: attempt.authorization.userCode,
      verificationUrl: attempt.authorization.verificationUrl,
      expiresAt: new Date(attempt.expiresAtWall).toISOString(),
      expiresInSeconds: attempt.state === 'pending' ? left : 0,
      intervalSeconds: attempt.intervalSeconds,
      connection: attempt.connection,
      reconnected: attempt.reconnected,
      message: attempt.error?.message ?? (attempt.state === 'cancelled' ? 'connecting was cancelled' : null),
      remediation: attempt.error?.remediation ?? null,
    };
  }
}

function defaultLabel(clock: Clock): string {
  return `YouTube channel (connected ${new Date(clock.wallNow()).toISOString().slice(0, 10)})`;
}
