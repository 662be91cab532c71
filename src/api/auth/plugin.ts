// Sign-in for the API. First run: no user exists and POST /api/auth/setup creates the admin (no
// default credentials). Browsers hold an httpOnly SameSite=Strict session cookie and send the
// session's CSRF token in X-CSRF-Token with every change; scripts use an API token
// (Authorization: Bearer …), which a browser never sends by itself. Every route but the ones
// marked public needs one of the two, and the role the table in roles.ts names for it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.ts';
import { AppError } from '../../errors/registry.ts';
import type { User } from '../../store/repositories/records.ts';
import type { Store } from '../../store/store.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, type ApiInstance } from '../http.ts';
import { AttemptLimiter, clientKey, type Admission, type Attempt } from './login-limiter.ts';
import { hashPassword, passwordProblem, unknownUserHash, verifyPassword } from './passwords.ts';
import { lesserRole, listedRole, roleAllows, ROLE_PURPOSE, ROLES, type Role } from './roles.ts';

export const SESSION_COOKIE = 'vistter_session';
export const CSRF_HEADER = 'x-csrf-token';
const SESSION_DAYS = 7;
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AuthContext {
  user: User;
  via: 'session' | 'token';
  /** What this request may do: the user's role, or for a token the lesser of its own and its owner's. */
  role: Role;
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

const RoleField = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });
const Username = z.string().trim().min(1, { error: 'must not be empty' }).max(100);
const Credentials = z.strictObject({
  username: Username,
  password: z.string().min(1, { error: 'must not be empty' }).max(200),
});
const PasswordChange = z.strictObject({
  current_password: z.string().min(1, { error: 'must not be empty' }).max(200),
  new_password: z.string().max(200),
});
const TokenCreate = z.strictObject({
  name: z.string().trim().min(1, { error: 'must not be empty' }).max(100),
  role: RoleField.default('viewer').meta({
    description: 'viewer (telemetry, /metrics), operator (show control) or admin; default viewer',
  }),
});
const UserCreate = z.strictObject({
  username: Username,
  password: z.string().max(200),
  role: RoleField,
});
const UserPatch = z.strictObject({ role: RoleField });

/** A browser request from another site (its Origin names another host) is refused for changes. */
function crossSite(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return false;
  try {
    // The Host guard (src/api/host-guard.ts) has already refused a Host that is not the
    // appliance's, so an Origin naming the same host and port is one of the appliance's own
    // pages. Both are read as URLs of the Origin's scheme: case and a written default port
    // (Host "vm.local:443") do not make the same page foreign. request.host is Host, or from a
    // trusted proxy the browser's host it forwards (X-Forwarded-Host, checked by the guard too).
    const page = new URL(origin);
    return page.host !== new URL(`${page.protocol}//${request.host}`).host;
  } catch {
    return true; // "null" (a sandboxed frame, a file) or garbage
  }
}

export function registerAuth(app: ApiInstance, deps: ApiDeps): void {
  const { store } = deps;
  const clock: Clock = deps.clock ?? systemClock;
  // Per client address for sign-in; per user for the password change (the session is known).
  const signInLimiter = new AttemptLimiter(clock);
  const passwordChangeLimiter = new AttemptLimiter(clock);
  const now = (): Date => new Date(clock.wallNow());
  const expiry = (): Date => new Date(clock.wallNow() + SESSION_DAYS * 86_400_000);

  app.decorateRequest('auth', null);

  // test/unit/api/roles.test.ts walks every route; this says so at start-up too.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods)
      if (route.config?.public !== true && !listedRole(method, route.url))
        app.log.warn(
          { method, url: route.url },
          'route missing from the role table (src/api/auth/roles.ts): only admins may call it',
        );
  });

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
    // No route matched: the not-found answer follows. A route the table forgot needs admin.
    const url = request.routeOptions.url;
    if (url !== undefined) {
      const needed = listedRole(request.method, url) ?? 'admin';
      if (!roleAllows(request.auth.role, needed)) throw roleRequired(request.auth, needed);
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

  /** The attempt, reserved before the slow hash; or 429 with Retry-After. */
  const admitOrRefuse = (admission: Admission, reply: FastifyReply, what: string): Attempt => {
    if (admission.admitted) return admission.attempt;
    const wait = admission.retryAfterSeconds;
    void reply.header('retry-after', String(wait));
    throw new AppError('LOGIN_RATE_LIMITED', `too many ${what}; try again in ${wait} s`);
  };

  const refuseWeak = (password: string, username: string, path: string, label: string): void => {
    const problem = passwordProblem(password, username);
    if (problem) throw new AppError('PASSWORD_TOO_WEAK', `${label} ${problem}`, [{ path, message: problem }]);
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
      role: request.auth?.role ?? null,
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
      refuseWeak(password, username, 'password', 'the password');
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
      const attempt = admitOrRefuse(signInLimiter.admit(clientKey(request.ip)), reply, 'wrong passwords');
      const stored = store.users.credentials(username);
      const ok = await verifyPassword(password, stored?.password_hash ?? (await unknownUserHash));
      if (!stored || !ok) {
        attempt.failed();
        throw new AppError('LOGIN_FAILED', 'the user name or password is wrong');
      }
      attempt.succeeded();
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
      refuseWeak(request.body.new_password, auth.user.username, 'new_password', 'the new password');
      const attempt = admitOrRefuse(
        passwordChangeLimiter.admit(`user:${auth.user.id}`),
        reply,
        'wrong current passwords',
      );
      const stored = store.users.credentials(auth.user.username);
      if (!stored || !(await verifyPassword(request.body.current_password, stored.password_hash))) {
        attempt.failed();
        throw new AppError('LOGIN_FAILED', 'the current password is wrong', [
          { path: 'current_password', message: 'is wrong' },
        ]);
      }
      attempt.succeeded();
      store.users.setPassword(auth.user.username, await hashPassword(request.body.new_password));
      store.sessions.deleteForUser(auth.user.id);
      return startSession(reply, auth.user);
    },
  );

  app.get(
    '/api/auth/tokens',
    { schema: { tags: ['auth'], summary: 'API tokens (for scripts and Prometheus), each with its role' } },
    async () => store.apiTokens.list(),
  );

  app.post(
    '/api/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an API token with a role; it is shown only in this answer',
        body: TokenCreate,
      },
    },
    async (request, reply) => {
      const token = `vst_${newSecret()}`;
      const created = store.apiTokens.create(
        request.body.name,
        sha256(token),
        (request.auth as AuthContext).user.id,
        request.body.role,
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

  app.get('/api/auth/users', { schema: { tags: ['auth'], summary: 'Users and their roles' } }, async () =>
    store.users.list(),
  );

  app.post(
    '/api/auth/users',
    {
      schema: {
        tags: ['auth'],
        summary: 'Add a user with a role (viewer, operator or admin)',
        body: UserCreate,
      },
    },
    async (request, reply) => {
      const { username, password, role } = request.body;
      refuseWeak(password, username, 'password', 'the password');
      const created = store.users.create(username, await hashPassword(password), role);
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/api/auth/users/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change a user’s role (takes effect on their next request)',
        params: IdParams,
        body: UserPatch,
      },
    },
    async (request) => store.users.setRole(request.params.id, request.body.role),
  );

  app.delete(
    '/api/auth/users/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Remove a user (their sessions and API tokens end with them)',
        params: IdParams,
      },
    },
    async (request, reply) => {
      store.users.delete(request.params.id);
      return reply.code(204).send();
    },
  );
}

function roleRequired(auth: AuthContext, needed: Role): AppError {
  const who =
    auth.via === 'token'
      ? `this API token has the ${auth.role} role`
      : `the account "${auth.user.username}" has the ${auth.role} role`;
  return new AppError('ROLE_REQUIRED', `this needs the ${needed} role (${ROLE_PURPOSE[needed]}); ${who}`);
}

function identify(store: Store, request: FastifyRequest, now: Date): AuthContext | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const used = store.apiTokens.use(sha256(header.slice(7).trim()), now);
    return used ? { user: used.user, via: 'token', role: lesserRole(used.tokenRole, used.user.role) } : null;
  }
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return null;
  const session = store.sessions.find(sha256(token), now);
  return session
    ? {
        user: session.user,
        via: 'session',
        role: session.user.role,
        sessionId: session.id,
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt,
      }
    : null;
}
