// Connecting a YouTube channel in a real browser against the appliance's API and the local Google
// stand-in: the admin enters the Google client in Settings, opens a YouTube destination, turns on
// "Manage broadcasts through the YouTube API", connects (the test plays the channel owner and
// approves the code the page shows), sees the channel connected, fills the broadcast settings,
// saves without a stream key, reloads and finds them, then disconnects the channel; a destination
// whose channel was disconnected says it needs reconnecting; a refused code says so.
import assert from 'node:assert/strict';
import { before, after, describe, it } from 'node:test';
import { systemClock } from '../../../src/core/clock.ts';
import { a11yViolations } from '../../helpers/a11y.ts';
import { recordApiBodies, saveScreenshot, useBrowserUi } from '../../helpers/browser.ts';
import { YouTubeApiSim } from '../../helpers/youtube-api-sim.ts';

const CODE = /^[A-Z]{4}-[A-Z]{4}$/;

describe('connecting a YouTube channel (chromium)', () => {
  // Google asks for a poll every second here (its real interval is 5 s).
  const sim = new YouTubeApiSim({ interval: 1 });
  before(() => sim.start());
  after(() => sim.stop());
  // The appliance polls Google on the real clock, as it does in service.
  const ui = useBrowserUi({ serve: () => ({ youtubeEndpoints: sim.endpoints, clock: systemClock }) });

  it('enters the client, connects a channel with the code shown, saves broadcast settings and reads them back', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    const bodies = recordApiBodies(page);
    const { store } = ui.served.api;

    // Settings → YouTube: a wrong client id is refused at its field; the right one is saved.
    await page.goto('/settings');
    const card = page.getByRole('region', { name: 'YouTube' });
    await card.getByText('TV and limited-input devices').waitFor();
    await card.getByLabel('Client ID').fill('not-a-client');
    await card.getByLabel('Client secret').fill(sim.clientSecret);
    await card.getByRole('button', { name: 'Save Google client' }).click();
    await card.getByText(/^must be a client ID like/).waitFor();
    await card.getByLabel('Client ID').fill(sim.clientId);
    await card.getByLabel('Client secret').fill(sim.clientSecret);
    await card.getByRole('button', { name: 'Save Google client' }).click();
    await card.getByText('Google client saved').waitFor();
    await card.getByText('secret stored').waitFor();
    assert.deepEqual(store.settings.get('youtube.oauth_client', null), {
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    });
    assert.deepEqual(await a11yViolations(page), []);
    await saveScreenshot(page, 'y2-01-settings-client');

    // A YouTube destination with broadcasts through the API: connect a channel.
    await page.goto('/destinations');
    await page.getByRole('button', { name: 'Add your first destination' }).click();
    await page.getByRole('radio', { name: 'YouTube Live' }).check();
    await page.getByLabel('Name', { exact: true }).fill('Harbour YouTube');
    await page.getByRole('checkbox', { name: 'Manage broadcasts through the YouTube API' }).check();
    await page.getByRole('button', { name: 'Connect a channel' }).click();
    const panel = page.getByRole('region', { name: 'Connect a YouTube channel' });
    const codeText = panel.getByText(CODE);
    await codeText.waitFor();
    const userCode = (await codeText.innerText()).trim();
    assert.match(userCode, CODE);
    assert.equal(
      await panel.getByRole('link', { name: 'https://www.google.com/device' }).getAttribute('href'),
      'https://www.google.com/device',
    );
    assert.match(await panel.getByRole('status').first().innerText(), /runs out in\s*(29|30):\d\d/);
    assert.deepEqual(await a11yViolations(page), []);
    await saveScreenshot(page, 'y2-02-connect-code');

    // The owner enters the code at Google and allows access; the appliance's polling finds it.
    sim.approve(userCode);
    await panel.getByText('Connected:').waitFor({ timeout: 30_000 });
    const [connection] = store.youtubeConnections.list();
    assert.ok(connection, 'the connection is stored');
    await panel.getByText(connection.label).waitFor();
    const channel = page.getByLabel('Channel', { exact: true });
    assert.equal(await channel.inputValue(), String(connection.id));
    await saveScreenshot(page, 'y2-03-connected');

    // An empty title is refused at its field; then the broadcast settings are filled and saved.
    await page.getByLabel('Broadcast title').fill('');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('must not be empty').waitFor();
    assert.equal(store.destinations.list().length, 0);
    await page.getByLabel('Broadcast title').fill('Harbour live, all day');
    await page.getByLabel('Description').fill('The harbour entrance from the pier.');
    await page.getByLabel('Privacy').selectOption('unlisted');
    await page.getByLabel('Latency').selectOption('low');
    await page.getByRole('checkbox', { name: /^DVR/ }).uncheck();
    await page.getByRole('checkbox', { name: /^Start by itself/ }).check();
    await page.getByRole('checkbox', { name: /^Keep archives/ }).check();
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('Destination “Harbour YouTube” added.').waitFor();

    const [saved] = store.destinations.list();
    assert.ok(saved);
    assert.equal(saved.stream_key_masked, null, 'no stream key was needed');
    assert.deepEqual(saved.youtube, {
      connection_id: connection.id,
      title: 'Harbour live, all day',
      description: 'The harbour entrance from the pier.',
      privacy: 'unlisted',
      latency: 'low',
      dvr: false,
      auto_start: true,
      keep_archive: true,
    });
    const row = page.getByRole('row').filter({ hasText: 'Harbour YouTube' });
    await row.getByText(`YouTube API: ${connection.label}`).waitFor();
    await row.getByText('Connected', { exact: true }).waitFor();
    await saveScreenshot(page, 'y2-04-list');

    // After a reload the form shows what was saved.
    await page.reload();
    await page.getByRole('button', { name: 'Edit Harbour YouTube' }).click();
    assert.equal(
      await page.getByRole('checkbox', { name: 'Manage broadcasts through the YouTube API' }).isChecked(),
      true,
    );
    assert.equal(await page.getByLabel('Channel', { exact: true }).inputValue(), String(connection.id));
    assert.equal(await page.getByLabel('Broadcast title').inputValue(), 'Harbour live, all day');
    assert.equal(await page.getByLabel('Description').inputValue(), 'The harbour entrance from the pier.');
    assert.equal(await page.getByLabel('Privacy').inputValue(), 'unlisted');
    assert.equal(await page.getByLabel('Latency').inputValue(), 'low');
    assert.equal(await page.getByRole('checkbox', { name: /^DVR/ }).isChecked(), false);
    assert.equal(await page.getByRole('checkbox', { name: /^Start by itself/ }).isChecked(), true);
    assert.equal(await page.getByRole('checkbox', { name: /^Keep archives/ }).isChecked(), true);
    assert.deepEqual(await a11yViolations(page), []);
    await saveScreenshot(page, 'y2-05-edit-reloaded');

    // No token nor the client secret ever reached the browser.
    const tokens = store.youtubeConnections.tokens(connection.id);
    for (const secret of [tokens.refreshToken, tokens.accessToken ?? 'none', sim.clientSecret])
      assert.ok(!bodies.some((body) => body.includes(secret)), 'no secret in an API answer');

    // Disconnecting asks first, tells Google, and the channel then needs reconnecting.
    await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Disconnect “${connection.label}”?` });
    await dialog.getByText('asks Google to forget its access').waitFor();
    assert.deepEqual(await a11yViolations(page), []);
    await saveScreenshot(page, 'y2-08-disconnect-confirm');
    await dialog.getByRole('button', { name: 'Disconnect channel' }).click();
    await page.getByRole('alert').filter({ hasText: 'was disconnected' }).waitFor();
    assert.ok(sim.requests.includes('POST /revoke'));
    assert.notEqual(store.youtubeConnections.get(connection.id).revokedAt, null);
    await page.getByRole('button', { name: 'Connect the channel again' }).waitFor();
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('shows a destination whose channel was disconnected as needing reconnecting, and a refused code in words', async () => {
    const { store } = ui.served.api;
    const connectionId = store.youtubeConnections.create(
      'Pier channel',
      { refreshToken: 'unknown-at-google', accessToken: null, accessExpiresAt: null, scope: 'youtube' },
      Date.now(),
    );
    store.destinations.create({
      name: 'Pier YouTube',
      platform: 'youtube',
      server_url: 'rtmp://a.rtmp.youtube.com/live2',
      stream_key: null,
      youtube: {
        connection_id: connectionId,
        title: 'Pier live',
        description: '',
        privacy: 'public',
        latency: 'normal',
        dvr: true,
        auto_start: false,
        keep_archive: false,
      },
    });
    store.youtubeConnections.markRevoked(connectionId, Date.now(), 'Google refused the refresh token');

    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/destinations');
    const row = page.getByRole('row').filter({ hasText: 'Pier YouTube' });
    await row.getByText('YouTube API: Pier channel').waitFor();
    await row.getByText('Needs reconnecting').waitFor();
    await page.getByRole('button', { name: 'Edit Pier YouTube' }).click();
    const warning = page.getByRole('alert').filter({ hasText: 'was disconnected' });
    await warning.getByText('Google refused the refresh token').waitFor();
    assert.deepEqual(await a11yViolations(page), []);
    await saveScreenshot(page, 'y2-06-needs-reconnecting');

    // Connecting again; this time the owner refuses.
    await page.getByRole('button', { name: 'Connect the channel again' }).click();
    const panel = page.getByRole('region', { name: 'Connect a YouTube channel' });
    const codeText = panel.getByText(CODE);
    await codeText.waitFor();
    sim.approve((await codeText.innerText()).trim(), false);
    await panel.getByText(/denied the appliance access/).waitFor({ timeout: 30_000 });
    await panel.getByRole('button', { name: 'Get a new code' }).waitFor();
    assert.deepEqual(await a11yViolations(page), []);
    await saveScreenshot(page, 'y2-07-refused');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
