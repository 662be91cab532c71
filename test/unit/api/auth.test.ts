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
    assert.deepEqual(
      badId.json().issues.map((issue: { path: string }) => issue.path),
      ['params.id'],
    );
    assert.match(badId.json().issues[0].message, /number/);
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

describe('sign-in limits (real Fastify app, real scrypt)', () => {
  let api: ApiHarness;
  before(async () => {
    api = await createApiHarness();
    await api.signIn();
  });
  after(() => api.close());

  const login = (password: string, remoteAddress: string) =>
    api.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: ADMIN.username, password },
      remoteAddress,
    });
  const codes = (responses: Array<{ statusCode: number }>) => {
    const counted = new Map<number, number>();
    for (const { statusCode } of responses) counted.set(statusCode, (counted.get(statusCode) ?? 0) + 1);
    return Object.fromEntries(counted);
  };
  const sessionCount = () => api.store.db.prepare('SELECT COUNT(*) FROM sessions').pluck().get() as number;

  it('15 wrong passwords at once from one address: 5 are checked (401), 10 refused (429)', async () => {
    const before = sessionCount();
    const answers = await Promise.all(
      Array.from({ length: 15 }, (_, i) => login(`wrong guess ${i}`, '203.0.113.5')),
    );
    assert.deepEqual(codes(answers), { 401: 5, 429: 10 });
    const refused = answers.find((answer) => answer.statusCode === 429);
    assert.equal(refused?.json().code, 'LOGIN_RATE_LIMITED');
    assert.equal(refused?.headers['retry-after'], '60');
    // Even the right password waits out the lock from that address; another address is not held up.
    assert.equal((await login(ADMIN.password, '203.0.113.5')).statusCode, 429);
    assert.equal((await login(ADMIN.password, '203.0.113.6')).statusCode, 200);
    assert.equal(sessionCount(), before + 1, 'only the right password made a session');
  });

  it('after 1000 wrong passwords from one address the right one from another address signs in', async () => {
    const answers = [];
    for (let batch = 0; batch < 20; batch++)
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, (_, i) => login(`guess ${batch}-${i}`, '198.51.100.66')),
        )),
      );
    assert.equal(answers.length, 1000);
    assert.deepEqual(codes(answers), { 401: 5, 429: 995 });
    const admin = await login(ADMIN.password, '192.168.1.20');
    assert.equal(admin.statusCode, 200);
    assert.equal(admin.json().user.username, ADMIN.username);
    // The same over IPv6: the attacker's neighbours in its /64 are held back with it.
    for (let i = 0; i < 5; i++) await login(`v6 guess ${i}`, '2001:db8:5:6::10');
    assert.equal((await login(ADMIN.password, '2001:db8:5:6::99')).statusCode, 429);
    assert.equal((await login(ADMIN.password, '2001:db8:5:7::99')).statusCode, 200);
  });

  it('guessing spread over 100 addresses tightens them to one try, and the admin still signs in', async () => {
    api.clock.advance(2 * 60 * 60_000); // the earlier tests' locks and failures forgotten
    const spread = await Promise.all(
      Array.from({ length: 100 }, (_, i) => login(`spread guess ${i}`, `10.77.${i}.1`)),
    );
    assert.deepEqual(codes(spread), { 401: 100 });
    // Each of these addresses would have had four more tries; now none.
    const again = await login('another guess', '10.77.3.1');
    assert.equal(again.statusCode, 429);
    assert.equal(again.json().code, 'LOGIN_RATE_LIMITED');
    assert.equal((await login(ADMIN.password, '10.88.0.1')).statusCode, 200);
  });

  it('the password change is limited too: five wrong current passwords a minute', async () => {
    const change = (current: string) =>
      api.call('POST', '/api/auth/password', {
        current_password: current,
        new_password: 'a new long password',
      });
    const wrong = await Promise.all(Array.from({ length: 8 }, (_, i) => change(`not it ${i}`)));
    assert.deepEqual(codes(wrong), { 401: 5, 429: 3 });
    const blocked = await change(ADMIN.password);
    assert.equal(blocked.statusCode, 429);
    assert.equal(blocked.json().message, 'too many wrong current passwords; try again in 60 s');
    assert.equal(blocked.headers['retry-after'], '60');
    api.clock.advance(60_000);
    const hash = () =>
      api.store.db.prepare('SELECT password_hash FROM users WHERE username = ?').pluck().get(ADMIN.username);
    const unchanged = hash();
    const changed = await api.call('POST', '/api/auth/password', {
      current_password: ADMIN.password,
      new_password: ADMIN.password,
    });
    assert.equal(changed.statusCode, 200);
    assert.notEqual(hash(), unchanged, 'a new hash (new salt) was stored');
  });

  it('passwords of only spaces or one repeated character are refused with a sentence', async () => {
    const fresh = await createApiHarness();
    try {
      for (const [password, problem] of [
        [' '.repeat(12), 'must not be only spaces'],
        ['\t \t \t \t \t ', 'must not be only spaces'],
        ['aaaaaaaaaaaa', 'must not be one character repeated'],
        ['🙂'.repeat(10), 'must not be one character repeated'],
      ] as const) {
        const setup = await fresh.app.inject({
          method: 'POST',
          url: '/api/auth/setup',
          payload: { username: 'admin', password },
        });
        assert.equal(setup.statusCode, 400, JSON.stringify(password));
        assert.equal(setup.json().code, 'PASSWORD_TOO_WEAK');
        assert.equal(setup.json().message, `the password ${problem}`);
        assert.deepEqual(setup.json().issues, [{ path: 'password', message: problem }]);
        assert.match(setup.json().remediation, /not only spaces and not one character repeated/);
      }
      assert.equal(fresh.store.users.count(), 0, 'no account was made');

      await fresh.signIn();
      const hash = () => fresh.store.db.prepare('SELECT password_hash FROM users').pluck().get();
      const before = hash();
      for (const [password, problem] of [
        ['0000000000', 'must not be one character repeated'],
        ['           ', 'must not be only spaces'],
      ] as const) {
        const change = await fresh.call('POST', '/api/auth/password', {
          current_password: ADMIN.password,
          new_password: password,
        });
        assert.equal(change.statusCode, 400);
        assert.equal(change.json().message, `the new password ${problem}`);
        assert.deepEqual(change.json().issues, [{ path: 'new_password', message: problem }]);
      }
      assert.equal(hash(), before, 'the password is unchanged');
    } finally {
      await fresh.close();
    }
  });
});
