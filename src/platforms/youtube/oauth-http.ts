// Form POSTs to Google's OAuth endpoints and the reading of their answers (RFC 6749 §5.2 errors:
// { error, error_description }). Shared by the device flow and the token keeper.
import { messageOf } from '../../core/message-of.ts';
import { AppError } from '../../errors/registry.ts';

/** The operator's OAuth client ("TV and limited-input devices"), from the settings. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/** Full control of the channel's broadcasts: the scope the Live Streaming API needs. */
export const YOUTUBE_SCOPE = 'https://www.googleapis.com/auth/youtube';

/** How long one request to Google may take before it counts as failed. */
export const REQUEST_TIMEOUT_MS = 15_000;

export interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
}

export async function postForm(url: string, form: Record<string, string>): Promise<OAuthAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new AppError(
      'YOUTUBE_REQUEST_FAILED',
      `Google's sign-in service did not answer (${messageOf(error)})`,
      [],
      {
        cause: error,
      },
    );
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page): the status alone speaks.
  }
  return { status: response.status, body };
}

/** The OAuth error code of an answer ("authorization_pending", "invalid_grant"…), if any. */
export function oauthErrorOf(answer: OAuthAnswer): string | null {
  const error = answer.body['error'];
  return typeof error === 'string' ? error : null;
}

/** Access token answer → its fields, or null when one is missing. */
export function accessTokenOf(
  answer: OAuthAnswer,
): { accessToken: string; expiresInSeconds: number; refreshToken: string | null; scope: string } | null {
  const { access_token: accessToken, expires_in: expiresIn, refresh_token: refresh, scope } = answer.body;
  if (typeof accessToken !== 'string' || typeof expiresIn !== 'number') return null;
  return {
    accessToken,
    expiresInSeconds: expiresIn,
    refreshToken: typeof refresh === 'string' ? refresh : null,
    scope: typeof scope === 'string' ? scope : YOUTUBE_SCOPE,
  };
}
