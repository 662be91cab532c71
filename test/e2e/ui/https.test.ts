// The built web UI over HTTPS in chromium, under the security headers: first run, the session
// cookie marked Secure, navigation, and the API reference, with no page error and no content
// security policy violation (chromium reports those as console errors). Chromium trusts exactly
// the appliance's own certificate (its public key's hash), as a browser that accepted it.
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { HostPolicy } from '../../../src/api/host-guard.ts';
import { applianceCertificate } from '../../../src/api/tls.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { completeFirstRun, openPage, saveScreenshot, WEB_ROOT } from '../../helpers/browser.ts';
import { tempDir } from '../../helpers/temp.ts';

const CHROMIUM = process.env['VISTTER_CHROMIUM'] ?? '/usr/bin/chromium';

describe('web UI over HTTPS (chromium)', () => {
  const dir = tempDir('vistter-ui-https-');
  let api: ApiHarness | undefined;
  let browser: Browser | undefined;
  let url = '';
  before(async () => {
    assert.ok(existsSync(`${WEB_ROOT}/index.html`), 'npm run build:web first');
    const tls = await applianceCertificate({
      dataDir: dir.path,
      names: { dns: ['localhost'], ips: ['127.0.0.1'] },
      nowMs: Date.now(),
    });
    api = await createApiHarness({
      webRoot: WEB_ROOT,
      https: { key: tls.key, cert: tls.cert },
      secureCookies: true, // as main.ts sets it with HTTPS on
      hosts: new HostPolicy([], { hostname: () => 'appliance', addresses: () => [] }),
    });
    url = await api.app.listen({ host: '127.0.0.1', port: 0 });
    const publicKey = new X509Certificate(tls.cert).publicKey.export({ type: 'spki', format: 'der' });
    const pin = createHash('sha256').update(publicKey).digest('base64');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', `--ignore-certificate-errors-spki-list=${pin}`],
    });
  });
  after(async () => {
    await browser?.close();
    await api?.close();
    dir.cleanup();
  });

  it('first run, navigation and the API reference work under the content security policy', async () => {
    assert.match(url, /^https:/);
    const { page, context, pageErrors } = await openPage(browser!, url);
    const answer = await page.goto('/');
    assert.match(answer?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    await completeFirstRun(page);
    const session = (await context.cookies()).find((cookie) => cookie.name === 'vistter_session');
    assert.equal(session?.secure, true, 'the session cookie is Secure');
    assert.equal(session?.httpOnly, true);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Cameras' }).click();
    await page.waitForURL('**/cameras');
    await saveScreenshot(page, 'https-01-cameras');

    await page.goto('/api/docs');
    await page.getByText('VistterStream appliance API').first().waitFor();
    await saveScreenshot(page, 'https-02-api-docs');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
