// The Settings page in a real browser: API tokens (shown once, copied, working as Bearer, revoked
// after confirmation → refused), the alert webhook (field error and a message in words, stored
// whole, shown masked, cleared), the time-zone picker (search, offset and local time, saved and
// preselected), and changing the password (errors next to their field, then signing in with the
// new one).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { a11yViolations } from '../../helpers/a11y.ts';
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
    await card
      .getByText(/must be a webhook URL/)
      .first()
      .waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    // The message above the buttons names the setting in words, never its key.
    const message = await card.getByRole('alert').innerText();
    assert.match(message, /^The alert webhook address is not valid: must be a webhook URL/);
    assert.doesNotMatch(await card.innerText(), /alerts\.webhook|WEBHOOK_URL_INVALID|value\.url/);
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

    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('picks the time zone from a searchable list with offsets and local times; saved and preselected', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/settings');
    const appliance = page.getByRole('region', { name: 'Appliance' });
    const zone = appliance.getByLabel('Time zone', { exact: true });
    await zone.waitFor();
    assert.equal(await zone.inputValue(), '', 'no zone saved yet: the system zone');
    assert.match(await appliance.getByTestId('zone-chosen').innerText(), /the appliance’s system zone/);

    await appliance.getByLabel('Appliance name').fill('Marina control room');
    await appliance.getByLabel('Find a time zone').fill('berlin');
    // The search narrows the list to Berlin (and the system-zone choice), each with offset and time.
    const options = await zone.locator('option').allInnerTexts();
    assert.equal(options.length, 2, options.join(' | '));
    assert.match(options[1]!, /^Europe\/Berlin — UTC\+0[12]:00, now \d\d:\d\d$/);
    await zone.selectOption('Europe/Berlin');
    await saveScreenshot(page, 'settings-10-timezone-search');
    await appliance.getByRole('button', { name: 'Save' }).click();
    await appliance.getByText('Saved: the appliance name and the time zone.').waitFor();
    assert.equal(ui.served.api.store.settings.all()['appliance.name'], 'Marina control room');
    assert.equal(ui.served.api.store.settings.all()['appliance.timezone'], 'Europe/Berlin');

    // A fresh page has it selected and says the zone's time now.
    await page.reload();
    await zone.waitFor();
    assert.equal(await zone.inputValue(), 'Europe/Berlin');
    const berlinNow = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const chosen = await appliance.getByTestId('zone-chosen').innerText();
    const shownTime = /^Chosen: Europe\/Berlin — UTC\+0[12]:00, now (\d\d:\d\d)\./.exec(chosen)?.[1];
    assert.ok(shownTime, chosen);
    // The minute may turn between the page and this check.
    const minuteAgo = berlinNow.format(new Date(Date.now() - 60_000));
    assert.ok([berlinNow.format(new Date()), minuteAgo].includes(shownTime), `${shownTime} in ${chosen}`);
    assert.deepEqual(await a11yViolations(page), []);
    await saveScreenshot(page, 'settings-11-timezone-saved');

    // Another zone by its offset, then back to the system zone.
    await appliance.getByLabel('Find a time zone').fill('+05:30');
    // India's zone, under the name the browser's list uses (Asia/Kolkata or Asia/Calcutta).
    const india = zone.locator('option', { hasText: /^Asia\/(Kolkata|Calcutta) — UTC\+05:30/ });
    const indiaZone = (await india.getAttribute('value'))!;
    await zone.selectOption(indiaZone);
    await appliance.getByRole('button', { name: 'Save' }).click();
    await appliance.getByText('Saved: the time zone.').waitFor();
    assert.match(
      String(ui.served.api.store.settings.all()['appliance.timezone']),
      /^Asia\/(Kolkata|Calcutta)$/,
    );
    await zone.selectOption('');
    await appliance.getByRole('button', { name: 'Save' }).click();
    await appliance.getByText('Saved: the time zone.').waitFor();
    assert.equal(ui.served.api.store.settings.all()['appliance.timezone'], null);
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
    // Settings has its own "User name" fields (users, the website push): wait for the sign-in form.
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
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
