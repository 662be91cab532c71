// An API on a real SQLite file in a temporary data folder, with helpers to sign in and to send
// requests the way the web UI does (session cookie + X-CSRF-Token).
import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/api/auth/plugin.ts';
import type { ApiDeps } from '../../src/api/deps.ts';
import type { ApiInstance } from '../../src/api/http.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { FakeClock } from './fake-clock.ts';
import { tempDir } from './temp.ts';

export const ADMIN = { username: 'admin', password: 'correct horse battery' } as const;

export interface ApiHarness {
  app: ApiInstance;
  store: Store;
  dataDir: string;
  clock: FakeClock;
  /** Creates the admin (first run) and signs in; later calls reuse the session. */
  signIn(): Promise<void>;
  /** The `name=value` session cookie after signIn() (for WebSocket upgrades). */
  sessionCookie(): string;
  /** A request with the session cookie and, for changes, the CSRF token. */
  call(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** What extra dependencies may be built from (they often need the harness's store and clock). */
export interface HarnessParts {
  store: Store;
  clock: FakeClock;
  dataDir: string;
}

export async function createApiHarness(
  extra: Partial<ApiDeps> | ((parts: HarnessParts) => Partial<ApiDeps>) = {},
): Promise<ApiHarness> {
  const dir = tempDir('vistter-api-');
  const store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
  const clock = new FakeClock(Date.parse('2026-11-24T10:00:00Z'));
  const more = typeof extra === 'function' ? extra({ store, clock, dataDir: dir.path }) : extra;
  const app = await buildApp({ store, dataDir: dir.path, clock, ...more });
  let cookie = '';
  let csrf = '';

  const harness: ApiHarness = {
    app,
    store,
    dataDir: dir.path,
    clock,
    async signIn() {
      if (cookie) return;
      const path = store.users.count() === 0 ? '/api/auth/setup' : '/api/auth/login';
      const response = await app.inject({ method: 'POST', url: path, payload: ADMIN });
      if (response.statusCode >= 300)
        throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
      const session = response.cookies.find((c) => c.name === SESSION_COOKIE);
      if (!session) throw new Error('sign-in set no session cookie');
      cookie = `${SESSION_COOKIE}=${session.value}`;
      csrf = (response.json() as { csrfToken: string }).csrfToken;
    },
    sessionCookie: () => cookie,
    async call(method, url, body, headers = {}) {
      const options: InjectOptions = {
        method,
        url,
        headers: { cookie, [CSRF_HEADER]: csrf, ...headers },
      };
      if (body !== undefined) options.payload = body as InjectOptions['payload'];
      return app.inject(options);
    },
    async close() {
      await app.close();
      store.close();
      dir.cleanup();
    },
  };
  return harness;
}
