// The venue website's outputs against the real appliance (src/main.ts) with a real show on air:
// two simulated RTSP cameras (red and blue), nginx-rtmp as the destination, a local HTTP server as
// the venue's website (it receives the push and serves a page that frames the player), chromium.
// - the push arrives: PUT, basic auth, a JPEG of the set size whose colour follows the program;
// - /live.jpg: the same still within the interval (same ETag, 304 on revalidation), a different
//   colour after a camera cut, 429 with Retry-After past the per-client limit, 404 when off;
// - the player's HLS: the playlist lists segments and ffprobe reads one;
// - the player page in chromium, framed by the allowed site (and refused by another);
// - the Settings card (screenshots w1-*.png, axe level A).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { a11yViolations } from '../../helpers/a11y.ts';
import { ApplianceClient } from '../../helpers/appliance.ts';
import { ADMIN } from '../../helpers/api.ts';
import { SCREENSHOTS, saveScreenshot, signInAs } from '../../helpers/browser.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { useControlRoomRig } from '../../helpers/control-room-rig.ts';
import { probeFile } from '../../helpers/media-probe.ts';
import { delay, waitFor } from '../../helpers/proc.ts';
import { tempDir } from '../../helpers/temp.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';
import { colourDistance, isJpeg, lookAtJpeg, type JpegLook } from '../../helpers/website-jpeg.ts';

const W = 320;
const H = 180;
const FPS = 15;
const RED = 0xd02020;
const BLUE = 0x2040d0;
const RED_RGB = [0xd0, 0x20, 0x20];
const BLUE_RGB = [0x20, 0x40, 0xd0];
const INTERVAL_S = 5;
const PER_MINUTE = 60;
const PUSH_PASSWORD = 'website-push-pa55';
const SHOW = 'Website show';

/** What the test reads of a <video> in the page (the test code has no DOM types). */
interface VideoLike {
  canPlayType(type: string): string;
  currentTime: number;
}

interface Pushed {
  method: string;
  authorization: string | undefined;
  onAir: string | string[] | undefined;
  body: Buffer;
  at: number;
}

function body(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

describe('the venue website outputs (real appliance, show on air, chromium)', () => {
  const dir = tempDir('vistter-e2e-website-');
  const pushed: Pushed[] = [];
  let website: Server;
  let websitePort = 0;
  let blueSim: CameraSim;
  let api: ApplianceClient;
  let redId = 0;
  let blueId = 0;

  // Before the rig's own before(): the second camera and the venue's website exist when it configures.
  before(async () => {
    blueSim = await startCameraSim({
      cameras: [{ name: 'pier', color: BLUE }],
      width: W,
      height: H,
      fps: FPS,
    });
    website = createServer((request, response) => {
      if (request.method === 'GET' && request.url === '/embed.html') {
        const player = `${rig.appliance.url}/embed/player`;
        response
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(
            `<!doctype html><html lang="en"><title>Venue</title><h1>Our marina, live</h1>` +
              `<iframe src="${player}" width="640" height="360" title="Live camera" allow="autoplay; fullscreen" style="border:0"></iframe>`,
          );
        return;
      }
      void body(request).then((received) => {
        pushed.push({
          method: request.method ?? '',
          authorization: request.headers.authorization,
          onAir: request.headers['x-vistter-on-air'],
          body: received,
          at: Date.now(),
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => website.listen(0, '127.0.0.1', resolve));
    websitePort = (website.address() as AddressInfo).port;
  });
  after(async () => {
    website?.closeAllConnections();
    website?.close();
    await blueSim?.stop();
    dir.cleanup();
  });

  const rig = useControlRoomRig('vistter-e2e-ui-website-', {
    width: W,
    height: H,
    fps: FPS,
    cameraColor: RED,
    streamKey: 'website',
    timeline: (cameraId) =>
      cameraTimeline({
        name: 'Red only',
        duration: 60,
        fps: FPS,
        resolution: `${W}x${H}`,
        cues: [{ camera: cameraId, start: 0, duration: 60 }],
      }),
    more: async (client) => {
      const blue = await client.request('POST', '/api/cameras', {
        name: 'Pier',
        stream_url: blueSim.urls[0],
      });
      assert.equal(blue.status, 201, JSON.stringify(blue.body));
      blueId = Number(blue.body.id);
    },
  });

  const stranger = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${rig.appliance.url}${path}`, { headers });
  const jpegOf = async (answer: Response): Promise<{ bytes: Buffer; look: JpegLook }> => {
    const bytes = Buffer.from(await answer.arrayBuffer());
    assert.ok(isJpeg(bytes), 'a JPEG');
    return { bytes, look: await lookAtJpeg(bytes) };
  };
  const setting = async (key: string, value: unknown) => {
    const answer = await api.request('PUT', `/api/settings/${key}`, { value });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  };

  it('is off by default: every public address answers 404', async () => {
    api = new ApplianceClient(rig.appliance.url);
    const login = await api.request('POST', '/api/auth/login', ADMIN);
    assert.equal(login.status, 200, JSON.stringify(login.body));
    for (const path of ['/live.jpg', '/embed/player', '/embed/player.js', '/embed/hls/index.m3u8']) {
      const answer = await stranger(path);
      assert.equal(answer.status, 404, path);
    }
  });

  it('goes live and pushes the program to the website: PUT, basic auth, a JPEG of the set size', async () => {
    redId = rig.cameraId;
    const destinations = await api.request<Array<{ id: number }>>('GET', '/api/destinations');
    const created = await api.request('POST', '/api/timelines', {
      timeline: cameraTimeline({
        name: SHOW,
        duration: 600,
        fps: FPS,
        resolution: `${W}x${H}`,
        loop: true,
        cues: [
          { camera: redId, start: 0, duration: 300 },
          { camera: blueId, start: 300, duration: 300 },
        ],
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const live = await api.request('POST', '/api/show/go-live', {
      timelineId: Number(created.body.id),
      destinationIds: destinations.body.map((d) => d.id),
    });
    assert.equal(live.status, 202, JSON.stringify(live.body));
    await waitFor(
      async () => {
        const show = await api.request<{
          state: string;
          show?: { demo: boolean; camera: { onAir?: { cameraId: number } } };
        }>('GET', '/api/show');
        return (
          show.body.state === 'live' &&
          show.body.show?.demo === false &&
          show.body.show.camera.onAir?.cameraId === redId
        );
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the red camera on air' },
    );

    await setting('website.live_picture', {
      enabled: true,
      size: '640x360',
      interval_s: INTERVAL_S,
      requests_per_minute: PER_MINUTE,
    });
    await setting('website.push_credentials', { type: 'basic', user: 'venue', password: PUSH_PASSWORD });
    await setting('website.push', {
      enabled: true,
      url: `http://127.0.0.1:${websitePort}/webcam/live.jpg`,
      method: 'PUT',
      interval_s: INTERVAL_S,
    });
    await setting('website.player', { enabled: true, embed_sites: [`http://127.0.0.1:${websitePort}`] });

    // A viewer tolerates a picture a few intervals old; under load the first one may take a while.
    const red = await waitFor(
      async () => {
        const last = pushed.at(-1);
        if (!last) return undefined;
        const look = await lookAtJpeg(last.body);
        return colourDistance(look.mean, RED_RGB) < 60 ? { last, look } : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 500, what: 'a red picture pushed to the website' },
    );
    assert.equal(red.last.method, 'PUT');
    assert.equal(red.last.authorization, `Basic ${Buffer.from(`venue:${PUSH_PASSWORD}`).toString('base64')}`);
    assert.deepEqual([red.look.width, red.look.height], [640, 360]);
    assert.equal(rig.appliance.output().includes(PUSH_PASSWORD), false, 'the password is not in the log');
  });

  it('serves /live.jpg from its cache within the interval, and a new still after a camera cut', async () => {
    const first = await stranger('/live.jpg');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('cache-control'), `public, max-age=${INTERVAL_S}`);
    const etag = first.headers.get('etag');
    assert.ok(etag && first.headers.get('last-modified'));
    const red = await jpegOf(first);
    assert.deepEqual([red.look.width, red.look.height], [640, 360]);
    assert.ok(colourDistance(red.look.mean, RED_RGB) < 60, `red still, mean ${red.look.mean.join(',')}`);
    // Eight more requests over about two seconds: all from the cache but at most one new still
    // (the first may have been made by the push just before the interval ended), and two
    // different stills are made an interval apart.
    const answers: Array<{ etag: string | null; modified: number; bytes: Buffer }> = [
      { etag, modified: Date.parse(first.headers.get('last-modified') ?? ''), bytes: red.bytes },
    ];
    for (let i = 0; i < 8; i++) {
      await delay(250);
      const again = await stranger('/live.jpg');
      assert.equal(again.status, 200);
      answers.push({
        etag: again.headers.get('etag'),
        modified: Date.parse(again.headers.get('last-modified') ?? ''),
        bytes: Buffer.from(await again.arrayBuffer()),
      });
    }
    const distinct = [...new Map(answers.map((answer) => [answer.etag, answer])).values()];
    assert.ok(distinct.length <= 2, `${distinct.length} stills within two seconds`);
    if (distinct.length === 2)
      assert.ok(
        distinct[1]!.modified - distinct[0]!.modified >= (INTERVAL_S - 1) * 1000,
        'a new still only after the interval',
      );
    for (const answer of answers)
      assert.ok(answer.bytes.equals(distinct.find((d) => d.etag === answer.etag)!.bytes), 'the same bytes');
    const latest = answers.at(-1)!;
    const revalidated = await stranger('/live.jpg', { 'if-none-match': String(latest.etag) });
    assert.ok([200, 304].includes(revalidated.status));
    if (revalidated.headers.get('etag') === latest.etag) assert.equal(revalidated.status, 304);

    const cut = await api.request('POST', '/api/show/overrides/force-camera', { cameraId: blueId });
    assert.ok(cut.status < 300, JSON.stringify(cut.body));
    const blue = await waitFor(
      async () => {
        const answer = await stranger('/live.jpg');
        assert.equal(answer.status, 200);
        const still = await jpegOf(answer);
        return colourDistance(still.look.mean, BLUE_RGB) < 60
          ? { still, etag: answer.headers.get('etag') }
          : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 2_500, what: 'a blue still after the cut' },
    );
    assert.notEqual(blue.etag, etag);
    assert.ok(
      colourDistance(blue.still.look.mean, red.look.mean) > 100,
      `the mean colour changed: ${red.look.mean.map(Math.round).join(',')} → ${blue.still.look.mean.map(Math.round).join(',')}`,
    );
    await waitFor(
      async () => {
        const last = pushed.at(-1);
        return last && colourDistance((await lookAtJpeg(last.body)).mean, BLUE_RGB) < 60 ? true : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 500, what: 'the push following the cut' },
    );
  });

  it('serves the player’s HLS: the playlist lists segments and ffprobe reads one', async () => {
    const playlist = await waitFor(
      async () => {
        const answer = await stranger('/embed/hls/index.m3u8');
        const text = answer.status === 200 ? await answer.text() : '';
        return /segment_\d+\.ts/.test(text) ? text : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'the HLS playlist with segments' },
    );
    const segments = playlist.match(/segment_\d+\.ts/g) ?? [];
    assert.ok(segments.length >= 1, playlist);
    const segment = await stranger(`/embed/hls/${segments.at(-1)}`);
    assert.equal(segment.status, 200);
    assert.equal(segment.headers.get('content-type'), 'video/mp2t');
    const path = join(dir.path, 'segment.ts');
    writeFileSync(path, Buffer.from(await segment.arrayBuffer()));
    const probe = await probeFile(path);
    assert.equal(probe.video?.codec, 'h264');
    assert.deepEqual([probe.video?.width, probe.video?.height], [W, H]);
  });

  it('shows the player framed by the allowed site, and refuses other sites', async () => {
    const { page } = rig.ui;
    await page.goto(`http://127.0.0.1:${websitePort}/embed.html`);
    const frame = page.frameLocator('iframe[title="Live camera"]');
    const video = frame.getByLabel('Live camera');
    await video.waitFor({ state: 'attached' });
    const nativeHls = await frame
      .locator('video')
      .evaluate((element) => (element as unknown as VideoLike).canPlayType('application/vnd.apple.mpegurl'));
    if (nativeHls !== '') {
      // This chromium plays HLS itself: the picture moves.
      await waitFor(
        () =>
          frame
            .locator('video')
            .evaluate((element) => ((element as unknown as VideoLike).currentTime > 0.5 ? true : undefined)),
        { timeoutMs: 45_000, intervalMs: 500, what: 'the framed player playing' },
      );
    } else {
      // No native HLS: the page says so in words and shows the live still instead.
      await frame.getByText(/cannot play the live stream by itself/).waitFor({ timeout: 30_000 });
      await frame.getByRole('img', { name: 'The latest still of the live camera' }).waitFor();
    }
    console.log(
      `chromium native HLS: ${nativeHls === '' ? 'no (the page shows its message and the still)' : nativeHls}`,
    );
    await delay(1500);
    await saveScreenshot(page, 'w1-player-framed');

    // Framed by a site not on the list (localhost is another origin than 127.0.0.1): refused.
    const refusals: string[] = [];
    const onConsole = (message: { text(): string }) => {
      if (/frame-ancestors/.test(message.text())) refusals.push(message.text());
    };
    page.on('console', onConsole);
    await page.goto(`http://localhost:${websitePort}/embed.html`);
    await waitFor(() => (refusals.length > 0 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'chromium refusing to frame the player for another site',
    });
    page.off('console', onConsole);
    const framedPlayer = page.frames().find((f) => f.url().includes('/embed/player'));
    assert.equal(
      (await framedPlayer
        ?.locator('video')
        .count()
        .catch(() => 0)) ?? 0,
      0,
      'nothing shown there',
    );
  });

  it('the Settings card shows what is on, refuses a short interval next to its field, and turns the picture off', async () => {
    const { page } = rig.ui;
    await signInAs(page);
    await page.goto('/settings');
    const card = page.getByRole('region', { name: 'Venue website' });
    await card.waitFor();
    const picture = card.getByRole('region', { name: 'Live picture' });
    assert.equal(
      await picture.getByRole('checkbox', { name: /Serve a public live picture/ }).isChecked(),
      true,
    );
    assert.equal(await picture.getByLabel('Refresh every (seconds)').inputValue(), String(INTERVAL_S));
    const push = card.getByRole('region', { name: 'Send the picture to a website' });
    assert.match(await push.getByTestId('push-credentials').innerText(), /user venue\), hidden/);
    assert.equal(
      (await page.content()).includes(PUSH_PASSWORD),
      false,
      'the password never reaches the page',
    );
    const player = card.getByRole('region', { name: 'Embeddable player' });
    const snippet = await player.getByText(/<iframe src=/).innerText();
    assert.ok(snippet.includes(`${rig.appliance.url}/embed/player`), snippet);
    assert.deepEqual(await a11yViolations(page), []);
    await card.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'w1-settings-website');
    await card.screenshot({ path: join(SCREENSHOTS, 'w1-settings-website-card.png') });

    // Viewers at a time (the player's HLS costs the uplink per viewer): default 10, checked, saved.
    const viewers = player.getByLabel('Viewers at a time');
    assert.equal(await viewers.inputValue(), '10');
    await viewers.fill('0');
    await player.getByRole('button', { name: 'Save player' }).click();
    await player.getByText('must be at least 1', { exact: true }).waitFor();
    assert.equal(await viewers.getAttribute('aria-invalid'), 'true');
    await player.screenshot({ path: join(SCREENSHOTS, 'g3-settings-player-viewers-error.png') });
    await viewers.fill('4');
    await player.getByRole('button', { name: 'Save player' }).click();
    await player.getByText('Saved: the player page is public.').waitFor();
    const stored = await api.request<Record<string, unknown>>('GET', '/api/settings');
    assert.deepEqual(stored.body['website.player'], {
      enabled: true,
      embed_sites: [`http://127.0.0.1:${websitePort}`],
      max_viewers: 4,
    });
    await player.screenshot({ path: join(SCREENSHOTS, 'g3-settings-player-viewers.png') });

    await picture.getByLabel('Refresh every (seconds)').fill('3');
    await picture.getByRole('button', { name: 'Save live picture' }).click();
    await picture.getByText('must be at least 5 seconds', { exact: true }).waitFor();
    assert.equal(await picture.getByLabel('Refresh every (seconds)').getAttribute('aria-invalid'), 'true');
    await saveScreenshot(page, 'w1-settings-website-error');
    await picture.screenshot({ path: join(SCREENSHOTS, 'w1-settings-website-error-part.png') });

    await picture.getByLabel('Refresh every (seconds)').fill(String(INTERVAL_S));
    await picture.getByRole('checkbox', { name: /Serve a public live picture/ }).uncheck();
    await picture.getByRole('button', { name: 'Save live picture' }).click();
    await picture.getByText(/the live picture is off/).waitFor();
    assert.equal((await stranger('/live.jpg')).status, 404, 'off: 404');
  });

  it('answers 429 with Retry-After past the per-client limit', async () => {
    await setting('website.live_picture', {
      enabled: true,
      size: '640x360',
      interval_s: INTERVAL_S,
      requests_per_minute: 3,
    });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const answer = await stranger('/live.jpg');
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = answer.headers.get('retry-after');
      await answer.arrayBuffer();
    }
    // The minute's earlier requests count too: at most 3 pass, then every one is refused.
    const firstRefused = statuses.indexOf(429);
    assert.ok(firstRefused >= 0 && firstRefused <= 3, statuses.join(','));
    assert.ok(
      statuses.slice(firstRefused).every((status) => status === 429),
      statuses.join(','),
    );
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After ${retryAfter}`);
  });
  it('off air: the still is the "be right back" slate (pushed too) and the player page says so', async () => {
    await setting('website.live_picture', {
      enabled: true,
      size: '640x360',
      interval_s: INTERVAL_S,
      requests_per_minute: 600,
    });
    const stop = await api.request('POST', '/api/show/stop');
    assert.ok(stop.status < 300, JSON.stringify(stop.body));
    await waitFor(
      async () =>
        (await api.request<{ state: string }>('GET', '/api/show')).body.state === 'idle' ? true : undefined,
      { timeoutMs: 30_000, intervalMs: 250, what: 'the show stopped' },
    );
    const slate = await waitFor(
      async () => {
        const answer = await stranger('/live.jpg');
        if (answer.status !== 200) return undefined;
        const still = await jpegOf(answer);
        const far =
          colourDistance(still.look.mean, RED_RGB) > 100 && colourDistance(still.look.mean, BLUE_RGB) > 100;
        return far ? still : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1_000, what: 'the "be right back" still' },
    );
    assert.deepEqual([slate.look.width, slate.look.height], [640, 360]);
    await waitFor(() => (pushed.at(-1)?.onAir === '0' ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the slate pushed, marked off air',
    });

    const { page } = rig.ui;
    await page.goto('/embed/player');
    await page.getByText(/off the air right now/).waitFor({ timeout: 30_000 });
    assert.deepEqual(await a11yViolations(page), []);
    await saveScreenshot(page, 'w1-player-off-air');
  });
});
