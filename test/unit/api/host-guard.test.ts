// The Host guard: a page on another name (DNS rebinding: evil.example re-pointed at the appliance,
// so its Origin matches its Host) is refused before setup and sign-in; the appliance's own names,
// localhost and the configured ones pass; the headers come with every answer, refusals included.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  applianceNames,
  HostPolicy,
  hostOfHeader,
  normalizeHost,
  type MachineIdentity,
} from '../../../src/api/host-guard.ts';
import { ADMIN, createApiHarness, rowCount, type ApiHarness } from '../../helpers/api.ts';

describe('host names', () => {
  it('reads a Host header as the name the browser was pointed at', () => {
    assert.equal(hostOfHeader('Appliance.Local:8443'), 'appliance.local');
    assert.equal(hostOfHeader('vm.local.'), 'vm.local', 'a fully qualified name');
    assert.equal(hostOfHeader('192.168.1.20:8080'), '192.168.1.20');
    assert.equal(hostOfHeader('[::1]:8443'), '::1');
    assert.equal(hostOfHeader('[0:0:0:0:0:0:0:1]'), '::1', 'IPv6 in its short form');
    assert.equal(hostOfHeader('xn--bcher-kva.example'), 'xn--bcher-kva.example');
    for (const bad of [
      undefined,
      '',
      'a b',
      'evil.example/x',
      'user@appliance.local',
      'vm:port',
      '[::1',
      '[zz]',
    ])
      assert.equal(hostOfHeader(bad), null, `${bad} names no host`);
    assert.equal(normalizeHost('fe80::1%eth0'), 'fe80::1', 'an interface address loses its zone');
  });

  it('the appliance answers to localhost, its host name and .local name, its addresses and the configured names', () => {
    assert.deepEqual(
      applianceNames(
        'Pi5-Marina',
        ['10.0.0.5', 'fe80::1%eth0', '127.0.0.1'],
        ['stream.venue.org', '203.0.113.7'],
      ),
      {
        dns: ['localhost', 'pi5-marina', 'pi5-marina.local', 'stream.venue.org'],
        ips: ['127.0.0.1', '::1', '10.0.0.5', 'fe80::1', '203.0.113.7'],
      },
    );
    assert.deepEqual(applianceNames('pi.venue.lan', [], []).dns, ['localhost', 'pi.venue.lan', 'pi.local']);
  });

  it('an address the machine gets after the start is known at the first request naming it', () => {
    const addresses = ['10.0.0.5'];
    const machine: MachineIdentity = { hostname: () => 'pi', addresses: () => addresses };
    const policy = new HostPolicy([], machine);
    assert.equal(policy.allows('10.0.0.9'), false);
    addresses.push('10.0.0.9'); // DHCP gave it a second address
    assert.equal(policy.allows('10.0.0.9'), true);
    assert.equal(policy.allows('evil.example'), false);
  });
});

describe('Host guard on the API (real SQLite file)', () => {
  let api: ApiHarness;
  before(async () => {
    // The harness's appliance is "appliance" (appliance.local) at 192.0.2.10; the operator named
    // stream.venue.test too.
    api = await createApiHarness({
      hosts: new HostPolicy(['stream.venue.test'], {
        hostname: () => 'appliance',
        addresses: () => ['192.0.2.10'],
      }),
    });
  });
  after(() => api.close());

  const post = (url: string, host: string, origin: string, payload: Record<string, string> = { ...ADMIN }) =>
    api.app.inject({ method: 'POST', url, payload, headers: { host, origin } });

  it('refuses first-run setup from a foreign name even with a matching Origin; the appliance’s names pass', async () => {
    const rebound = await post('/api/auth/setup', 'evil.example', 'http://evil.example');
    assert.equal(rebound.statusCode, 421);
    const body = rebound.json();
    assert.equal(body.code, 'HOST_NOT_ALLOWED');
    assert.match(body.message, /does not answer to the name "evil\.example"/);
    assert.match(body.remediation, /add the name to allowedHosts/);
    assert.equal(rowCount(api, 'users'), 0, 'no admin was created');
    // Also with the port and a trailing dot.
    assert.equal(
      (await post('/api/auth/setup', 'evil.example.:8443', 'https://evil.example.:8443')).statusCode,
      421,
    );
    assert.equal(rowCount(api, 'users'), 0);

    const own = await post('/api/auth/setup', 'appliance.local:8443', 'https://appliance.local:8443');
    assert.equal(own.statusCode, 201, own.body);
    assert.equal(rowCount(api, 'users'), 1);
  });

  it('refuses sign-in from a foreign name; localhost, the addresses and the configured name sign in', async () => {
    const sessions = rowCount(api, 'sessions');
    const rebound = await post('/api/auth/login', 'evil.example:8443', 'https://evil.example:8443');
    assert.equal(rebound.statusCode, 421);
    assert.equal(rebound.headers['set-cookie'], undefined);
    assert.equal(rowCount(api, 'sessions'), sessions, 'no session was made');

    for (const [host, origin] of [
      ['localhost:8443', 'https://localhost:8443'],
      ['127.0.0.1:8443', 'https://127.0.0.1:8443'],
      ['[::1]:8443', 'https://[::1]:8443'],
      ['192.0.2.10', 'https://192.0.2.10'],
      ['stream.venue.test', 'https://stream.venue.test'],
      // A written default port and capitals are still the same page.
      ['Stream.Venue.Test:443', 'https://stream.venue.test'],
    ]) {
      const answer = await post('/api/auth/login', host!, origin!);
      assert.equal(answer.statusCode, 200, `${host}: ${answer.body}`);
    }
    // The right host with another site's Origin is still cross-site.
    const crossSite = await post('/api/auth/logout', 'appliance.local', 'https://evil.example', {});
    assert.equal(crossSite.statusCode, 403);
    assert.equal(crossSite.json().code, 'CSRF_REJECTED');
  });

  it('refuses a foreign name before any route: reads, unknown paths and the WebSocket alike', async () => {
    for (const url of ['/api/health', '/api/auth/status', '/api/nothing-here', '/'])
      assert.equal(
        (await api.app.inject({ method: 'GET', url, headers: { host: 'evil.example' } })).statusCode,
        421,
        url,
      );
    await assert.rejects(api.app.injectWS('/api/live', { headers: { host: 'evil.example' } }), /421/);
    // No Host at all is no web page: it goes on to sign-in like any request.
    await assert.rejects(api.app.injectWS('/api/live'), /401/);
  });
});
