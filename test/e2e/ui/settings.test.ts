// The Settings page in a real browser: API tokens (shown once, copied, working as Bearer, revoked
// after confirmation → refused), the alert webhook (field error, stored whole, shown masked,
// cleared), and changing the password (errors next to their field, then signing in with the new one).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADMIN } from '../../helpers/api.ts';
import { openPage, saveScreenshot, signInAs, useBrowserUi } from '../../helpers/browser.ts';

const NEW_PASSWORD = 'harbour lights 2027';
const WEBHOOK = 'https://hooks.example.com/services/T000/B000/sEcReT-path-123';

describe('Settings page (chromium)', () => {
  const ui = useBrowserUi({ firstRun: 'browser' });
  const withToken = (token: string) =>
    fetch(`${ui.served.url}/api/cameras`, { headers: { authorization: `Bearer ${token}` } });

  it('creates an API token shown once (copy button), which works as Bearer until it is revoked', async () => {
    const { page, context, pageErrors } = await openPage(ui.browser, ui.served.url);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.served.url });
    await signInAs(page);
    await page.goto('/settings');
    const card = page.getByRole('region', { name: 'API tokens' });
    await card.getByText('No API tokens yet.').waitFor();
    await card.getByLabel('Token name').fill('Prometheus');
    await card.getByRole('button', { name: 'Create token' }).click();

    const once = page.getByRole('region', { name: 'New API token' });
    await once.waitFor();
    assert.match(await once.innerText(), /shown only this once/);
    const token = await once.getByLabel('The new token').inputValue();
    assert.match(token, /^vst_[A-Za-z0-9_-]{20,}$/);
    await once.getByRole('button', { name: 'Copy' }).click();
    await once.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), token);
    await saveScreenshot(page, 'settings-01-token-once');

    // The token signs a script in; without it the same request is refused.
    assert.equal((await withToken(token)).status, 200);
    assert.equal((await fetch(`${ui.served.url}/api/cameras`)).status, 401);

    // Once dismissed (or after a reload) it is gone from the page for good; the list keeps its name.
    await once.getByRole('button', { name: 'I have copied it' }).click();
    assert.ok(!(await page.content()).includes(token));
    await page.reload();
    const row = card.getByRole('row').filter({ hasText: 'Prometheus' });
    await row.waitFor();
    assert.ok(!(await page.content()).includes(token));
    assert.notEqual(await row.getByRole('cell').nth(2).innerText(), 'Never', 'the script’s use is recorded');

    await card.getByRole('button', { name: 'Revoke Prometheus' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke the token “Prometheus”?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await withToken(token)).status, 200, 'cancel keeps the token');
    await card.getByRole('button', { name: 'Revoke Prometheus' }).click();
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await card.getByText('Token “Prometheus” revoked').waitFor();
    assert.equal((await withToken(token)).status, 401);
    assert.equal(ui.served.api.store.apiTokens.list().length, 0);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('saves the alert webhook whole, shows it masked, refuses a bad address next to the field, clears it', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/settings');
    const card = page.getByRole('region', { name: 'Alert webhook' });
    await card.getByText('Not set').waitFor();

    await card.getByLabel('Webhook address').fill('ftp://hooks.example.com/x');
    await card.getByRole('button', { name: 'Save webhook' }).click();
    const field = card.getByLabel('Webhook address');
    await card.getByText(/must be a webhook URL/).waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(ui.served.api.store.settings.all()['alerts.webhook'], undefined);
    await saveScreenshot(page, 'settings-02-webhook-error');

    await field.fill(WEBHOOK);
    await card.getByRole('button', { name: 'Save webhook' }).click();
    await card.getByText('Webhook saved').waitFor();
    assert.deepEqual(ui.served.api.store.settings.all()['alerts.webhook'], { url: WEBHOOK, enabled: true });
    assert.equal(await card.getByTestId('webhook-masked').innerText(), 'https://hooks.example.com/…');
    assert.ok(!(await page.content()).includes('sEcReT'));
    await saveScreenshot(page, 'settings-03-webhook-set');

    await card.getByRole('button', { name: 'Clear webhook' }).click();
    await page
      .getByRole('dialog', { name: 'Clear the alert webhook?' })
      .getByRole('button', { name: 'Clear webhook' })
      .click();
    await card.getByText('Webhook removed').waitFor();
    await card.getByText('Not set').waitFor();
    assert.equal(ui.served.api.store.settings.all()['alerts.webhook'] ?? null, null);

    // The appliance's name and time zone: an unknown zone is refused next to its field.
    const appliance = page.getByRole('region', { name: 'Appliance' });
    await appliance.getByLabel('Appliance name').fill('Marina control room');
    await appliance.getByLabel('Time zone').fill('Mars/Olympus');
    await appliance.getByRole('button', { name: 'Save' }).click();
    await appliance.getByText('must be a time zone name like Europe/London').waitFor();
    assert.equal(await appliance.getByLabel('Time zone').getAttribute('aria-invalid'), 'true');
    await appliance.getByLabel('Time zone').fill('Europe/Berlin');
    await appliance.getByRole('button', { name: 'Save' }).click();
    await appliance.getByText('Saved.').waitFor();
    assert.equal(ui.served.api.store.settings.all()['appliance.name'], 'Marina control room');
    assert.equal(ui.served.api.store.settings.all()['appliance.timezone'], 'Europe/Berlin');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('changes the password (errors next to their field first), then signs in with the new one only', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/settings');
    const card = page.getByRole('region', { name: 'Your password' });

    await card.getByLabel('Current password').fill('not my password');
    await card.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await card.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    await card.getByRole('button', { name: 'Change password' }).click();
    await card.getByText('is wrong', { exact: true }).waitFor();
    assert.equal(await card.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
    assert.match(await card.getByRole('alert').innerText(), /current password is wrong/);

    await card.getByLabel('Current password').fill(ADMIN.password);
    await card.getByLabel('Repeat the new password').fill('something else entirely');
    await card.getByRole('button', { name: 'Change password' }).click();
    await card.getByText('differs from the new password').waitFor();

    await card.getByLabel('New password', { exact: true }).fill('short');
    await card.getByLabel('Repeat the new password').fill('short');
    await card.getByRole('button', { name: 'Change password' }).click();
    await card.getByRole('alert').filter({ hasText: 'must be at least 10 characters' }).waitFor();
    const newField = card.getByLabel('New password', { exact: true });
    assert.equal(await newField.getAttribute('aria-invalid'), 'true');
    assert.equal(
      await page.locator(`[id="${await newField.getAttribute('aria-describedby')}"]`).innerText(),
      'must be at least 10 characters',
    );
    await saveScreenshot(page, 'settings-04-password-error');

    await card.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await card.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    await card.getByRole('button', { name: 'Change password' }).click();
    await card.getByText('Password changed.').waitFor();
    assert.equal(await card.getByLabel('Current password').inputValue(), '');

    // The new session works for changes (its new CSRF token is in use): create and revoke a token.
    await page.getByRole('region', { name: 'API tokens' }).getByLabel('Token name').fill('after change');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('region', { name: 'New API token' }).waitFor();
    await saveScreenshot(page, 'settings-05-page');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /password/ })
      .waitFor();
    await signInAs(page, ADMIN.username, NEW_PASSWORD);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
