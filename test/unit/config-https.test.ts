// The HTTPS and host settings: HTTPS on 8443 with 8080 redirecting by default, plain HTTP for a
// TLS proxy, an operator's certificate, more names; bad values refused naming the key.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { tempDir } from '../helpers/temp.ts';

describe('configuration: HTTPS and hosts', () => {
  const dir = tempDir('vistter-config-https-');
  after(() => dir.cleanup());
  const base = { VISTTER_DATA_DIR: join(dir.path, 'data') };
  const refused = (env: NodeJS.ProcessEnv, pattern: RegExp) =>
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => error instanceof ConfigError && pattern.test(error.message),
    );

  it('defaults: HTTPS on 8443 with the appliance’s own certificate, 8080 redirects, no extra names', () => {
    const config = loadConfig(base);
    assert.equal(config.tls, true);
    assert.equal(config.httpsPort, 8443);
    assert.equal(config.port, 8080);
    assert.equal(config.tlsFiles, null);
    assert.deepEqual(config.allowedHosts, []);
  });

  it('reads them from the environment and from the config file (a list there)', () => {
    const fromEnv = loadConfig({
      ...base,
      VISTTER_TLS: '0',
      VISTTER_HTTPS_PORT: '9443',
      VISTTER_ALLOWED_HOSTS: 'stream.venue.org, 203.0.113.7',
      VISTTER_TLS_CERT: 'certs/venue.crt',
      VISTTER_TLS_KEY: '/etc/vistterstream/venue.key',
    });
    assert.equal(fromEnv.tls, false);
    assert.equal(fromEnv.httpsPort, 9443);
    assert.deepEqual(fromEnv.allowedHosts, ['stream.venue.org', '203.0.113.7']);
    assert.deepEqual(fromEnv.tlsFiles, {
      cert: join(process.cwd(), 'certs/venue.crt'),
      key: '/etc/vistterstream/venue.key',
    });

    const path = join(dir.path, 'config.json');
    writeFileSync(
      path,
      JSON.stringify({ tls: false, httpsPort: 0, allowedHosts: ['stream.venue.org', 'proxy.venue.org'] }),
    );
    const fromFile = loadConfig({ ...base, VISTTER_CONFIG: path });
    assert.equal(fromFile.tls, false);
    assert.equal(fromFile.httpsPort, 0);
    assert.deepEqual(fromFile.allowedHosts, ['stream.venue.org', 'proxy.venue.org']);
  });

  it('refuses bad values, naming the key', () => {
    refused({ ...base, VISTTER_TLS: 'yes' }, /VISTTER_TLS must be 1 \(on\) or 0 \(off\)/);
    refused({ ...base, VISTTER_HTTPS_PORT: 'https' }, /VISTTER_HTTPS_PORT must be a port number/);
    refused({ ...base, VISTTER_HTTPS_PORT: '8080' }, /VISTTER_HTTPS_PORT must differ from VISTTER_PORT/);
    refused({ ...base, VISTTER_TLS_CERT: '/x.crt' }, /VISTTER_TLS_CERT and VISTTER_TLS_KEY .* go together/);
    refused(
      { ...base, VISTTER_ALLOWED_HOSTS: 'stream.venue.org,https://proxy.venue.org/' },
      /VISTTER_ALLOWED_HOSTS must be host names .*"https:\/\/proxy\.venue\.org\/" is not one/,
    );
    // Plain HTTP only: one port, nothing to differ from.
    assert.equal(loadConfig({ ...base, VISTTER_TLS: '0', VISTTER_HTTPS_PORT: '8080' }).port, 8080);
  });
});
