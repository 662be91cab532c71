// The Destinations page in a real browser: pick a platform (the server is filled in and the page
// says where the key is), save with a stream key (stored sealed; the page only ever shows the mask),
// field errors next to their field, the enabled switch, edit keeping the key, delete with confirmation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPage, recordApiBodies, saveScreenshot, signInAs, useBrowserUi } from '../../helpers/browser.ts';

const STREAM_KEY = 'abcd-efgh-ijkl-9x2k';

describe('Destinations page (chromium)', () => {
  const ui = useBrowserUi({ firstRun: 'browser' });

  it('adds a YouTube destination: the server is filled in, the key is stored and only its mask is shown', async () => {
    const { page, context, pageErrors } = await openPage(ui.browser, ui.served.url);
    const bodies = recordApiBodies(page);
    await signInAs(page);
    await page.goto('/destinations');
    await page.getByRole('heading', { name: 'No destinations yet' }).waitFor();
    await page.getByRole('button', { name: 'Add your first destination' }).click();

    // Picking a platform fills its server and name and says where its key is.
    await page.getByRole('radio', { name: 'Twitch' }).check();
    assert.equal(await page.getByLabel('Server address').inputValue(), 'rtmp://live.twitch.tv/app');
    assert.match(await page.getByRole('note').innerText(), /Twitch Creator Dashboard/);
    await page.getByRole('radio', { name: 'YouTube Live' }).check();
    assert.equal(await page.getByLabel('Server address').inputValue(), 'rtmp://a.rtmp.youtube.com/live2');
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'YouTube Live');
    assert.match(await page.getByRole('note').innerText(), /YouTube Studio.*Stream key/);

    // Without a key, YouTube is refused next to the key field; nothing is stored.
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('is required for YouTube Live').waitFor();
    assert.equal(ui.served.api.store.destinations.list().length, 0);

    await page.getByLabel('Name', { exact: true }).fill('Marina YouTube');
    await page.getByLabel('Stream key', { exact: true }).fill(STREAM_KEY);
    await saveScreenshot(page, 'destinations-01-form');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('Destination “Marina YouTube” added.').waitFor();

    const [stored] = ui.served.api.store.destinations.list();
    assert.ok(stored);
    assert.equal(stored.platform, 'youtube');
    assert.equal(stored.server_url, 'rtmp://a.rtmp.youtube.com/live2');
    assert.equal(ui.served.api.store.destinations.streamKey(stored.id), STREAM_KEY);
    const row = page.getByRole('row').filter({ hasText: 'Marina YouTube' });
    const mask = await row.getByRole('cell').nth(3).innerText();
    assert.match(mask, /^•+9x2k$/);
    await saveScreenshot(page, 'destinations-02-list');

    // Editing shows the mask, keeps the key when it is not replaced.
    await page.getByRole('button', { name: 'Edit Marina YouTube' }).click();
    const keyGroup = page.getByRole('group', { name: 'Stream key' });
    assert.match(await keyGroup.innerText(), /•+9x2k/);
    await page.getByLabel('Name', { exact: true }).fill('Marina live');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Destination “Marina live” saved.').waitFor();
    assert.equal(ui.served.api.store.destinations.get(stored.id).name, 'Marina live');
    assert.equal(ui.served.api.store.destinations.streamKey(stored.id), STREAM_KEY);

    // The enabled switch changes the destination at once.
    const enabled = page.getByRole('switch', { name: 'Marina live enabled' });
    await enabled.uncheck();
    await page
      .getByRole('switch', { name: 'Marina live enabled', checked: false })
      .and(page.locator(':enabled'))
      .waitFor();
    assert.equal(ui.served.api.store.destinations.get(stored.id).enabled, false);

    for (const body of bodies) assert.ok(!body.includes(STREAM_KEY), `answer leaks the key: ${body}`);
    assert.ok(!(await page.content()).includes(STREAM_KEY));
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('shows a bad server address next to its field, then deletes after confirmation', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/destinations');
    await page.getByRole('button', { name: 'Add destination' }).click();
    await page.getByRole('radio', { name: 'Custom RTMP/RTMPS/SRT' }).check();
    assert.equal(await page.getByLabel('Server address').inputValue(), '');
    assert.match(await page.getByRole('note').innerText(), /rtmp:\/\/, rtmps:\/\/ or srt:\/\//);
    await page.getByLabel('Name', { exact: true }).fill('Club server');
    await page.getByLabel('Server address').fill('http://stream.example.com/live');
    await page.getByRole('button', { name: 'Save destination' }).click();
    const server = page.getByLabel('Server address');
    await page.getByText(/must be an RTMP, RTMPS or SRT URL/).waitFor();
    assert.equal(await server.getAttribute('aria-invalid'), 'true');
    assert.match(
      await page.locator(`[id="${await server.getAttribute('aria-describedby')}"]`).innerText(),
      /must be an RTMP, RTMPS or SRT URL/,
    );
    await saveScreenshot(page, 'destinations-03-field-error');

    // A platform's scheme rule is refused next to the field too.
    await page.getByRole('radio', { name: 'Facebook Live' }).check();
    await page.getByLabel('Server address').fill('rtmp://live-api-s.facebook.com/rtmp/');
    await page.getByLabel('Stream key', { exact: true }).fill('FB-1234');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page
      .getByText(/accepts RTMPS only/)
      .first()
      .waitFor();
    assert.equal(ui.served.api.store.destinations.list().length, 1);

    await page.getByLabel('Server address').fill('srt://127.0.0.1:9000');
    await page.getByRole('radio', { name: 'Custom RTMP/RTMPS/SRT' }).check();
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('Destination “Club server” added.').waitFor();
    assert.equal(ui.served.api.store.destinations.list().length, 2);

    await page.getByRole('button', { name: 'Delete Club server' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete destination “Club server”?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(ui.served.api.store.destinations.list().length, 2);
    await page.getByRole('button', { name: 'Delete Club server' }).click();
    await dialog.getByRole('button', { name: 'Delete destination' }).click();
    await page.getByText('Destination “Club server” deleted.').waitFor();
    assert.deepEqual(
      ui.served.api.store.destinations.list().map((d) => d.name),
      ['Marina live'],
    );
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
