// What a stranger reaches: every registered route is walked; a route answering without sign-in
// must be on the short public list (README "HTTPS and hosts"), every other one refuses with 401;
// the public health answer is the status only. And every answer carries the security headers.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShowControl } from '../../../src/app/show-control.ts';
import type { RunningShow } from '../../../src/app/running-show.ts';
import { isListedPublic, PUBLIC_ROUTES, registeredRoutes } from '../../../src/api/public-routes.ts';
import { API_REFERENCE_POLICY, CONTENT_SECURITY_POLICY } from '../../../src/api/security-headers.ts';
import type { HealthReport } from '../../../src/health/evaluate.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';

/** Show control whose health is a show with trouble at a named destination and camera. */
class TroubledShows extends ShowControl {
  override health(): HealthReport & { live: boolean } {
    return {
      status: 'degraded',
      warnings: ['Destination "YouTube — Marina main" is retrying (connection refused)'],
      errors: ['Camera "Fuel pier" is offline'],
      live: true,
    };
  }
}

describe('public routes and security headers (real SQLite file)', () => {
  let api: ApiHarness;
  before(async () => {
    api = await createApiHarness(({ store, clock, dataDir }) => {
      const webRoot = join(dataDir, 'web');
      mkdirSync(join(webRoot, 'assets'), { recursive: true });
      writeFileSync(join(webRoot, 'index.html'), '<!doctype html><div id="root"></div>');
      writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
      return {
        webRoot,
        shows: new TroubledShows({
          store,
          dataDir,
          clock,
          runner: {
            start: async (): Promise<RunningShow> => {
              throw new Error('not in this test');
            },
          },
          preflight: async () => ({ ok: true, checks: [] }),
        }),
      };
    });
    await api.signIn(); // the admin exists: a stranger is refused, not sent to first-run setup
  });
  after(() => api.close());

  it('every route but the listed public ones refuses a stranger with 401', async () => {
    const routes = registeredRoutes(api.app);
    assert.ok(routes.length > 60, `the walk sees the whole API (${routes.length} routes)`);
    const markedPublic = routes.filter((route) => route.public);
    for (const route of markedPublic)
      assert.ok(
        isListedPublic(route.method, route.url),
        `${route.method} ${route.url} answers without sign-in but is not on the public list`,
      );
    for (const listed of PUBLIC_ROUTES)
      assert.ok(
        markedPublic.some((route) => route.method === listed.method && route.url.startsWith(listed.url)),
        `${listed.method} ${listed.url} is listed but not registered`,
      );
    let walked = 0;
    for (const route of routes) {
      if (route.public || route.method === 'HEAD') continue;
      // Parameters get a plausible value: the refusal must come before the route looks at them.
      const url = route.url.replace(/:[A-Za-z]+/g, '1').replace(/\*$/, 'x');
      const answer = await api.app.inject({
        method: route.method as 'GET',
        url,
        ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: {} } : {}),
      });
      assert.equal(answer.statusCode, 401, `${route.method} ${route.url}: ${answer.body.slice(0, 200)}`);
      assert.equal(answer.json().code, 'UNAUTHENTICATED');
      walked++;
    }
    assert.ok(walked > 50, `walked ${walked} routes`);
  });

  it('public health gives the status only; a signed-in caller gets the detail', async () => {
    const stranger = await api.app.inject({ method: 'GET', url: '/api/health' });
    assert.equal(stranger.statusCode, 200);
    assert.deepEqual(stranger.json(), { status: 'degraded' });
    assert.doesNotMatch(stranger.body, /YouTube|Fuel pier|Marina/);
    const badToken = await api.app.inject({
      method: 'GET',
      url: '/api/health',
      headers: { authorization: 'Bearer vst_not-a-token' },
    });
    assert.deepEqual(badToken.json(), { status: 'degraded' }, 'a wrong token is a stranger');
    const operator = await api.call('GET', '/api/health');
    assert.equal(
      operator.json().warnings[0],
      'Destination "YouTube — Marina main" is retrying (connection refused)',
    );
    assert.equal(operator.json().errors[0], 'Camera "Fuel pier" is offline');
  });

  it('the page, the API, errors and the API reference carry the security headers', async () => {
    for (const [url, status] of [
      ['/', 200],
      ['/assets/app.js', 200],
      ['/api/health', 200],
      ['/api/cameras', 401],
      ['/api/nothing-here', 404],
      ['/api/docs/json', 200],
      ['/api/docs', 200],
    ] as const) {
      const answer = await api.app.inject({ method: 'GET', url });
      assert.equal(answer.statusCode, status, url);
      const policy = url.startsWith('/api/docs') ? API_REFERENCE_POLICY : CONTENT_SECURITY_POLICY;
      assert.equal(answer.headers['content-security-policy'], policy, url);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(answer.headers['referrer-policy'], 'same-origin', url);
      assert.equal(answer.headers['x-frame-options'], 'DENY', url);
    }
    const refused = await api.app.inject({ method: 'GET', url: '/', headers: { host: 'evil.example' } });
    assert.equal(refused.statusCode, 421);
    assert.equal(refused.headers['content-security-policy'], CONTENT_SECURITY_POLICY, 'refusals too');
    for (const policy of [CONTENT_SECURITY_POLICY, API_REFERENCE_POLICY]) {
      assert.match(policy, /frame-ancestors 'none'/);
      assert.match(policy, /script-src 'self';/);
    }
    assert.match(CONTENT_SECURITY_POLICY, /style-src 'self';/, 'inline styles only in the API reference');
  });
});
