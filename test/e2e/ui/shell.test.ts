// The shell in a real browser: first run, sign-out and sign-in, navigation by keyboard, deep
// links that survive a reload, and the page the appliance answers when the UI path is unknown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADMIN } from '../../helpers/api.ts';
import { completeFirstRun, openPage, saveScreenshot, signInAs, useBrowserUi } from '../../helpers/browser.ts';

describe('web UI shell (chromium)', () => {
  // The first test goes through first run.
  const ui = useBrowserUi({ firstRun: 'none' });

  it('first run sets the admin password, then sign-out and sign-in work, and a wrong password says what to do', async () => {
    const { page, context, pageErrors } = await openPage(ui.browser, ui.served.url);
    await page.goto('/');
    await page.getByRole('heading', { name: 'Welcome — set up this appliance' }).waitFor();
    await saveScreenshot(page, '01-first-run');
    // A too-short password is refused next to its field, and no account is created.
    await page.getByLabel('New password').fill('short');
    await page.getByLabel('Repeat the password').fill('short');
    await page.getByRole('button', { name: 'Create account and continue' }).click();
    await page.getByText('must be at least 10 characters').first().waitFor();
    assert.equal(ui.served.api.store.users.count(), 0);

    await completeFirstRun(page);
    assert.equal(ui.served.api.store.users.count(), 1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /password/i);
    await saveScreenshot(page, '02-sign-in-refused');

    await signInAs(page);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('navigates by keyboard, keeps the page on reload, and names unknown pages', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    const nav = page.getByRole('navigation', { name: 'Main' });
    const cameras = nav.getByRole('link', { name: 'Cameras' });
    await cameras.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL('**/cameras');
    assert.equal(await cameras.getAttribute('aria-current'), 'page');
    await page.reload();
    assert.equal(await nav.getByRole('link', { name: 'Cameras' }).getAttribute('aria-current'), 'page');

    await page.goto('/no-such-page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('keeps API paths out of the page fallback', async () => {
    const unknownApi = await fetch(`${ui.served.url}/api/nothing-here`);
    assert.equal(unknownApi.status, 404);
    assert.equal(((await unknownApi.json()) as { code: string }).code, 'NOT_FOUND');
    const page = await fetch(`${ui.served.url}/timelines/7`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/);
    const missingAsset = await fetch(`${ui.served.url}/assets/nothing.js`);
    assert.equal(missingAsset.status, 404);
  });
});
