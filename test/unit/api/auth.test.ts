import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CSRF_HEADER, SESSION_COOKIE } from '../../../src/api/auth/plugin.ts';
import { ADMIN, createApiHarness, type ApiHarness } from '../../helpers/api.ts';

describe('API sign-in (real SQLite file)', () => {
  let api: ApiHarness;
  before(async () => {
    api = await createApiHarness();
  });
  after(() => api.close());

  it('first run: routes answer SETUP_REQUIRED, health and status stay public, setup creates the admin', async () => {
    const blocked = await api.app.inject({ method: 'GET', url: '/api/executions' });
    assert.equal(blocked.statusCode, 409);
    assert.equal(blocked.json().code, 'SETUP_REQUIRED');
    const status = await api.app.inject({ method: 'GET', url: '/api/auth/status' });
    assert.deepEqual(status.json(), {
      setupRequired: true,
      authenticated: false,
      user: null,
      role: null,
      csrfToken: null,
    });

    const weak = await api.app.inject({
      method: 'POST',
      url: '/api/auth/setup',
      payload: { username: 'admin', password: 'short' },
    });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json().code, 'PASSWORD_TOO_WEAK');
    assert.deepEqual(weak.json().issues, [{ path: 'password', message: 'must be at least 10 characters' }]);
    assert.equal(api.store.users.count(), 0, 'nothing was created');

    const setup = await api.app.inject({ method: 'POST', url: '/api/auth/setup', payload: ADMIN });
    assert.equal(setup.statusCode, 201);
    const cookie = setup.cookies.find((c) => c.name === SESSION_COOKIE);
    assert.ok(cookie);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    const hash = api.store.db.prepare('SELECT password_hash FROM users').pluck().get() as string;
    assert.match(hash, /^scrypt\$16384\$8\$1\$/);
    assert.ok(!hash.includes(ADMIN.password));
    const tokenRow = api.store.db.prepare('SELECT token_hash FROM sessions').pluck().get() as string;
    assert.notEqual(tokenRow, cookie.value, 'the database holds a hash, not the cookie');

    const again = await api.app.inject({
      method: 'POST',
      url: '/api/auth/setup',
      payload: { username: 'eve', password: 'another long password' },
    });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'SETUP_ALREADY_DONE');
  });

  it('without a session every route but the public ones answers 401', async () => {
    for (const url of ['/api/executions', '/api/alerts', '/api/settings', '/api/auth/tokens']) {
      const response = await api.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 401, url);
      assert.equal(response.json().code, 'UNAUTHENTICATED');
      assert.ok(response.json().remediation.length > 10);
    }
    const docs = await api.app.inject({ method: 'GET', url: '/api/docs/json' });
    assert.equal(docs.statusCode, 200);
    assert.ok(docs.json().paths['/api/auth/login']);
  });

  it('signs in, needs the CSRF token for changes, signs out', async () => {
    const login = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN });
    assert.equal(login.statusCode, 200);
    const cookie = `${SESSION_COOKIE}=${login.cookies.find((c) => c.name === SESSION_COOKIE)?.value}`;
    const csrf = login.json().csrfToken as string;
    const read = await api.app.inject({ method: 'GET', url: '/api/settings', headers: { cookie } });
    assert.equal(read.statusCode, 200);

    const put = { method: 'PUT' as const, url: '/api/settings/appliance.name', payload: { value: 'Marina' } };
    const noToken = await api.app.inject({ ...put, headers: { cookie } });
    assert.equal(noToken.statusCode, 403);
    assert.equal(noToken.json().code, 'CSRF_REJECTED');
    const wrongToken = await api.app.inject({ ...put, headers: { cookie, [CSRF_HEADER]: `${csrf}x` } });
    assert.equal(wrongToken.statusCode, 403);
    const crossSite = await api.app.inject({
      ...put,
      headers: { cookie, [CSRF_HEADER]: csrf, origin: 'http://evil.example', host: 'appliance.local' },
    });
    assert.equal(crossSite.statusCode, 403);
    assert.equal(api.store.settings.get('appliance.name', null), null, 'nothing changed');
    const ok = await api.app.inject({ ...put, headers: { cookie, [CSRF_HEADER]: csrf } });
    assert.equal(ok.statusCode, 200);
    assert.equal(api.store.settings.get('appliance.name', null), 'Marina');

    const logout = await api.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie, [CSRF_HEADER]: csrf },
    });
    assert.equal(logout.statusCode, 204);
    const after = await api.app.inject({ method: 'GET', url: '/api/settings', headers: { cookie } });
    assert.equal(after.statusCode, 401);
  });

  it('rate-limits wrong passwords per address, with Retry-After, and lets the right one in after the wait', async () => {
    const attempt = (password: string) =>
      api.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'admin', password },
        remoteAddress: '10.0.0.9',
      });
    for (let i = 0; i < 5; i++) {
      const wrong = await attempt(`wrong password ${i}`);
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().code, 'LOGIN_FAILED');
    }
    const limited = await attempt(ADMIN.password);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, 'LOGIN_RATE_LIMITED');
    assert.equal(limited.headers['retry-after'], '60');
    api.clock.advance(60_000);
    const allowed = await attempt(ADMIN.password);
    assert.equal(allowed.statusCode, 200);
  });

  it('unknown user names fail the same way as wrong passwords', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'nobody', password: 'whatever it is' },
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'LOGIN_FAILED');
    assert.equal(response.json().message, 'the user name or password is wrong');
  });

  it('API tokens: shown once, work as Bearer without CSRF, revoked tokens stop working', async () => {
    await api.signIn();
    const created = await api.call('POST', '/api/auth/tokens', { name: 'deploy script', role: 'admin' });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().role, 'admin');
    const token = created.json().token as string;
    assert.match(token, /^vst_/);
    const listed = await api.call('GET', '/api/auth/tokens');
    assert.equal(JSON.stringify(listed.json()).includes(token), false, 'the token is never listed');
    const bearer = { authorization: `Bearer ${token}` };
    assert.equal(
      (await api.app.inject({ method: 'GET', url: '/api/alerts', headers: bearer })).statusCode,
      200,
    );
    const change = await api.app.inject({
      method: 'PUT',
      url: '/api/settings/appliance.name',
      headers: bearer,
      payload: { value: 'Pier' },
    });
    assert.equal(change.statusCode, 200);
    assert.equal((await api.call('DELETE', `/api/auth/tokens/${created.json().id}`)).statusCode, 204);
    assert.equal(
      (await api.app.inject({ method: 'GET', url: '/api/alerts', headers: bearer })).statusCode,
      401,
    );
  });

  it('changing the password signs out the other sessions', async () => {
    const other = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN });
    const otherCookie = `${SESSION_COOKIE}=${other.cookies.find((c) => c.name === SESSION_COOKIE)?.value}`;
    const wrong = await api.call('POST', '/api/auth/password', {
      current_password: 'not it at all',
      new_password: 'a brand new password',
    });
    assert.equal(wrong.statusCode, 401);
    const changed = await api.call('POST', '/api/auth/password', {
      current_password: ADMIN.password,
      new_password: 'a brand new password',
    });
    assert.equal(changed.statusCode, 200);
    assert.equal(
      (await api.app.inject({ method: 'GET', url: '/api/alerts', headers: { cookie: otherCookie } }))
        .statusCode,
      401,
    );
    const relogin = await api.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin', password: 'a brand new password' },
    });
    assert.equal(relogin.statusCode, 200);
  });
});

describe('API errors', () => {
  let api: ApiHarness;
  before(async () => {
    api = await createApiHarness();
    await api.signIn();
  });
  after(() => api.close());

  it('malformed JSON, unknown routes, bad parameters and unknown fields answer stable codes with the field path', async () => {
    const malformed = await api.call('PUT', '/api/settings/appliance.name', '{"value": ', {
      'content-type': 'application/json',
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().code, 'JSON_MALFORMED');
    const missing = await api.call('GET', '/api/nothing-here');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'NOT_FOUND');
    const badId = await api.call('GET', '/api/executions/abc');
    assert.equal(badId.statusCode, 400);
    assert.deepEqual(badId.json().issues, [
      { path: 'params.id', message: 'Invalid input: expected number, received NaN' },
    ]);
    const unknownKey = await api.call('PUT', '/api/settings/appliance.name', { value: 'x', extra: 1 });
    assert.equal(unknownKey.statusCode, 400);
    assert.deepEqual(unknownKey.json().issues, [{ path: 'extra', message: 'unknown field "extra"' }]);
    const badWebhook = await api.call('PUT', '/api/settings/alerts.webhook', { value: { url: 'ftp://x' } });
    assert.equal(badWebhook.statusCode, 400);
    assert.equal(badWebhook.json().code, 'WEBHOOK_URL_INVALID');
    assert.equal(badWebhook.json().issues[0].path, 'value.url');
    const unknownExecution = await api.call('GET', '/api/executions/999');
    assert.equal(unknownExecution.statusCode, 404);
  });

  it('a webhook URL is stored whole but read back as its origin only', async () => {
    const url = 'https://hooks.example.com/services/T000/SECRET-TOKEN';
    const put = await api.call('PUT', '/api/settings/alerts.webhook', { value: { url } });
    assert.equal(put.statusCode, 200);
    assert.equal(put.body.includes('SECRET-TOKEN'), false);
    const read = await api.call('GET', '/api/settings');
    assert.deepEqual(read.json()['alerts.webhook'], { url: 'https://hooks.example.com/…', enabled: true });
    assert.equal(api.store.settings.get<{ url: string } | null>('alerts.webhook', null)?.url, url);
  });
});

describe('API sessions', () => {
  let api: ApiHarness;
  before(async () => {
    api = await createApiHarness();
    await api.signIn();
  });
  after(() => api.close());

  it('a session slides its 7-day expiry with use, writing it at most once a minute', async () => {
    const login = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN });
    const cookie = `${SESSION_COOKIE}=${login.cookies.find((c) => c.name === SESSION_COOKIE)?.value}`;
    const read = async () =>
      (await api.app.inject({ method: 'GET', url: '/api/alerts', headers: { cookie } })).statusCode;
    const expiry = () =>
      api.store.db
        .prepare('SELECT expires_at FROM sessions ORDER BY id DESC LIMIT 1')
        .pluck()
        .get() as string;
    const first = expiry();
    api.clock.advance(30_000);
    assert.equal(await read(), 200);
    assert.equal(expiry(), first, 'not rewritten 30 s later');
    api.clock.advance(6 * 86_400_000);
    assert.equal(await read(), 200);
    assert.ok(expiry() > first, 'slid forward after 6 days of use');
    api.clock.advance(6 * 86_400_000);
    assert.equal(await read(), 200, 'still signed in 12 days after sign-in');
    api.clock.advance(8 * 86_400_000);
    assert.equal(await read(), 401, '8 days unused: expired');
  });
});
