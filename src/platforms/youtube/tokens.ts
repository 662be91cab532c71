// A connected channel's access token, kept fresh: refreshed a few minutes before it expires (so a
// call never starts with a token about to lapse), again once if YouTube calls it invalid, and
// the connection marked revoked when Google refuses the refresh token (invalid_grant: the owner
// removed the access, or the client changed). Tokens live sealed in the store
// (src/store/repositories/youtube-connections.ts) and only in memory in clear.
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { YouTubeEndpoints } from '../../config.ts';
import { AppError } from '../../errors/registry.ts';
import type { YouTubeConnectionRepository } from '../../store/repositories/youtube-connections.ts';
import type { GrantedTokens } from './device-flow.ts';
import { accessTokenOf, oauthErrorOf, postForm, type OAuthClient } from './oauth-http.ts';

/** Refresh when less than this is left (Google's tokens live an hour). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** Whether an access token expiring at `expiresAt` (wall ms) should be refreshed now. Pure. */
export function needsRefresh(expiresAt: number | null, wallNow: number, margin = REFRESH_MARGIN_MS): boolean {
  return expiresAt === null || expiresAt - wallNow <= margin;
}

/** What the API client asks of a token source. */
export interface AccessTokenSource {
  accessToken(): Promise<string>;
  /** YouTube refused the last token (401): the next accessToken() refreshes. */
  invalidate(): void;
}

export interface TokenKeeperDeps {
  connections: YouTubeConnectionRepository;
  endpoints: YouTubeEndpoints;
  client: OAuthClient;
  clock: Clock;
  logger?: Logger;
}

/** Stores a newly granted channel; returns its connection id. */
export function saveConnection(
  connections: YouTubeConnectionRepository,
  label: string,
  granted: GrantedTokens,
  clock: Clock,
): number {
  return connections.create(
    label,
    {
      refreshToken: granted.refreshToken,
      accessToken: granted.accessToken,
      accessExpiresAt: granted.accessExpiresAt,
      scope: granted.scope,
    },
    clock.wallNow(),
  );
}

export class TokenKeeper implements AccessTokenSource {
  private stale = false;
  private refreshing: Promise<string> | null = null;

  constructor(
    private readonly connectionId: number,
    private readonly deps: TokenKeeperDeps,
  ) {}

  async accessToken(): Promise<string> {
    const tokens = this.deps.connections.tokens(this.connectionId);
    if (
      !this.stale &&
      tokens.accessToken !== null &&
      !needsRefresh(tokens.accessExpiresAt, this.deps.clock.wallNow())
    )
      return tokens.accessToken;
    // One refresh at a time: calls made meanwhile wait for it.
    this.refreshing ??= this.refresh(tokens.refreshToken).finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  invalidate(): void {
    this.stale = true;
  }

  /** Disconnects: tells Google to forget the grant, then marks the connection revoked. Google
   *  already having forgotten it is no failure. */
  async revoke(): Promise<void> {
    const tokens = this.deps.connections.tokens(this.connectionId);
    const answer = await postForm(`${this.deps.endpoints.oauthBaseUrl}/revoke`, {
      token: tokens.refreshToken,
    });
    if (answer.status !== 200 && oauthErrorOf(answer) !== 'invalid_token')
      throw new AppError(
        'YOUTUBE_REQUEST_FAILED',
        `Google did not confirm the disconnection (HTTP ${answer.status})`,
      );
    this.deps.connections.markRevoked(
      this.connectionId,
      this.deps.clock.wallNow(),
      'disconnected by the operator',
    );
  }

  private async refresh(refreshToken: string): Promise<string> {
    const answer = await postForm(`${this.deps.endpoints.oauthBaseUrl}/token`, {
      client_id: this.deps.client.clientId,
      client_secret: this.deps.client.clientSecret,
      refresh_token: refreshToken,
      grant_type: 'refresh_token',
    });
    const error = oauthErrorOf(answer);
    if (error === 'invalid_grant') {
      this.deps.connections.markRevoked(
        this.connectionId,
        this.deps.clock.wallNow(),
        'Google refused the refresh token',
      );
      this.deps.logger?.warn({ connectionId: this.connectionId }, 'youtube access revoked');
      throw new AppError(
        'YOUTUBE_TOKEN_REVOKED',
        'Google no longer accepts the channel’s access (it was revoked or expired)',
      );
    }
    if (error === 'invalid_client')
      throw new AppError(
        'YOUTUBE_CLIENT_NOT_SET',
        'Google does not accept the OAuth client id and secret in Settings',
      );
    const granted = accessTokenOf(answer);
    if (answer.status !== 200 || granted === null)
      throw new AppError(
        'YOUTUBE_REQUEST_FAILED',
        `refreshing the channel's access failed (HTTP ${answer.status})`,
      );
    this.deps.connections.updateAccess(
      this.connectionId,
      granted.accessToken,
      this.deps.clock.wallNow() + granted.expiresInSeconds * 1000,
      granted.refreshToken ?? undefined,
    );
    this.stale = false;
    this.deps.logger?.debug({ connectionId: this.connectionId }, 'youtube access refreshed');
    return granted.accessToken;
  }
}
