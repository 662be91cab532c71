// An API on a real SQLite file in a temporary data folder, with helpers to sign in and to send
// requests the way the web UI does (session cookie + X-CSRF-Token).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, beforeEach } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { buildApp, type WebServing } from '../../src/api/app.ts';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/api/auth/plugin.ts';
import type { ApiDeps } from '../../src/api/deps.ts';
import { HostPolicy } from '../../src/api/host-guard.ts';
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
  extra: Partial<ApiDeps & WebServing> | ((parts: HarnessParts) => Partial<ApiDeps & WebServing>) = {},
): Promise<ApiHarness> {
  const dir = tempDir('vistter-api-');
  const store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
  const clock = new FakeClock(Date.parse('2026-11-24T10:00:00Z'));
  const more = typeof extra === 'function' ? extra({ store, clock, dataDir: dir.path }) : extra;
  // The appliance here is called "appliance" (appliance.local) at 192.0.2.10, whatever machine
  // runs the tests; inject() sends Host: localhost.
  const hosts = new HostPolicy([], { hostname: () => 'appliance', addresses: () => ['192.0.2.10'] });
  const app = await buildApp({ store, dataDir: dir.path, clock, hosts, ...more });
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

export interface SignedInApi {
  /** The harness, once the suite's `before` has run. */
  readonly api: ApiHarness;
  /** Every log line the API wrote (trace level and up), as JSON text. */
  readonly logLines: string[];
}

/**
 * For a describe block: an API signed in as the admin for the whole block, with its log collected
 * in `logLines`, closed after the block; `resetSql` runs before each test (e.g. emptying the
 * tables the block works on).
 */
export function useSignedInApi(resetSql: string): SignedInApi {
  let api: ApiHarness | undefined;
  const logLines: string[] = [];
  const suite: SignedInApi = {
    get api() {
      if (!api) throw new Error('the API is created in before(); use it inside a test or a hook');
      return api;
    },
    logLines,
  };
  before(async () => {
    const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
    api = await createApiHarness({ logger });
    await api.signIn();
  });
  after(() => suite.api.close());
  beforeEach(() => {
    suite.api.store.db.exec(resetSql);
  });
  return suite;
}

/** The database file and its write-ahead log, as bytes on disk. */
export function databaseBytes(api: ApiHarness): Buffer {
  const parts = [api.store.path, `${api.store.path}-wal`].filter((path) => existsSync(path));
  return Buffer.concat(parts.map((path) => readFileSync(path)));
}

/** How many rows a table holds. */
export function rowCount(api: ApiHarness, table: string): number {
  return api.store.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
}

/**
 * How long a /api/health request sent `delayMs` from now waits for its answer, counted from when
 * it is due, not from when the event loop gets round to sending it: a client's request arrives on
 * time and waits while the loop is held, so a pause between two requests counts too.
 */
export async function healthWaitMs(api: ApiHarness, delayMs: number): Promise<number> {
  const due = performance.now() + delayMs;
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  const response = await api.app.inject({ method: 'GET', url: '/api/health' });
  assert.equal(response.statusCode, 200);
  return performance.now() - due;
}
