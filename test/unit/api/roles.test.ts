// Roles against the real app: every registered route has a role in the one table, each role
// against each class of route (viewer: telemetry; operator: show control; admin: configuration,
// users, tokens), for API tokens and signed-in users alike, and what the database holds.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { CSRF_HEADER, SESSION_COOKIE } from '../../../src/api/auth/plugin.ts';
import { listedRole, ROUTE_ROLES, routeKey } from '../../../src/api/auth/roles.ts';
import { registeredRoutes } from '../../../src/api/public-routes.ts';
import type { ShowRequest } from '../../../src/app/execution-plan.ts';
import { ShowControl } from '../../../src/app/show-control.ts';
import type { RunningShow } from '../../../src/app/running-show.ts';
import { AppError } from '../../../src/errors/registry.ts';
import { ADMIN, createApiHarness, type ApiHarness } from '../../helpers/api.ts';

/** Records what GO LIVE asks for (proof a request got through), then refuses the start. */
class RecordingRunner {
  readonly requests: ShowRequest[] = [];
  async start(request: ShowRequest): Promise<RunningShow> {
    this.requests.push(request);
    throw new AppError('DESTINATION_NOT_FOUND', 'there is no destination 7');
  }
}

const runner = new RecordingRunner();

async function applianceApi(): Promise<ApiHarness> {
  return createApiHarness(({ store, clock, dataDir }) => {
    const webRoot = join(dataDir, 'web');
    mkdirSync(webRoot, { recursive: true });
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>VistterStream</title>');
    return {
      webRoot,
      shows: new ShowControl({
        store,
        runner,
        dataDir,
        clock,
        preflight: async () => ({ ok: true, checks: [] }),
      }),
    };
  });
}

describe('the role table', () => {
  let api: ApiHarness;
  before(async () => {
    api = await applianceApi();
  });
  after(() => api.close());

  it('lists every route that needs sign-in, and nothing that is not a route', () => {
    const routes = registeredRoutes(api.app);
    assert.ok(routes.length > 80, `${routes.length} routes seen: the recorder missed some`);
    const unlisted = [
      ...new Set(
        routes
          .filter((route) => !route.public && listedRole(route.method, route.url) === undefined)
          .map((route) => routeKey(route.method, route.url)),
      ),
    ];
    assert.deepEqual(unlisted, [], 'add these to ROUTE_ROLES in src/api/auth/roles.ts');
    const seen = new Set(routes.map((route) => routeKey(route.method, route.url)));
    const stale = Object.keys(ROUTE_ROLES).filter((key) => !seen.has(key));
    assert.deepEqual(stale, [], 'ROUTE_ROLES names routes the app does not have');
    const listedButPublic = routes.filter(
      (route) => route.public && listedRole(route.method, route.url) !== undefined,
    );
    assert.deepEqual(listedButPublic, [], 'a public route needs no role');
  });

  it('a route the table does not list is for admins only', async () => {
    const extra = await applianceApi();
    try {
      extra.app.get('/api/forgotten-route', async () => ({ ok: true }));
      await extra.signIn();
      const viewer = await extra.call('POST', '/api/auth/tokens', { name: 'grafana' });
      const asViewer = await extra.app.inject({
        method: 'GET',
        url: '/api/forgotten-route',
        headers: { authorization: `Bearer ${viewer.json().token}` },
      });
      assert.equal(asViewer.statusCode, 403);
      assert.match(asViewer.json().message, /^this needs the admin role/);
      assert.equal((await extra.call('GET', '/api/forgotten-route')).statusCode, 200);
    } finally {
      await extra.close();
    }
  });
});

describe('roles for API tokens and users (real SQLite file)', () => {
  let api: ApiHarness;
  const tokens: Record<'viewer' | 'operator' | 'admin', string> = { viewer: '', operator: '', admin: '' };

  before(async () => {
    api = await applianceApi();
    await api.signIn();
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const created = await api.call('POST', '/api/auth/tokens', { name: `${role} script`, role });
      assert.equal(created.statusCode, 201);
      tokens[role] = created.json().token as string;
    }
  });
  after(() => api.close());
  beforeEach(() => {
    runner.requests.length = 0;
  });

  const withToken = (
    token: string,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ): Promise<LightMyRequestResponse> =>
    api.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });

  /** Signs in as `username` and returns a request function carrying that session. */
  async function signedInAs(username: string, password: string) {
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password },
      remoteAddress: `10.9.${username.length}.1`,
    });
    assert.equal(login.statusCode, 200, login.body);
    const cookie = `${SESSION_COOKIE}=${login.cookies.find((c) => c.name === SESSION_COOKIE)?.value}`;
    const csrf = login.json().csrfToken as string;
    return (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      api.app.inject({
        method,
        url,
        headers: { cookie, [CSRF_HEADER]: csrf },
        ...(payload ? { payload } : {}),
      });
  }

  const goLive = { timelineId: 1, destinationIds: [7] };

  it('the database holds each token’s role; the token list shows it and never the token', async () => {
    const rows = api.store.db.prepare('SELECT name, role FROM api_tokens ORDER BY id').all();
    assert.deepEqual(rows, [
      { name: 'viewer script', role: 'viewer' },
      { name: 'operator script', role: 'operator' },
      { name: 'admin script', role: 'admin' },
    ]);
    const listed = await api.call('GET', '/api/auth/tokens');
    assert.deepEqual(
      listed
        .json()
        .map((token: { name: string; role: string; username: string }) => [
          token.name,
          token.role,
          token.username,
        ]),
      [
        ['viewer script', 'viewer', ADMIN.username],
        ['operator script', 'operator', ADMIN.username],
        ['admin script', 'admin', ADMIN.username],
      ],
    );
    for (const token of Object.values(tokens)) assert.equal(listed.body.includes(token), false);
    // Without a role a new token is a viewer: least access unless asked.
    const plain = await api.call('POST', '/api/auth/tokens', { name: 'prometheus' });
    assert.equal(plain.json().role, 'viewer');
    const bad = await api.call('POST', '/api/auth/tokens', { name: 'x', role: 'root' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().issues[0].path, 'role');
    await api.call('DELETE', `/api/auth/tokens/${plain.json().id}`);
  });

  it('a viewer token (Prometheus) reads telemetry but cannot go live, make tokens or change settings', async () => {
    const { viewer } = tokens;
    const metrics = await withToken(viewer, 'GET', '/metrics');
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /^vistter_show_live 0$/m);
    for (const url of ['/api/show', '/api/alerts', '/api/executions', '/api/cameras', '/api/timelines'])
      assert.equal((await withToken(viewer, 'GET', url)).statusCode, 200, url);

    const live = await withToken(viewer, 'POST', '/api/show/go-live', goLive);
    assert.equal(live.statusCode, 403);
    assert.equal(live.json().code, 'ROLE_REQUIRED');
    assert.equal(
      live.json().message,
      'this needs the operator role (running shows: GO LIVE, stop, overrides, quality, PTZ, timelines, media, schedules); this API token has the viewer role',
    );
    assert.ok(live.json().remediation.length > 20);
    assert.equal(runner.requests.length, 0, 'nothing was started');

    const token = await withToken(viewer, 'POST', '/api/auth/tokens', { name: 'escalate', role: 'admin' });
    assert.equal(token.statusCode, 403);
    assert.match(token.json().message, /^this needs the admin role/);
    const setting = await withToken(viewer, 'PUT', '/api/settings/appliance.name', { value: 'Hijacked' });
    assert.equal(setting.statusCode, 403);
    assert.equal((await withToken(viewer, 'GET', '/api/auth/tokens')).statusCode, 403);
    assert.equal((await withToken(viewer, 'POST', '/api/show/stop')).statusCode, 403);
    assert.equal(api.store.apiTokens.list().length, 3, 'no token was made');
    assert.equal(api.store.settings.all()['appliance.name'], undefined, 'the setting is unchanged');
  });

  it('an operator token runs the show but cannot configure the appliance', async () => {
    const { operator } = tokens;
    const live = await withToken(operator, 'POST', '/api/show/go-live', goLive);
    assert.equal(live.json().code, 'DESTINATION_NOT_FOUND', 'GO LIVE got through to the runner');
    assert.equal(runner.requests.length, 1);
    assert.equal(
      (await withToken(operator, 'POST', '/api/show/overrides/emergency', { on: true })).json().code,
      'SHOW_NOT_LIVE',
    );
    const timeline = await withToken(operator, 'POST', '/api/timelines', {
      timeline: { name: 'Operator show', duration: 10, tracks: [] },
    });
    assert.notEqual(timeline.statusCode, 403, timeline.body);

    for (const [method, url, body] of [
      ['PUT', '/api/settings/appliance.name', { value: 'Pier' }],
      ['POST', '/api/cameras', { name: 'Cam', stream_url: 'rtsp://10.0.0.5/s' }],
      ['POST', '/api/destinations', { name: 'YT', platform: 'youtube' }],
      ['POST', '/api/auth/tokens', { name: 'more' }],
      ['POST', '/api/auth/users', { username: 'x', password: 'long enough pw', role: 'admin' }],
    ] as const) {
      const refused = await withToken(operator, method, url, body);
      assert.equal(refused.statusCode, 403, url);
      assert.match(
        refused.json().message,
        /^this needs the admin role .*; this API token has the operator role$/,
      );
    }
  });

  it('an admin token may do everything', async () => {
    const { admin } = tokens;
    const setting = await withToken(admin, 'PUT', '/api/settings/appliance.name', { value: 'Harbour' });
    assert.equal(setting.statusCode, 200);
    assert.equal(api.store.settings.all()['appliance.name'], 'Harbour');
    const made = await withToken(admin, 'POST', '/api/auth/tokens', { name: 'made by script' });
    assert.equal(made.statusCode, 201);
    await withToken(admin, 'DELETE', `/api/auth/tokens/${made.json().id}`);
    assert.equal(runner.requests.length, 0);
    await withToken(admin, 'POST', '/api/show/go-live', goLive);
    assert.equal(runner.requests.length, 1);
  });

  it('only an admin adds users; a user’s role applies to their session at once', async () => {
    const added = await api.call('POST', '/api/auth/users', {
      username: 'olivia',
      password: 'dock four lanterns',
      role: 'operator',
    });
    assert.equal(added.statusCode, 201);
    assert.deepEqual(
      { username: added.json().username, role: added.json().role },
      { username: 'olivia', role: 'operator' },
    );
    assert.equal(added.body.includes('dock four lanterns'), false);
    const stored = api.store.db
      .prepare('SELECT role, password_hash FROM users WHERE username = ?')
      .get('olivia') as { role: string; password_hash: string };
    assert.equal(stored.role, 'operator');
    assert.match(stored.password_hash, /^scrypt\$/);

    const olivia = await signedInAs('olivia', 'dock four lanterns');
    await olivia('POST', '/api/show/go-live', goLive);
    assert.equal(runner.requests.length, 1, 'an operator goes live');
    const addUser = await olivia('POST', '/api/auth/users', {
      username: 'mallory',
      password: 'another long one',
      role: 'admin',
    });
    assert.equal(addUser.statusCode, 403);
    assert.equal(
      addUser.json().message,
      'this needs the admin role (everything: cameras, destinations, settings, users and API tokens); the account "olivia" has the operator role',
    );
    assert.equal((await olivia('GET', '/api/auth/users')).statusCode, 403);
    assert.equal(api.store.users.count(), 2);
    const status = await olivia('GET', '/api/auth/status');
    assert.equal(status.json().role, 'operator');

    // Demoted to viewer: the same session is refused show control from its next request.
    const olive = api.store.users.list().find((user) => user.username === 'olivia');
    assert.ok(olive);
    const demoted = await api.call('PATCH', `/api/auth/users/${olive.id}`, { role: 'viewer' });
    assert.equal(demoted.statusCode, 200);
    assert.equal(demoted.json().role, 'viewer');
    assert.equal((await olivia('POST', '/api/show/go-live', goLive)).statusCode, 403);
    assert.equal((await olivia('GET', '/api/show')).statusCode, 200);

    // A token never does more than its owner: an admin token of a user made viewer acts as viewer.
    const promoted = await api.call('PATCH', `/api/auth/users/${olive.id}`, { role: 'admin' });
    assert.equal(promoted.statusCode, 200);
    const oliviaAdmin = await signedInAs('olivia', 'dock four lanterns');
    const hers = await oliviaAdmin('POST', '/api/auth/tokens', { name: 'olivia laptop', role: 'admin' });
    assert.equal(hers.statusCode, 201);
    await api.call('PATCH', `/api/auth/users/${olive.id}`, { role: 'viewer' });
    const capped = await withToken(hers.json().token, 'PUT', '/api/settings/appliance.name', {
      value: 'Nope',
    });
    assert.equal(capped.statusCode, 403);
    assert.match(capped.json().message, /this API token has the viewer role$/);

    // Removing her ends her sessions and tokens with her.
    assert.equal((await api.call('DELETE', `/api/auth/users/${olive.id}`)).statusCode, 204);
    assert.equal((await olivia('GET', '/api/show')).statusCode, 401);
    assert.equal((await withToken(hers.json().token, 'GET', '/api/show')).statusCode, 401);
    assert.equal(
      api.store.db.prepare('SELECT COUNT(*) FROM api_tokens WHERE name = ?').pluck().get('olivia laptop'),
      0,
    );
  });

  it('the last admin can be neither demoted nor removed; weak or taken names are refused', async () => {
    const admin = api.store.users.list().find((user) => user.username === ADMIN.username);
    assert.ok(admin);
    const demote = await api.call('PATCH', `/api/auth/users/${admin.id}`, { role: 'operator' });
    assert.equal(demote.statusCode, 409);
    assert.equal(demote.json().code, 'LAST_ADMIN');
    assert.equal((await api.call('DELETE', `/api/auth/users/${admin.id}`)).json().code, 'LAST_ADMIN');
    assert.equal(api.store.users.list().find((user) => user.id === admin.id)?.role, 'admin');

    const weak = await api.call('POST', '/api/auth/users', {
      username: 'sam',
      password: 'zzzzzzzzzzzz',
      role: 'viewer',
    });
    assert.equal(weak.statusCode, 400);
    assert.deepEqual(weak.json().issues, [
      { path: 'password', message: 'must not be one character repeated' },
    ]);
    const taken = await api.call('POST', '/api/auth/users', {
      username: 'ADMIN',
      password: 'a perfectly fine one',
      role: 'viewer',
    });
    assert.equal(taken.statusCode, 409);
    assert.equal(
      (await api.call('PATCH', '/api/auth/users/999', { role: 'viewer' })).json().code,
      'USER_NOT_FOUND',
    );
  });
});
