// HTTPS as a user gets it: the appliance (src/main.ts) started with the default configuration
// serves the UI and API over TLS with a certificate it made itself, prints where it is and its
// fingerprint, redirects plain HTTP, refuses a foreign Host (DNS rebinding) on setup while its
// configured name passes, and keeps the same certificate at the next start.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CONTENT_SECURITY_POLICY } from '../../../src/api/security-headers.ts';
import { applianceEnv, startAppliance, type Appliance } from '../../helpers/appliance.ts';
import { httpsRequest } from '../../helpers/https-client.ts';
import { tempDir } from '../../helpers/temp.ts';

const CONFIGURED_NAME = 'stream.venue.test';

/** The default configuration: only what a test machine needs (loopback, free ports). */
function defaultEnv(dataDir: string): NodeJS.ProcessEnv {
  const env = applianceEnv(dataDir, { VISTTER_HTTPS_PORT: '0', VISTTER_ALLOWED_HOSTS: CONFIGURED_NAME });
  delete env['VISTTER_TLS']; // HTTPS is the default
  return env;
}

/** A plain HTTP GET to 127.0.0.1 (redirects are not followed), naming `host`. */
function plainGet(port: string, path: string, host = `127.0.0.1:${port}`) {
  return new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
    get({ host: '127.0.0.1', port: Number(port), path, headers: { host } }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, location: response.headers.location });
    }).on('error', reject);
  });
}

describe('HTTPS by default (the real appliance)', () => {
  const dir = tempDir('vistter-e2e-https-');
  const dataDir = join(dir.path, 'data');
  let appliance: Appliance | undefined;
  after(async () => {
    await appliance?.stop();
    dir.cleanup();
  });

  it('serves TLS with its own certificate, says how to check it, and redirects plain HTTP', async () => {
    appliance = await startAppliance(defaultEnv(dataDir));
    const url = appliance.url;
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const output = appliance.output();
    const certPath = join(dataDir, 'tls', 'appliance.crt');
    const cert = readFileSync(certPath);
    const fingerprint = new X509Certificate(cert).fingerprint256;
    assert.ok(
      output.includes(`HTTPS certificate: ${certPath}, made by this appliance now`),
      output.slice(-3000),
    );
    assert.ok(output.includes(`SHA-256 fingerprint ${fingerprint}`), 'the printed fingerprint is the file’s');
    assert.equal(statSync(join(dataDir, 'tls', 'appliance.key')).mode & 0o777, 0o600);

    // A client that trusts exactly this certificate gets the public health: the status only.
    const health = await httpsRequest(`${url}/api/health`, { ca: cert });
    assert.ok([200, 503].includes(health.status));
    assert.deepEqual(Object.keys(JSON.parse(health.body)), ['status']);
    await assert.rejects(
      httpsRequest(`${url}/api/health`),
      /self-signed certificate/,
      'not trusted by default',
    );
    const page = await httpsRequest(`${url}/`, { ca: cert });
    assert.equal(page.headers['content-security-policy'], CONTENT_SECURITY_POLICY);

    const httpPort = /Plain HTTP on port (\d+) redirects here/.exec(output)?.[1];
    assert.ok(httpPort, output.slice(-3000));
    const redirected = await plainGet(httpPort, '/timelines/7?tab=cues');
    assert.equal(redirected.status, 308);
    assert.equal(redirected.location, `${url}/timelines/7?tab=cues`);
    const byName = await plainGet(httpPort, '/', `localhost:${httpPort}`);
    assert.equal(byName.location, `https://localhost:${new URL(url).port}/`);
    assert.equal(
      (await plainGet(httpPort, '/', 'evil.example')).status,
      421,
      'a foreign name is not redirected',
    );
  });

  it('refuses first-run setup from a foreign name with a matching Origin; its configured name sets up', async () => {
    const url = appliance!.url;
    const cert = readFileSync(join(dataDir, 'tls', 'appliance.crt'));
    const port = new URL(url).port;
    const rebound = await httpsRequest(`${url}/api/auth/setup`, {
      method: 'POST',
      ca: cert,
      headers: { host: `evil.example:${port}`, origin: `https://evil.example:${port}` },
      body: { username: 'admin', password: 'correct horse battery' },
    });
    assert.equal(rebound.status, 421);
    assert.match(JSON.parse(rebound.body).remediation, /allowedHosts/);
    const status = await httpsRequest(`${url}/api/auth/status`, { ca: cert });
    assert.equal(JSON.parse(status.body).setupRequired, true, 'no admin was created');

    const own = await httpsRequest(`${url}/api/auth/setup`, {
      method: 'POST',
      ca: cert,
      headers: { host: `${CONFIGURED_NAME}:${port}`, origin: `https://${CONFIGURED_NAME}:${port}` },
      body: { username: 'admin', password: 'correct horse battery' },
    });
    assert.equal(own.status, 201, own.body);
    const cookie = String(own.headers['set-cookie']);
    assert.match(cookie, /; Secure/, 'the session cookie never travels in clear');
    assert.match(cookie, /; HttpOnly/);
    const detail = await httpsRequest(`${url}/api/health`, {
      ca: cert,
      headers: { cookie: cookie.split(';')[0] ?? '' },
    });
    assert.ok(Array.isArray(JSON.parse(detail.body).warnings), 'signed in: the detail');
  });

  it('keeps its certificate at the next start', async () => {
    const before = new X509Certificate(readFileSync(join(dataDir, 'tls', 'appliance.crt'))).fingerprint256;
    await appliance!.stop();
    appliance = await startAppliance(defaultEnv(dataDir));
    assert.ok(
      appliance.output().includes(`made by this appliance, valid until`),
      appliance.output().slice(-3000),
    );
    assert.ok(appliance.output().includes(`SHA-256 fingerprint ${before}`));
    const cert = readFileSync(join(dataDir, 'tls', 'appliance.crt'));
    const health = await httpsRequest(`${appliance.url}/api/health`, { ca: cert });
    assert.ok([200, 503].includes(health.status));
  });
});
