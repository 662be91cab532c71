// Sign-in for the API. First run: no user exists and POST /api/auth/setup creates the admin (no
// default credentials). Browsers hold an httpOnly SameSite=Strict session cookie and send the
// session's CSRF token in X-CSRF-Token with every change; scripts use an API token
// (Authorization: Bearer …), which a browser never sends by itself. Every route but the ones
// marked public needs one of the two.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.ts';
import { AppError } from '../../errors/registry.ts';
import type { User } from '../../store/repositories/records.ts';
import type { Store } from '../../store/store.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, type ApiInstance } from '../http.ts';
import { LoginLimiter } from './login-limiter.ts';
import { hashPassword, passwordProblem, unknownUserHash, verifyPassword } from './passwords.ts';

export const SESSION_COOKIE = 'vistter_session';
export const CSRF_HEADER = 'x-csrf-token';
const SESSION_DAYS = 7;
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AuthContext {
  user: User;
  via: 'session' | 'token';
  /** Session id (cookie sign-in only). */
  sessionId?: number;
  csrfToken?: string;
  /** The session's stored expiry (ISO). */
  expiresAt?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
const newSecret = (): string => randomBytes(32).toString('base64url');

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const Credentials = z.strictObject({
  username: z.string().trim().min(1, { error: 'must not be empty' }).max(100),
  password: z.string().min(1, { error: 'must not be empty' }).max(200),
});
const PasswordChange = z.strictObject({
  current_password: z.string().min(1, { error: 'must not be empty' }).max(200),
  new_password: z.string().max(200),
});
const TokenCreate = z.strictObject({
  name: z.string().trim().min(1, { error: 'must not be empty' }).max(100),
});

/** A browser request from another site (its Origin names another host) is refused for changes. */
function crossSite(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

export function registerAuth(app: ApiInstance, deps: ApiDeps): void {
  const { store } = deps;
  const clock: Clock = deps.clock ?? systemClock;
  const limiter = new LoginLimiter(clock);
  const now = (): Date => new Date(clock.wallNow());
  const expiry = (): Date => new Date(clock.wallNow() + SESSION_DAYS * 86_400_000);

  app.decorateRequest('auth', null);

  app.addHook('onRequest', async (request) => {
    request.auth = identify(store, request, now());
    if (UNSAFE_METHODS.has(request.method) && crossSite(request))
      throw new AppError('CSRF_REJECTED', 'the request came from another site');
    // WebSocket upgrades carry the cookie but no custom header: they are GETs and only read.
    if (request.routeOptions.config.public) return;
    if (!request.auth) {
      if (store.users.count() === 0) throw new AppError('SETUP_REQUIRED', 'no admin account exists yet');
      throw new AppError('UNAUTHENTICATED', 'sign in first');
    }
    if (request.auth.via === 'session' && UNSAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !request.auth.csrfToken || !sameSecret(sent, request.auth.csrfToken))
        throw new AppError('CSRF_REJECTED', `the ${CSRF_HEADER} header is missing or wrong`);
    }
    // Slide the expiry, but write it at most once a minute (the preview fetches a segment every 2 s).
    const { sessionId, expiresAt } = request.auth;
    if (
      sessionId !== undefined &&
      expiresAt !== undefined &&
      Date.parse(expiresAt) < expiry().getTime() - 60_000
    )
      store.sessions.touch(sessionId, now(), expiry());
  });

  const startSession = (reply: FastifyReply, user: User) => {
    const token = newSecret();
    const csrfToken = newSecret();
    store.sessions.create(sha256(token), user.id, csrfToken, now(), expiry());
    void reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookies ?? false,
      maxAge: SESSION_DAYS * 86_400,
    });
    return { user, csrfToken };
  };

  app.get(
    '/api/auth/status',
    {
      config: { public: true },
      schema: { tags: ['auth'], summary: 'Whether setup is needed and who is signed in' },
    },
    async (request) => ({
      setupRequired: store.users.count() === 0,
      authenticated: request.auth !== null,
      user: request.auth?.user ?? null,
      csrfToken: request.auth?.csrfToken ?? null,
    }),
  );

  app.post(
    '/api/auth/setup',
    {
      config: { public: true },
      schema: { tags: ['auth'], summary: 'First run: create the admin account', body: Credentials },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const problem = passwordProblem(password, username);
      if (problem)
        throw new AppError('PASSWORD_TOO_WEAK', `the password ${problem}`, [
          { path: 'password', message: problem },
        ]);
      const hash = await hashPassword(password);
      // Checked after the slow hash, in the same synchronous step as the insert: two racing
      // first-run requests cannot both create an admin.
      if (store.users.count() > 0)
        throw new AppError('SETUP_ALREADY_DONE', 'the admin account already exists');
      const user = store.users.create(username, hash, 'admin');
      return reply.code(201).send(startSession(reply, user));
    },
  );

  app.post(
    '/api/auth/login',
    {
      config: { public: true },
      schema: { tags: ['auth'], summary: 'Sign in (sets the session cookie)', body: Credentials },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const wait = limiter.retryAfterSeconds(request.ip, username);
      if (wait > 0) {
        void reply.header('retry-after', String(wait));
        throw new AppError('LOGIN_RATE_LIMITED', `too many wrong passwords; try again in ${wait} s`);
      }
      const stored = store.users.credentials(username);
      const ok = await verifyPassword(password, stored?.password_hash ?? (await unknownUserHash));
      if (!stored || !ok) {
        limiter.recordFailure(request.ip, username);
        throw new AppError('LOGIN_FAILED', 'the user name or password is wrong');
      }
      limiter.recordSuccess(request.ip);
      const { password_hash: _hash, ...user } = stored;
      return startSession(reply, user);
    },
  );

  app.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: 'Sign out' } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) store.sessions.delete(sha256(token));
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change your password (signs out your other sessions)',
        body: PasswordChange,
      },
    },
    async (request, reply) => {
      const auth = request.auth as AuthContext;
      const stored = store.users.credentials(auth.user.username);
      if (!stored || !(await verifyPassword(request.body.current_password, stored.password_hash)))
        throw new AppError('LOGIN_FAILED', 'the current password is wrong', [
          { path: 'current_password', message: 'is wrong' },
        ]);
      const problem = passwordProblem(request.body.new_password, auth.user.username);
      if (problem)
        throw new AppError('PASSWORD_TOO_WEAK', `the new password ${problem}`, [
          { path: 'new_password', message: problem },
        ]);
      store.users.setPassword(auth.user.username, await hashPassword(request.body.new_password));
      store.sessions.deleteForUser(auth.user.id);
      return startSession(reply, auth.user);
    },
  );

  app.get(
    '/api/auth/tokens',
    { schema: { tags: ['auth'], summary: 'API tokens (for scripts and Prometheus)' } },
    async () => store.apiTokens.list(),
  );

  app.post(
    '/api/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an API token; it is shown only in this answer',
        body: TokenCreate,
      },
    },
    async (request, reply) => {
      const token = `vst_${newSecret()}`;
      const created = store.apiTokens.create(
        request.body.name,
        sha256(token),
        (request.auth as AuthContext).user.id,
        now(),
      );
      return reply.code(201).send({ ...created, token });
    },
  );

  app.delete(
    '/api/auth/tokens/:id',
    { schema: { tags: ['auth'], summary: 'Revoke an API token', params: IdParams } },
    async (request, reply) => {
      store.apiTokens.delete(request.params.id);
      return reply.code(204).send();
    },
  );
}

function identify(store: Store, request: FastifyRequest, now: Date): AuthContext | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const user = store.apiTokens.use(sha256(header.slice(7).trim()), now);
    return user ? { user, via: 'token' } : null;
  }
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return null;
  const session = store.sessions.find(sha256(token), now);
  return session
    ? {
        user: session.user,
        via: 'session',
        sessionId: session.id,
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt,
      }
    : null;
}
