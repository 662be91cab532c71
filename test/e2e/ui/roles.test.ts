// Roles in a real browser: an admin makes API tokens with a scope (a Prometheus token that only
// reads, a deploy token with admin rights) and sees each one's scope; adds an operator and changes
// their role; the operator's Settings page shows their role and no token or user management.
// Each step is checked where a user would see it: the page, the appliance's answers, the database.
// Then a viewer and an operator walk the pages: each sees only the controls their role may use.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { a11yViolations } from '../../helpers/a11y.ts';
import { openPage, saveScreenshot, signInAs, useBrowserUi } from '../../helpers/browser.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

const OPERATOR = { username: 'deckhand', password: 'four lanterns on the pier' } as const;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Level-A problems on the page. axe is loaded through the DevTools protocol first: the page's
 *  Content-Security-Policy (script-src 'self') refuses the script tag the helper would add. */
async function accessibilityProblems(page: Page) {
  await page.evaluate(AXE_SOURCE);
  return a11yViolations(page);
}

describe('Roles and token scopes in Settings (chromium)', () => {
  const ui = useBrowserUi();
  const asToken = (token: string, method: string, path: string, body?: object) =>
    fetch(`${ui.served.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it('an admin makes a read-only token and an admin token, and sees each one’s scope', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/settings');
    await page.getByRole('region', { name: 'Your access' }).getByText('Admin', { exact: true }).waitFor();
    const card = page.getByRole('region', { name: 'API tokens' });
    await card.getByText('No API tokens yet.').waitFor();

    // The scope starts at the least access.
    const scope = card.getByLabel('Scope');
    assert.equal(await scope.inputValue(), 'viewer');
    await card.getByText('telemetry and /metrics, reads only').waitFor();
    await card.getByLabel('Token name').fill('Prometheus');
    await card.getByRole('button', { name: 'Create token' }).click();
    const once = page.getByRole('region', { name: 'New API token' });
    await once.getByText(/^Scope: Viewer/).waitFor();
    const readOnly = await once.getByLabel('The new token').inputValue();
    await once.getByRole('button', { name: 'I have copied it' }).click();

    await card.getByLabel('Token name').fill('Deploy script');
    await scope.selectOption({ label: 'Admin' });
    await card.getByText('everything: cameras, destinations, settings, users and API tokens').waitFor();
    await card.getByRole('button', { name: 'Create token' }).click();
    await once.getByText(/^Scope: Admin/).waitFor();
    const full = await once.getByLabel('The new token').inputValue();
    await once.getByRole('button', { name: 'I have copied it' }).click();
    assert.equal(await scope.inputValue(), 'viewer', 'the next token starts at the least access again');

    const scopeOf = async (name: string) =>
      (await card.getByRole('row').filter({ hasText: name }).getByRole('cell').nth(3).innerText()).trim();
    assert.equal(await scopeOf('Prometheus'), 'Viewer');
    assert.equal(await scopeOf('Deploy script'), 'Admin');
    assert.deepEqual(
      ui.served.api.store.apiTokens.list().map((token) => [token.name, token.role]),
      [
        ['Prometheus', 'viewer'],
        ['Deploy script', 'admin'],
      ],
    );
    await saveScreenshot(page, 'roles-01-token-scopes');

    // What each token may do, at the appliance.
    assert.equal((await asToken(readOnly, 'GET', '/api/cameras')).status, 200);
    const refused = await asToken(readOnly, 'POST', '/api/auth/tokens', { name: 'escalate', role: 'admin' });
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { message: string }).message, /^this needs the admin role/);
    const rename = { value: 'Pier 4' };
    assert.equal((await asToken(readOnly, 'PUT', '/api/settings/appliance.name', rename)).status, 403);
    assert.equal((await asToken(full, 'PUT', '/api/settings/appliance.name', rename)).status, 200);
    assert.equal(ui.served.api.store.settings.all()['appliance.name'], 'Pier 4');

    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('an admin adds an operator and changes their role; the operator sees their role and no admin cards', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/settings');
    const users = page.getByRole('region', { name: 'Users' });
    await users.getByText('Only you can sign in so far.').waitFor();
    assert.equal(await users.getByRole('table').count(), 0);

    await users.getByLabel('New user’s name').fill(OPERATOR.username);
    await users.getByLabel('Their password').fill('xxxxxxxxxxxx');
    await users.getByLabel('Their role').selectOption({ label: 'Operator' });
    await users.getByRole('button', { name: 'Add user' }).click();
    await users.getByText('must not be one character repeated', { exact: true }).waitFor();
    assert.equal(await users.getByLabel('Their password').getAttribute('aria-invalid'), 'true');
    assert.equal(ui.served.api.store.users.count(), 1, 'refused: nobody was added');

    await users.getByLabel('Their password').fill(OPERATOR.password);
    await users.getByRole('button', { name: 'Add user' }).click();
    await users.getByText(`${OPERATOR.username} can sign in now, as Operator.`).waitFor();
    const roleSelect = users.getByLabel(`Role of ${OPERATOR.username}`);
    assert.equal(await roleSelect.inputValue(), 'operator');
    const stored = () => ui.served.api.store.users.list().find((user) => user.username === OPERATOR.username);
    assert.equal(stored()?.role, 'operator');
    await saveScreenshot(page, 'roles-02-users');

    // The operator's own view.
    const other = await openPage(ui.browser, ui.served.url);
    await signInAs(other.page, OPERATOR.username, OPERATOR.password);
    await other.page.goto('/settings');
    const access = other.page.getByRole('region', { name: 'Your access' });
    await access.getByText('Operator', { exact: true }).waitFor();
    await access
      .getByText('Users, API tokens and the appliance’s settings are managed by an admin.')
      .waitFor();
    assert.equal(await other.page.getByRole('region', { name: 'API tokens' }).count(), 0);
    assert.equal(await other.page.getByRole('region', { name: 'Users' }).count(), 0);
    await other.page.getByRole('region', { name: 'Your password' }).waitFor();
    await saveScreenshot(other.page, 'roles-03-operator-settings');

    // Made a viewer: stored at once, and the operator's next look says so.
    await roleSelect.selectOption({ label: 'Viewer' });
    await users.getByText(`${OPERATOR.username} is Viewer now`).waitFor();
    assert.equal(stored()?.role, 'viewer');
    await other.page.reload();
    await other.page
      .getByRole('region', { name: 'Your access' })
      .getByText('Viewer', { exact: true })
      .waitFor();

    // The only admin cannot make themselves a viewer: the refusal is shown and nothing changes.
    await users.getByLabel('Role of admin').selectOption({ label: 'Viewer' });
    await users.getByText(/is the only admin/).waitFor();
    assert.equal(await users.getByLabel('Role of admin').inputValue(), 'admin');
    assert.equal(ui.served.api.store.users.list().find((user) => user.username === 'admin')?.role, 'admin');

    await users.getByRole('button', { name: `Remove ${OPERATOR.username}` }).click();
    await page
      .getByRole('dialog', { name: `Remove ${OPERATOR.username}?` })
      .getByRole('button', { name: 'Remove user' })
      .click();
    await users.getByText(`${OPERATOR.username} removed`).waitFor();
    assert.equal(stored(), undefined);
    await users.getByText('Only you can sign in so far.').waitFor();

    assert.deepEqual(pageErrors, []);
    assert.deepEqual(other.pageErrors, []);
    await other.context.close();
    await context.close();
  });

  it('the admin’s and a viewer’s Settings pages have no level-A accessibility problems', async () => {
    const admin = await ui.signedInPage();
    await admin.page.goto('/settings');
    await admin.page
      .getByRole('region', { name: 'Users' })
      .getByRole('button', { name: 'Add user' })
      .waitFor();
    await admin.page.getByRole('region', { name: 'API tokens' }).getByLabel('Scope').waitFor();
    assert.deepEqual(await accessibilityProblems(admin.page), []);
    await admin.context.close();

    const watcher = { username: 'lookout', password: 'gulls over the harbour' };
    const added = await ui.served.api.call('POST', '/api/auth/users', { ...watcher, role: 'viewer' });
    assert.equal(added.statusCode, 201);
    const viewer = await openPage(ui.browser, ui.served.url);
    await signInAs(viewer.page, watcher.username, watcher.password);
    await viewer.page.goto('/settings');
    await viewer.page
      .getByRole('region', { name: 'Your access' })
      .getByText('Viewer', { exact: true })
      .waitFor();
    assert.deepEqual(await accessibilityProblems(viewer.page), []);
    assert.deepEqual(viewer.pageErrors, []);
    await viewer.context.close();
  });

  it('a viewer and an operator see only the controls their role may use (the 403 stays the guard)', async () => {
    const call = async (method: 'POST', path: string, body: object) => {
      const answer = await ui.served.api.call(method, path, body);
      assert.equal(answer.statusCode, 201, answer.body);
      return answer.json() as { id: number };
    };
    const camera = await call('POST', '/api/cameras', {
      name: 'Pier',
      stream_url: 'rtsp://127.0.0.1:9/pier',
    });
    const destination = await call('POST', '/api/destinations', {
      name: 'Club server',
      platform: 'custom',
      server_url: 'rtmp://127.0.0.1:9/live',
      stream_key: 'club-key',
    });
    const timeline = await call('POST', '/api/timelines', {
      timeline: cameraTimeline({
        name: 'Harbour day',
        duration: 60,
        fps: 15,
        resolution: '320x180',
        cues: [{ camera: camera.id, start: 0, duration: 60 }],
      }),
    });
    await call('POST', '/api/schedules', {
      name: 'Mornings',
      days: ['sat'],
      start_time: '09:00',
      end_time: '12:00',
      timeline_ids: [timeline.id],
      destination_ids: [destination.id],
    });
    const people = {
      viewer: { username: 'harbourmaster', password: 'seven boats at anchor', role: 'viewer' },
      operator: { username: 'skipper', password: 'tide tables every morning', role: 'operator' },
    } as const;
    for (const person of Object.values(people)) {
      const added = await ui.served.api.call('POST', '/api/auth/users', person);
      assert.equal(added.statusCode, 201, added.body);
    }

    const viewer = await openPage(ui.browser, ui.served.url);
    await signInAs(viewer.page, people.viewer.username, people.viewer.password);
    const operator = await openPage(ui.browser, ui.served.url);
    await signInAs(operator.page, people.operator.username, people.operator.password);
    const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
    const absent = async (page: Page, names: string[]) => {
      for (const name of names) assert.equal(await button(page, name).count(), 0, `“${name}” is shown`);
    };

    // Cameras: only an admin adds, tests, edits or deletes; the others look at the picture.
    for (const { page } of [viewer, operator]) {
      await page.goto('/cameras');
      await page.getByRole('row').filter({ hasText: 'Pier' }).waitFor();
      await absent(page, ['Add camera', 'Test all cameras', 'Test Pier', 'Edit Pier', 'Delete Pier']);
      await button(page, 'Picture of Pier').click();
      await page.getByRole('heading', { name: 'Pier', exact: true }).waitFor();
    }
    await saveScreenshot(viewer.page, 'roles-10-viewer-cameras');
    assert.deepEqual(await accessibilityProblems(viewer.page), []);

    // Destinations: the operator may test, not change; the viewer only reads.
    for (const { page } of [viewer, operator]) {
      await page.goto('/destinations');
      await page.getByRole('row').filter({ hasText: 'Club server' }).waitFor();
      await absent(page, ['Add destination', 'Edit Club server', 'Delete Club server']);
      assert.equal(await page.getByRole('switch').count(), 0, 'the enabled switch is an admin’s');
    }
    await absent(viewer.page, ['Test Club server']);
    assert.equal(await viewer.page.getByRole('columnheader', { name: 'Actions' }).count(), 0);
    await button(operator.page, 'Test Club server').waitFor();
    await saveScreenshot(viewer.page, 'roles-11-viewer-destinations');
    await saveScreenshot(operator.page, 'roles-12-operator-destinations');
    assert.deepEqual(await accessibilityProblems(viewer.page), []);

    // Timelines: the operator makes and removes them; the viewer opens and exports.
    for (const { page } of [viewer, operator]) {
      await page.goto('/timelines');
      await button(page, 'Open Harbour day').waitFor();
      await page.getByRole('link', { name: 'Export Harbour day' }).waitFor();
    }
    const timelineMaking = [
      'New looping show',
      'New timeline',
      'Import from file…',
      'Clone Harbour day',
      'Delete Harbour day',
    ];
    await absent(viewer.page, timelineMaking);
    for (const name of timelineMaking) await button(operator.page, name).waitFor();
    // The log answers operators and up: a viewer's menu has no entry that would only be refused.
    const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav(viewer.page).getByRole('link', { name: 'Log', exact: true }).count(), 0);
    await nav(operator.page).getByRole('link', { name: 'Log', exact: true }).waitFor();
    await saveScreenshot(viewer.page, 'roles-13-viewer-timelines');

    // Media and schedules: the operator's work.
    await viewer.page.goto('/assets');
    await viewer.page.getByRole('heading', { name: 'No media yet' }).waitFor();
    await absent(viewer.page, ['Upload files…']);
    await viewer.page
      .getByText('An operator uploads the pictures, videos and sound files the shows use.')
      .waitFor();
    await operator.page.goto('/assets');
    await button(operator.page, 'Upload files…').waitFor();
    await viewer.page.goto('/schedules');
    await viewer.page.getByRole('row').filter({ hasText: 'Mornings' }).waitFor();
    await absent(viewer.page, ['Add schedule', 'Edit Mornings', 'Delete Mornings']);
    await saveScreenshot(viewer.page, 'roles-14-viewer-schedules');
    await operator.page.goto('/schedules');
    for (const name of ['Add schedule', 'Edit Mornings', 'Delete Mornings'])
      await button(operator.page, name).waitFor();

    // The builder opens for the viewer to look at, with no Save.
    await viewer.page.goto('/timelines');
    await button(viewer.page, 'Open Harbour day').click();
    await viewer.page.getByText('saving them needs the operator role').waitFor();
    await absent(viewer.page, ['Save']);
    await operator.page.goto('/timelines');
    await button(operator.page, 'Open Harbour day').click();
    await button(operator.page, 'Save').waitFor();

    // What the page hides, the appliance refuses anyway.
    const viewerCsrf = await viewer.page.evaluate(async () => {
      const status = (await (await fetch('/api/auth/status')).json()) as { csrfToken: string };
      return status.csrfToken;
    });
    const refused = await viewer.page.evaluate(
      async ({ id, csrf }) =>
        (await fetch(`/api/destinations/${id}/test`, { method: 'POST', headers: { 'x-csrf-token': csrf } }))
          .status,
      { id: destination.id, csrf: viewerCsrf },
    );
    assert.equal(refused, 403);

    // The camera at port 9 is not there: its picture's 502 is the appliance's answer (the page says
    // why); the browser logs it, and nothing else may go wrong.
    const unexpected = (errors: string[]) => errors.filter((e) => !/status of 502 \(Bad Gateway\)/.test(e));
    assert.deepEqual(unexpected(viewer.pageErrors), []);
    assert.deepEqual(unexpected(operator.pageErrors), []);
    await viewer.context.close();
    await operator.context.close();
  });
});
