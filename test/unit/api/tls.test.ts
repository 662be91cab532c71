// HTTPS's pure parts: the openssl argv (golden), when the appliance's own certificate is made
// again, and what the plain HTTP port answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostPolicy } from '../../../src/api/host-guard.ts';
import {
  certificateSubject,
  certificateVerdict,
  httpsRedirect,
  RENEW_BEFORE_DAYS,
  renewDaily,
  selfSignedCertificateArgs,
  type TlsMaterial,
} from '../../../src/api/tls.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const names = {
  dns: ['localhost', 'pi5-marina', 'pi5-marina.local'],
  ips: ['127.0.0.1', '::1', '192.168.1.20'],
};
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-06T09:00:00Z');

describe('HTTPS: the appliance’s own certificate', () => {
  it('openssl signs the key for every name and address, for 825 days (golden argv)', () => {
    assert.deepEqual(
      selfSignedCertificateArgs({ keyPath: '/d/tls/k.new', certPath: '/d/tls/c.new', names, days: 825 }),
      [
        'req',
        '-x509',
        '-new',
        '-key',
        '/d/tls/k.new',
        '-out',
        '/d/tls/c.new',
        '-days',
        '825',
        '-sha256',
        '-subj',
        '/O=VistterStream/CN=pi5-marina',
        '-addext',
        'subjectAltName=DNS:localhost,DNS:pi5-marina,DNS:pi5-marina.local,IP:127.0.0.1,IP:::1,IP:192.168.1.20',
        '-addext',
        'extendedKeyUsage=serverAuth',
      ],
    );
    assert.equal(
      certificateSubject({ dns: ['localhost'], ips: ['127.0.0.1'] }),
      '/O=VistterStream/CN=appliance',
    );
    assert.equal(
      certificateSubject({ dns: ['localhost', 'odd_name'], ips: [] }),
      '/O=VistterStream/CN=odd-name',
      'only characters -subj takes as they are',
    );
  });

  it('is kept while it names everything and is not about to expire; made again otherwise, saying why', () => {
    const fits = { names, validToMs: NOW + 400 * DAY };
    assert.deepEqual(certificateVerdict(fits, names, NOW), { make: false });
    assert.deepEqual(
      certificateVerdict(fits, { dns: names.dns.slice(0, 2), ips: names.ips.slice(0, 2) }, NOW),
      { make: false },
      'an address gone away does not matter',
    );
    assert.deepEqual(certificateVerdict(null, names, NOW), { make: true, reason: 'there was none yet' });
    assert.deepEqual(certificateVerdict(fits, { ...names, ips: [...names.ips, '10.0.0.7'] }, NOW), {
      make: true,
      reason: 'the old one did not name 10.0.0.7',
    });
    const expiring = { names, validToMs: NOW + (RENEW_BEFORE_DAYS - 1) * DAY };
    assert.deepEqual(certificateVerdict(expiring, names, NOW), {
      make: true,
      reason: `the old one expires on ${new Date(expiring.validToMs).toISOString()}`,
    });
  });
});

describe('HTTPS: the certificate looked at daily while running', () => {
  const material = (origin: TlsMaterial['origin'], fingerprint256: string): TlsMaterial => ({
    key: Buffer.from('key'),
    cert: Buffer.from('cert'),
    certPath: '/d/tls/appliance.crt',
    fingerprint256,
    names,
    validTo: new Date(NOW + 800 * DAY),
    origin,
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('serves a new one only when one was made; a failed look is reported and tried the next day', async () => {
    const clock = new FakeClock(NOW);
    const answers: Array<TlsMaterial | Error> = [
      material('kept', 'AA'),
      new Error('openssl could not make the certificate'),
      material('made', 'BB'),
    ];
    const renewed: string[] = [];
    const failures: string[] = [];
    let checks = 0;
    const renewal = renewDaily({
      clock,
      check: async () => {
        checks++;
        const answer = answers.shift()!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      renewed: (m) => renewed.push(m.fingerprint256),
      failed: (error) => failures.push(String(error)),
    });
    clock.advance(DAY - 1);
    await settle();
    assert.equal(checks, 0, 'not before a day');
    clock.advance(1);
    await settle();
    assert.deepEqual([checks, renewed], [1, []], 'kept: nothing to serve');
    clock.advance(DAY);
    await settle();
    assert.deepEqual(failures, ['Error: openssl could not make the certificate']);
    clock.advance(DAY);
    await settle();
    assert.deepEqual(renewed, ['BB']);
    renewal.stop();
    clock.advance(3 * DAY);
    await settle();
    assert.equal(checks, 3, 'stopped');
    assert.equal(clock.pendingTimers(), 0);
  });
});

describe('HTTPS: the plain HTTP port redirects', () => {
  const policy = new HostPolicy(['stream.venue.test'], {
    hostname: () => 'pi',
    addresses: () => ['10.0.0.5'],
  });

  it('308 to the same host and path on the HTTPS port', () => {
    assert.deepEqual(httpsRedirect('pi.local:8080', '/timelines/7?tab=cues', 8443, policy), {
      status: 308,
      location: 'https://pi.local:8443/timelines/7?tab=cues',
    });
    assert.deepEqual(httpsRedirect('[::1]:8080', '/', 8443, policy), {
      status: 308,
      location: 'https://[::1]:8443/',
    });
    assert.deepEqual(httpsRedirect('stream.venue.test', '/api/health', 443, policy), {
      status: 308,
      location: 'https://stream.venue.test/api/health',
    });
    // An absolute-form request target cannot choose where the browser goes.
    assert.deepEqual(httpsRedirect('10.0.0.5:8080', 'http://evil.example/x', 8443, policy), {
      status: 308,
      location: 'https://10.0.0.5:8443/x',
    });
  });

  it('a foreign name is refused there too, with what to do', () => {
    const answer = httpsRedirect('evil.example', '/', 8443, policy);
    assert.equal(answer.status, 421);
    assert.ok('text' in answer);
    assert.match(answer.text, /^This appliance does not answer to the name "evil\.example"\. .*allowedHosts/);
    assert.equal(httpsRedirect('bad host', '/', 8443, policy).status, 421, 'no host name');
    assert.equal(httpsRedirect(undefined, '/', 8443, policy).status, 400, 'no Host: nowhere to redirect to');
  });
});
