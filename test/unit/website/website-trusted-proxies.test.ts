// The trusted proxies (VISTTER_TRUSTED_PROXIES): which peers' X-Forwarded-* are believed, and how
// the configuration refuses an entry that is no address or CIDR block.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProxyEntry, TrustedProxies } from '../../../src/api/trusted-proxies.ts';
import { ConfigError, loadConfig } from '../../../src/config.ts';

describe('trusted proxies', () => {
  it('reads addresses and CIDR blocks, and nothing else', () => {
    assert.deepEqual(parseProxyEntry('127.0.0.1'), { address: '127.0.0.1', prefix: 32, family: 'ipv4' });
    assert.deepEqual(parseProxyEntry(' 10.0.0.0/8 '), { address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    assert.deepEqual(parseProxyEntry('fd00::/8'), { address: 'fd00::', prefix: 8, family: 'ipv6' });
    for (const bad of ['', 'proxy.local', '10.0.0.0/33', '::1/129', '1.2.3.4/x', '1.2.3.4:80', 'loopback'])
      assert.equal(parseProxyEntry(bad), null, bad);
  });

  it('trusts a listed address or block only, IPv4 peers on a dual-stack socket included', () => {
    const proxies = new TrustedProxies(['127.0.0.1', '10.1.0.0/16', 'fd00::/8']);
    assert.equal(proxies.trusts('127.0.0.1'), true);
    assert.equal(proxies.trusts('::ffff:127.0.0.1'), true);
    assert.equal(proxies.trusts('10.1.200.3'), true);
    assert.equal(proxies.trusts('10.2.0.1'), false);
    assert.equal(proxies.trusts('fd12::5'), true);
    assert.equal(proxies.trusts('127.0.0.2'), false);
    assert.equal(proxies.trusts(undefined), false);
    const none = new TrustedProxies();
    assert.equal(none.trusts('127.0.0.1'), false);
    assert.equal(none.fastifyOption(), false, 'no list: Fastify reads no forwarded header');
    assert.throws(() => new TrustedProxies(['nope']), /"nope" is not an address or CIDR block/);
  });

  it('comes from VISTTER_TRUSTED_PROXIES (default none); a bad entry stops the start naming it', () => {
    const base = { VISTTER_DATA_DIR: '/nonexistent-vistter-data' };
    assert.deepEqual(loadConfig(base).trustedProxies, []);
    assert.deepEqual(
      loadConfig({ ...base, VISTTER_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' }).trustedProxies,
      ['127.0.0.1', '10.0.0.0/8'],
    );
    assert.throws(
      () => loadConfig({ ...base, VISTTER_TRUSTED_PROXIES: '127.0.0.1,proxy.local' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /VISTTER_TRUSTED_PROXIES must be addresses or CIDR blocks .*"proxy\.local" is not one/.test(
          error.message,
        ),
    );
  });
});
