// Behind a reverse proxy (VISTTER_TRUSTED_PROXIES), with the real appliance (src/main.ts) and real
// HTTP requests: without the option X-Forwarded-For and X-Forwarded-Host are ignored (a spoofed
// address escapes neither the sign-in limit nor /live.jpg's); with 127.0.0.1 trusted, two forwarded
// clients have separate counts, and a forwarded host must be one of the appliance's names.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, describe, it } from 'node:test';
import { ApplianceClient, applianceEnv, startAppliance, type Appliance } from '../../helpers/appliance.ts';
import { tempDir } from '../../helpers/temp.ts';

const ADMIN = { username: 'admin', password: 'correct horse battery' };
const WRONG = { username: 'admin', password: 'not the password at all' };
const PER_MINUTE = 3;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/** One request with exactly these headers (fetch will not send a Host of our choosing). */
function send(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        headers: {
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const signIn = (base: string, credentials: typeof ADMIN, headers: Record<string, string> = {}) =>
  send(base, 'POST', '/api/auth/login', headers, credentials);
const liveJpeg = (base: string, headers: Record<string, string> = {}) =>
  send(base, 'GET', '/live.jpg', headers);

async function startWith(
  extra: Record<string, string>,
): Promise<{ appliance: Appliance; cleanup: () => Promise<void> }> {
  const data = tempDir('vistter-proxy-');
  const appliance = await startAppliance(applianceEnv(data.path, extra));
  const admin = new ApplianceClient(appliance.url);
  await admin.setup(ADMIN.username, ADMIN.password);
  const saved = await admin.request('PUT', '/api/settings/website.live_picture', {
    value: { enabled: true, size: '640x360', interval_s: 10, requests_per_minute: PER_MINUTE },
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  return {
    appliance,
    cleanup: async () => {
      await appliance.stop();
      data.cleanup();
    },
  };
}

describe('behind a reverse proxy: X-Forwarded-For and X-Forwarded-Host (real appliance)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('without VISTTER_TRUSTED_PROXIES a spoofed X-Forwarded-For escapes no limit, and X-Forwarded-Host is ignored', async () => {
    const { appliance, cleanup } = await startWith({});
    cleanups.push(cleanup);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push(
        (await signIn(appliance.url, WRONG, { 'x-forwarded-for': `198.51.100.${i + 1}` })).status,
      );
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401], statuses.join(','));
    assert.deepEqual(
      statuses.slice(5),
      [429, 429, 429],
      `one client whatever it claims: ${statuses.join(',')}`,
    );
    const right = await signIn(appliance.url, ADMIN, { 'x-forwarded-for': '203.0.113.99' });
    assert.equal(right.status, 429, 'a new claimed address is still the locked connection');

    const pictures: number[] = [];
    for (let i = 0; i < PER_MINUTE + 2; i++)
      pictures.push((await liveJpeg(appliance.url, { 'x-forwarded-for': `198.51.100.${i + 1}` })).status);
    assert.deepEqual(
      pictures,
      [...Array<number>(PER_MINUTE).fill(200), 429, 429],
      `one count for the connection: ${pictures.join(',')}`,
    );
    const foreign = await send(appliance.url, 'GET', '/api/auth/status', {
      'x-forwarded-host': 'evil.example',
    });
    assert.equal(foreign.status, 200, 'from an untrusted peer the header means nothing');
    const viaClaim = await signIn(appliance.url, ADMIN, {
      'x-forwarded-host': 'localhost:9443',
      origin: 'https://localhost:9443',
    });
    assert.equal(viaClaim.status, 403, 'an untrusted peer cannot make its Origin match by the header');
  });

  it('with 127.0.0.1 trusted, forwarded clients have their own sign-in and /live.jpg counts, and a foreign forwarded host is refused', async () => {
    const { appliance, cleanup } = await startWith({ VISTTER_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' });
    cleanups.push(cleanup);
    const A = { 'x-forwarded-for': '198.51.100.7' };
    // The proxy appends the address it saw: the client's own claim to its left is not believed.
    const B = { 'x-forwarded-for': '198.51.100.7, 203.0.113.20' };
    const fromA: number[] = [];
    for (let i = 0; i < 7; i++) fromA.push((await signIn(appliance.url, WRONG, A)).status);
    assert.deepEqual(fromA, [401, 401, 401, 401, 401, 429, 429], fromA.join(','));
    assert.equal((await signIn(appliance.url, WRONG, B)).status, 401, 'B has attempts of its own');
    assert.equal((await signIn(appliance.url, ADMIN, B)).status, 200, 'B signs in while A is locked out');
    assert.equal((await signIn(appliance.url, ADMIN, A)).status, 429, 'A stays locked');
    assert.equal(
      (await signIn(appliance.url, ADMIN)).status,
      200,
      'the proxy’s own address is a third client',
    );

    const pictureA: number[] = [];
    for (let i = 0; i < PER_MINUTE + 2; i++) pictureA.push((await liveJpeg(appliance.url, A)).status);
    assert.deepEqual(pictureA, [...Array<number>(PER_MINUTE).fill(200), 429, 429], pictureA.join(','));
    const refused = await liveJpeg(appliance.url, A);
    assert.ok(Number(refused.headers['retry-after']) >= 1, 'Retry-After');
    assert.equal((await liveJpeg(appliance.url, B)).status, 200, 'B’s picture is not A’s count');

    const evil = await send(appliance.url, 'GET', '/api/auth/status', { 'x-forwarded-host': 'evil.example' });
    assert.equal(evil.status, 421, 'a rebinding page’s name, forwarded by the proxy, is refused');
    const chained = await send(appliance.url, 'GET', '/api/auth/status', {
      'x-forwarded-host': 'evil.example, localhost',
    });
    assert.equal(chained.status, 421, 'every forwarded name must be the appliance’s');
    const own = await send(appliance.url, 'GET', '/api/auth/status', {
      'x-forwarded-host': 'localhost:8443',
    });
    assert.equal(own.status, 200, 'the appliance’s own name passes');
    const rebound = await send(appliance.url, 'GET', '/api/auth/status', {
      host: 'evil.example',
      'x-forwarded-host': 'localhost',
    });
    assert.equal(rebound.status, 421, 'a forwarded name does not excuse a foreign Host');
    // A proxy that rewrites Host names the browser's host in X-Forwarded-Host: the browser's own
    // page (its Origin) is not cross-site, another site's still is.
    const page = { 'x-forwarded-host': 'localhost:9443', 'x-forwarded-for': '203.0.113.30' };
    const ownPage = await signIn(appliance.url, ADMIN, { ...page, origin: 'https://localhost:9443' });
    assert.equal(ownPage.status, 200, 'the appliance’s page through the proxy signs in');
    const otherSite = await signIn(appliance.url, ADMIN, { ...page, origin: 'https://evil.example' });
    assert.equal(otherSite.status, 403, 'another site’s page is refused');
  });
});
