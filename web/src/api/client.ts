// The one way the UI talks to the appliance: JSON over fetch with the session cookie, the CSRF
// token on every change, and the appliance's error shape ({code, message, remediation, issues})
// turned into an ApiError the pages show as it is.
export interface ApiIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly remediation: string;
  readonly issues: ApiIssue[];

  constructor(status: number, code: string, message: string, remediation: string, issues: ApiIssue[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.remediation = remediation;
    this.issues = issues;
  }

  /** The issue for one field (its JSON path, e.g. "name" or "tracks[0].cues[2].duration"), if any. */
  issueAt(path: string): string | undefined {
    return this.issues.find((issue) => issue.path === path)?.message;
  }
}

let csrfToken: string | null = null;
/** Called when a request finds the session gone, so the shell can show the sign-in page. */
let onSignedOut: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The session's CSRF token, for requests made outside request() (an upload with progress). */
export function getCsrfToken(): string | null {
  return csrfToken;
}

/** The CSRF header, for a change sent with fetch directly (e.g. one whose answer is an image). */
export function csrfHeader(): Record<string, string> {
  return csrfToken ? { 'x-csrf-token': csrfToken } : {};
}

export function onSessionLost(handler: (() => void) | null): void {
  onSignedOut = handler;
}

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  remediation?: unknown;
  issues?: unknown;
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // Not our JSON (a proxy page, a crash): fall through to a generic message.
  }
  const issues = Array.isArray(body.issues)
    ? body.issues.filter(
        (issue): issue is ApiIssue =>
          typeof issue === 'object' && issue !== null && 'path' in issue && 'message' in issue,
      )
    : [];
  return new ApiError(
    response.status,
    typeof body.code === 'string' ? body.code : `HTTP_${response.status}`,
    typeof body.message === 'string' ? body.message : `The appliance answered ${response.status}.`,
    typeof body.remediation === 'string'
      ? body.remediation
      : 'Check that the appliance is running and reload the page.',
    issues,
  );
}

export interface RequestOptions {
  /** A JSON body (objects) or a raw body (FormData, Blob) sent as it is. */
  body?: unknown;
  signal?: AbortSignal;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {};
  let body: BodyInit | undefined;
  if (options.body instanceof FormData || options.body instanceof Blob) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(
      0,
      'APPLIANCE_UNREACHABLE',
      'The appliance did not answer.',
      'Check that the appliance is powered on and on the network, then try again.',
      [],
    );
  }
  if (!response.ok) {
    const error = await toApiError(response);
    if (error.code === 'UNAUTHENTICATED' || error.code === 'SETUP_REQUIRED') onSignedOut?.();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  return (type.includes('application/json') ? await response.json() : await response.text()) as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, signal ? { signal } : {}),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/** A message for anything thrown: the appliance's own words when it is an ApiError. */
export function describeError(error: unknown): { message: string; remediation: string | null } {
  if (error instanceof ApiError) return { message: error.message, remediation: error.remediation };
  if (error instanceof Error) return { message: error.message, remediation: null };
  return { message: String(error), remediation: null };
}

// Users, roles and API tokens (Settings). Roles: viewer < operator < admin (server: src/api/auth/roles.ts).
export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export interface UserInfo {
  id: number;
  username: string;
  role: Role;
  created_at: string;
}

export interface ApiTokenInfo {
  id: number;
  name: string;
  role: Role;
  user_id: number;
  /** Who made it (a token never does more than its owner's role allows). */
  username: string;
  created_at: string;
  last_used_at: string | null;
}

export interface AuthStatusInfo {
  setupRequired: boolean;
  authenticated: boolean;
  user: UserInfo | null;
  role: Role | null;
  csrfToken: string | null;
}

export const authApi = {
  status: (signal?: AbortSignal) => api.get<AuthStatusInfo>('/api/auth/status', signal),
  tokens: (signal?: AbortSignal) => api.get<ApiTokenInfo[]>('/api/auth/tokens', signal),
  /** The answer holds the token itself, shown only this once. */
  createToken: (name: string, role: Role) =>
    api.post<ApiTokenInfo & { token: string }>('/api/auth/tokens', { name, role }),
  revokeToken: (id: number) => api.delete<undefined>(`/api/auth/tokens/${id}`),
  users: (signal?: AbortSignal) => api.get<UserInfo[]>('/api/auth/users', signal),
  addUser: (username: string, password: string, role: Role) =>
    api.post<UserInfo>('/api/auth/users', { username, password, role }),
  setUserRole: (id: number, role: Role) => api.patch<UserInfo>(`/api/auth/users/${id}`, { role }),
  removeUser: (id: number) => api.delete<undefined>(`/api/auth/users/${id}`),
};
