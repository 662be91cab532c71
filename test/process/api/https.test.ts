// HTTPS with real openssl and a real TLS client: the appliance makes its own certificate (key
// 0600) naming its names and addresses, keeps it across starts, makes it again for a new address,
// and the API answers over TLS to a client that trusts exactly that certificate.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Server as TlsServer } from 'node:tls';
import { HostPolicy } from '../../../src/api/host-guard.ts';
import {
  applianceCertificate,
  certificatePaths,
  operatorCertificate,
  TlsError,
  type TlsMaterial,
} from '../../../src/api/tls.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { httpsRequest } from '../../helpers/https-client.ts';
import { tempDir } from '../../helpers/temp.ts';

const NAMES = { dns: ['localhost', 'testbox', 'testbox.local'], ips: ['127.0.0.1', '::1'] };

describe('HTTPS: the appliance’s own certificate (real openssl)', () => {
  const dir = tempDir('vistter-tls-');
  after(() => dir.cleanup());
  let first: TlsMaterial;

  it('at the first start makes one naming every name and address, its key readable by the appliance only', async () => {
    first = await applianceCertificate({ dataDir: dir.path, names: NAMES, nowMs: Date.now() });
    assert.equal(first.origin, 'made');
    assert.equal(first.reason, 'there was none yet');
    const paths = certificatePaths(dir.path);
    assert.equal(first.certPath, paths.cert);
    assert.equal(statSync(paths.key).mode & 0o777, 0o600);
    assert.equal(statSync(paths.dir).mode & 0o777, 0o700);
    const certificate = new X509Certificate(readFileSync(paths.cert));
    for (const name of NAMES.dns) assert.equal(certificate.checkHost(name), name, name);
    assert.equal(certificate.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(certificate.checkIP('::1'), '::1');
    assert.equal(certificate.checkHost('evil.example'), undefined);
    assert.equal(certificate.fingerprint256, first.fingerprint256);
    const days = (Date.parse(certificate.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 824 && days <= 825, `valid for ${days} days`);
    assert.deepEqual(first.names, NAMES);
  });

  it('keeps it at the next start; a new address makes a new one, saying why', async () => {
    const again = await applianceCertificate({ dataDir: dir.path, names: NAMES, nowMs: Date.now() });
    assert.equal(again.origin, 'kept');
    assert.equal(again.fingerprint256, first.fingerprint256);
    const moved = { ...NAMES, ips: [...NAMES.ips, '192.0.2.44'] };
    const remade = await applianceCertificate({ dataDir: dir.path, names: moved, nowMs: Date.now() });
    assert.equal(remade.origin, 'made');
    assert.equal(remade.reason, 'the old one did not name 192.0.2.44');
    assert.notEqual(remade.fingerprint256, first.fingerprint256);
    assert.equal(new X509Certificate(remade.cert).checkIP('192.0.2.44'), '192.0.2.44');
    assert.equal(statSync(certificatePaths(dir.path).key).mode & 0o777, 0o600);
    first = remade;
  });

  it('an operator’s certificate is used as it is, and a key of another certificate is refused', async () => {
    const paths = certificatePaths(dir.path);
    const theirs = operatorCertificate(paths.cert, paths.key);
    assert.equal(theirs.origin, 'operator');
    assert.equal(theirs.fingerprint256, first.fingerprint256);
    const other = tempDir('vistter-tls-other-');
    try {
      await applianceCertificate({ dataDir: other.path, names: NAMES, nowMs: Date.now() });
      assert.throws(
        () => operatorCertificate(paths.cert, certificatePaths(other.path).key),
        (error: unknown) =>
          error instanceof TlsError && /is not the key of the certificate/.test(error.message),
      );
      assert.throws(
        () => operatorCertificate(`${paths.cert}.missing`, paths.key),
        (error: unknown) => error instanceof TlsError && /cannot be read/.test(error.message),
      );
    } finally {
      other.cleanup();
    }
  });

  describe('the API over TLS', () => {
    let api: ApiHarness;
    let url: string;
    before(async () => {
      api = await createApiHarness({
        https: { key: first.key, cert: first.cert },
        hosts: new HostPolicy([], { hostname: () => 'testbox', addresses: () => [] }),
      });
      url = await api.app.listen({ host: '127.0.0.1', port: 0 });
    });
    after(() => api.close());

    it('answers a client that trusts exactly this certificate; a client that does not is stopped', async () => {
      assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const health = await httpsRequest(`${url}/api/health`, { ca: first.cert });
      assert.equal(health.status, 200);
      assert.deepEqual(JSON.parse(health.body), { status: 'healthy' });
      assert.equal(health.headers['x-content-type-options'], 'nosniff');
      await assert.rejects(httpsRequest(`${url}/api/health`), /self-signed certificate/);
      const foreign = await httpsRequest(`${url}/api/auth/status`, {
        ca: first.cert,
        headers: { host: 'evil.example' },
      });
      assert.equal(foreign.status, 421);
    });

    it('serves a certificate made while running without a restart (as the daily look does)', async () => {
      const other = tempDir('vistter-tls-next-');
      try {
        const next = await applianceCertificate({ dataDir: other.path, names: NAMES, nowMs: Date.now() });
        (api.app.server as unknown as TlsServer).setSecureContext({ key: next.key, cert: next.cert });
        assert.equal((await httpsRequest(`${url}/api/health`, { ca: next.cert })).status, 200);
        await assert.rejects(
          httpsRequest(`${url}/api/health`, { ca: first.cert }),
          /self-signed certificate/,
        );
      } finally {
        other.cleanup();
      }
    });
  });
});
