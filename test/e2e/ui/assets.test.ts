// Media in a real browser, with real files made by ffmpeg: the empty state, upload of a picture and
// a video (the progress bar while the bytes go, then thumbnails that really load), a file over the
// upload limit (413 with what to do, nothing stored), an unsupported file, search and the type
// filter, download, and delete (refused while a timeline uses the file, done otherwise).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { rowCount } from '../../helpers/api.ts';
import { downloadVia, saveScreenshot, useBrowserUi } from '../../helpers/browser.ts';
import { tempDir } from '../../helpers/temp.ts';

function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
}

/** Files under a folder, recursively (to prove a refused upload left nothing). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Whether an <img> has loaded a real picture. */
async function imageWidth(page: Page, alt: string): Promise<number> {
  const image = page.getByRole('img', { name: alt });
  await image.waitFor();
  await page.waitForFunction(
    (element) => (element as unknown as { complete: boolean }).complete,
    await image.elementHandle(),
  );
  return image.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth);
}

describe('media library (chromium)', () => {
  const ui = useBrowserUi();
  let files: ReturnType<typeof tempDir>;
  const media = { png: '', video: '', text: '' };

  before(async () => {
    files = tempDir('vistter-media-');
    media.png = join(files.path, 'harbour-logo.png');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=1', '-frames:v', '1', media.png);
    // Random pixels barely compress: a file big enough that its upload takes a while when slowed.
    media.video = join(files.path, 'promo clip.mp4');
    ffmpeg(
      ...['-f', 'lavfi', '-i', 'nullsrc=size=640x360:rate=25,geq=random(1)*255:128:128'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '10', '-pix_fmt', 'yuv420p'],
      ...['-c:a', 'aac', '-shortest', media.video],
    );
    media.text = join(files.path, 'notes.txt');
    writeFileSync(media.text, 'This is not a picture, a video or a sound.\n'.repeat(20));
  });
  after(() => files?.cleanup());

  it('shows the empty state, then uploads a picture and a video with progress and thumbnails', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/assets');
    await page.getByRole('heading', { name: 'No media yet' }).waitFor();
    await saveScreenshot(page, 'assets-empty');

    // Slow the network so the progress bar is seen between 0 and 100 %.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 400 * 1024,
    });
    const videoSize = statSync(media.video).size;
    assert.ok(videoSize > 1024 * 1024, `the video is ${videoSize} bytes: too small to see progress`);

    await page.getByLabel('Files to upload').setInputFiles([media.video, media.png]);
    const videoBar = page.getByRole('progressbar', { name: 'Uploading promo clip.mp4' });
    await videoBar.waitFor();
    // Part-way: the bar moves with the bytes sent.
    await page.waitForFunction(
      (bar) => {
        const value = Number((bar as unknown as { value: number }).value);
        return value > 0 && value < 100;
      },
      await videoBar.elementHandle(),
    );
    await saveScreenshot(page, 'assets-uploading');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    const uploads = page.getByRole('region', { name: 'Uploads' });
    await uploads.getByText('Uploaded').nth(1).waitFor({ timeout: 60_000 });
    assert.equal(await videoBar.getAttribute('value'), '100');

    const grid = page.getByRole('list', { name: 'Media files' });
    await grid.getByRole('listitem', { name: 'promo clip.mp4' }).waitFor();
    await grid.getByRole('listitem', { name: 'harbour-logo.png' }).waitFor();
    assert.ok((await imageWidth(page, 'Preview of harbour-logo.png')) > 0);
    assert.ok((await imageWidth(page, 'Preview of promo clip.mp4')) > 0);
    const videoCard = await grid.getByRole('listitem', { name: 'promo clip.mp4' }).innerText();
    assert.match(videoCard, /Video/);
    assert.match(videoCard, /640×360/);
    assert.match(videoCard, /0:02/);
    assert.match(await grid.getByRole('listitem', { name: 'harbour-logo.png' }).innerText(), /320×180/);
    assert.equal(rowCount(ui.served.api, 'assets'), 2);
    await saveScreenshot(page, 'assets-grid');

    // The same picture again is not stored twice.
    await page.getByLabel('Files to upload').setInputFiles(media.png);
    await uploads.getByText('Already in the library').waitFor();
    assert.equal(rowCount(ui.served.api, 'assets'), 2);

    // A file that is not media: the appliance's message and what to do; nothing stored.
    await page.getByLabel('Files to upload').setInputFiles(media.text);
    const refusal = uploads.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /not an image, video or audio|not a supported|format/i);
    assert.equal(rowCount(ui.served.api, 'assets'), 2);
    await saveScreenshot(page, 'assets-unsupported');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('searches, filters by type and downloads', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/assets');
    const grid = page.getByRole('list', { name: 'Media files' });
    await grid.waitFor();
    const names = async () =>
      (await grid.getByRole('listitem').evaluateAll((items) => items.length)) as number;
    assert.equal(await names(), 2);
    await page.getByLabel('Search media').pressSequentially('promo');
    await page.getByText('1 of 2 shown').waitFor();
    await grid.getByRole('listitem', { name: 'promo clip.mp4' }).waitFor();
    await page.getByLabel('Search media').fill('');
    await page.getByLabel('Type').selectOption('image');
    await page.getByText('1 of 2 shown').waitFor();
    await grid.getByRole('listitem', { name: 'harbour-logo.png' }).waitFor();
    await page.getByLabel('Type').selectOption('audio');
    await page.getByText('Nothing matches this search.').waitFor();
    await page.getByLabel('Type').selectOption('');

    const saved = join(files.path, 'downloaded.png');
    const link = page.getByRole('link', { name: 'Download harbour-logo.png' });
    assert.equal(await downloadVia(page, link, saved), 'harbour-logo.png');
    assert.deepEqual(readFileSync(saved), readFileSync(media.png));
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('refuses to delete a file a timeline uses (and says which), deletes it otherwise', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    const logo = ui.served.api.store.assets.list().find((asset) => asset.filename === 'harbour-logo.png')!;
    const created = await ui.served.api.call('POST', '/api/timelines', {
      timeline: {
        name: 'Sponsor loop',
        duration: 10,
        fps: 30,
        resolution: '1280x720',
        tracks: {
          video: {
            track_id: 'video_main',
            type: 'video',
            cues: [
              {
                id: 'logo_slate',
                start_time: 0,
                duration: 10,
                action: 'show_media',
                params: { asset_id: logo.id, media_type: 'image' },
              },
            ],
          },
          overlays: [],
        },
      },
    });
    assert.equal(created.statusCode, 201, created.body);

    await page.goto('/assets');
    await page.getByRole('button', { name: 'Delete harbour-logo.png' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “harbour-logo.png”?' });
    await dialog.getByRole('button', { name: 'Delete file' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /used by timeline \d+ "Sponsor loop"/);
    assert.match(
      await dialog.getByRole('list', { name: 'Where it is used' }).innerText(),
      /Sponsor loop" uses it in cue logo_slate/,
    );
    await saveScreenshot(page, 'assets-delete-refused');
    assert.ok(ui.served.api.store.assets.list().some((asset) => asset.id === logo.id));
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Delete promo clip.mp4' }).click();
    await dialog.waitFor({ state: 'hidden' }); // the other file's dialog stays closed
    const videoDialog = page.getByRole('dialog', { name: 'Delete “promo clip.mp4”?' });
    await videoDialog.getByRole('button', { name: 'Delete file' }).click();
    await videoDialog.waitFor({ state: 'hidden' });
    await page.getByRole('listitem', { name: 'promo clip.mp4' }).waitFor({ state: 'detached' });
    assert.deepEqual(
      ui.served.api.store.assets.list().map((asset) => asset.filename),
      ['harbour-logo.png'],
    );
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('uploads files dropped onto the page', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/assets');
    await page.getByRole('list', { name: 'Media files' }).waitFor();
    const dropped = join(files.path, 'dropped.png');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=96x64:rate=1', '-frames:v', '1', dropped);
    // A drag from the desktop, as the page sees it: a DataTransfer holding the file.
    const transfer = await page.evaluateHandle(
      `(() => {
        const bytes = Uint8Array.from(atob(${JSON.stringify(readFileSync(dropped).toString('base64'))}), (c) => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
        return data;
      })()`,
    );
    const zone = page.getByText('Drag pictures, videos or sound files anywhere on this page');
    await zone.dispatchEvent('dragenter', { dataTransfer: transfer });
    await zone.dispatchEvent('dragover', { dataTransfer: transfer });
    await page.getByText('Drop the files to upload them').waitFor();
    await saveScreenshot(page, 'assets-dragging');
    await page.getByText('Drop the files to upload them').dispatchEvent('drop', { dataTransfer: transfer });
    await page
      .getByRole('list', { name: 'Media files' })
      .getByRole('listitem', { name: 'dropped.png' })
      .waitFor();
    assert.ok((await imageWidth(page, 'Preview of dropped.png')) > 0);
    assert.ok(ui.served.api.store.assets.list().some((asset) => asset.filename === 'dropped.png'));
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});

describe('media upload over the limit (chromium)', () => {
  const ui = useBrowserUi({ serve: { maxUploadBytes: 50_000 } });
  let files: ReturnType<typeof tempDir>;

  before(() => {
    files = tempDir('vistter-media-limit-');
  });
  after(() => files?.cleanup());

  it('shows the 413 message with what to do and stores nothing', async () => {
    const big = join(files.path, 'drone-flyover.mp4');
    ffmpeg(
      ...['-f', 'lavfi', '-i', 'nullsrc=size=640x360:rate=25,geq=random(1)*255:128:128'],
      ...['-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '10', '-pix_fmt', 'yuv420p', big],
    );
    assert.ok(statSync(big).size > 200_000);
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/assets');
    await page.getByLabel('Files to upload').setInputFiles(big);
    const refusal = page.getByRole('region', { name: 'Uploads' }).getByRole('alert');
    await refusal.waitFor();
    const text = await refusal.innerText();
    assert.match(text, /larger than the upload limit of 48\.8 kB/);
    await saveScreenshot(page, 'assets-too-large');
    assert.equal(rowCount(ui.served.api, 'assets'), 0);
    assert.deepEqual(filesUnder(join(ui.served.api.dataDir, 'assets')), []);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
