// The daily time-lapse end to end (issue 17) against the real appliance (src/main.ts), a simulated
// RTSP camera, a local nginx-rtmp and chromium: a compressed "day" (a snapshot every second for
// about 20 s of a show on air), then "make it now": an MP4 whose ffprobe duration is frames/fps
// within one frame, that decodes without an error, listed by the API and on the Time-lapse page,
// where it plays. While it is encoded the show on air is watched over the WebSocket: degraded
// mode must not step it down (the figures are printed; run with VISTTER_TEST_CPU_LOAD=2 too).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import type WebSocket from 'ws';
import { LiveMessageSchema, type LiveState } from '../../../src/domain/live.ts';
import { a11yViolations } from '../../helpers/a11y.ts';
import type { ApplianceClient } from '../../helpers/appliance.ts';
import { saveScreenshot, signInAs } from '../../helpers/browser.ts';
import { useControlRoomRig } from '../../helpers/control-room-rig.ts';
import { probeFile } from '../../helpers/media-probe.ts';
import { delay, waitFor } from '../../helpers/proc.ts';
import { tempDir } from '../../helpers/temp.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

const execFileAsync = promisify(execFile);
const W = 320;
const H = 180;
const FPS = 30;
const TIMELINE = 'Harbour day';
const LAPSE_FPS = 10;
/** The compressed day: a snapshot a second for this long. */
const DAY_MS = 20_000;
/** What an operator waits for GO LIVE and for a 20-frame encode on a busy machine. */
const ON_AIR_WITHIN_MS = 60_000;
const MADE_WITHIN_MS = 180_000;
/** Encodes back to back for at least this long (more than degraded mode's 10 s window). */
const ENCODING_FOR_MS = 15_000;
const MAX_ROUNDS = 60;

interface Overview {
  items: Array<{
    day: string;
    seconds: number;
    frames: number;
    fps: number;
    bytes: number;
    complete: boolean;
  }>;
  today: { day: string; snapshots: number };
  job: { state: string; day: string | null; message: string | null };
}

/** What the test reads of the page's <video> (the DOM types are not in the Node build). */
interface VideoLike {
  muted: boolean;
  currentTime: number;
  videoWidth: number;
  duration: number;
  error: { message: string } | null;
  play(): Promise<void>;
  pause(): void;
}

function listOf(body: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(body)) return body as Array<Record<string, unknown>>;
  const items = (body as { items?: unknown }).items;
  return Array.isArray(items) ? (items as Array<Record<string, unknown>>) : [];
}

/** Offset of a top-level MP4 box ("moov", "mdat"), or -1. */
function boxOffset(file: Buffer, type: string): number {
  let at = 0;
  while (at + 8 <= file.length) {
    const size = file.readUInt32BE(at);
    if (file.toString('latin1', at + 4, at + 8) === type) return at;
    if (size < 8) return -1;
    at += size;
  }
  return -1;
}

describe('daily time-lapse (real appliance, real show, chromium)', () => {
  let api: ApplianceClient | undefined;
  const rig = useControlRoomRig('vistter-e2e-timelapse-', {
    width: W,
    height: H,
    fps: FPS,
    cameraColor: 0x2a8040,
    streamKey: 'timelapse',
    timeline: (cameraId) =>
      cameraTimeline({
        name: TIMELINE,
        duration: 600,
        fps: FPS,
        resolution: `${W}x${H}`,
        loop: true,
        cues: [{ camera: cameraId, start: 0, duration: 600 }],
      }),
    more: async (client) => {
      api = client;
    },
  });
  const files = tempDir('vistter-e2e-timelapse-files-');
  const states: Array<{ at: number; state: LiveState }> = [];
  let socket: WebSocket | undefined;
  let snapshots = -1;
  let overview: Overview | undefined;
  const encodeWindow = { from: 0, to: 0 };

  it('takes a snapshot a second while the show is on air, and makes the MP4 on demand', async () => {
    const client = api!;
    const settings = await client.request('PUT', '/api/settings/timelapse.settings', {
      value: { enabled: true, interval_seconds: 1, fps: LAPSE_FPS, size: '1280x720', hours: null },
    });
    assert.equal(settings.status, 200, JSON.stringify(settings.body));
    const refused = await client.request('PUT', '/api/settings/timelapse.settings', {
      value: { enabled: true, interval_seconds: 0, fps: LAPSE_FPS, size: '1280x720', hours: null },
    });
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /value\.interval_seconds/);

    const timelineId = Number(
      listOf((await client.request('GET', '/api/timelines')).body).find((t) => t.name === TIMELINE)?.id,
    );
    const destinationIds = listOf((await client.request('GET', '/api/destinations')).body).map((d) =>
      Number(d.id),
    );
    socket = await client.live((message) => {
      states.push({ at: Date.now(), state: LiveMessageSchema.parse(message).data });
    });
    const goLive = await client.request('POST', '/api/show/go-live', { timelineId, destinationIds });
    assert.equal(goLive.status, 202, JSON.stringify(goLive.body));
    await waitFor(
      () => {
        const s = states.at(-1)?.state;
        return s?.state === 'live' && s.show && !s.show.demo ? true : undefined;
      },
      { timeoutMs: ON_AIR_WITHIN_MS, what: 'the show on air' },
    );
    const nothing = await client.request<Overview>('GET', '/api/timelapses');
    const before = nothing.body.today.snapshots;
    await delay(DAY_MS);
    // The "day" ends: no more snapshots, so the count the encode reads is known.
    const off = await client.request('PUT', '/api/settings/timelapse.settings', {
      value: { enabled: false, interval_seconds: 1, fps: LAPSE_FPS, size: '1280x720', hours: null },
    });
    assert.equal(off.status, 200);
    await delay(2500);
    snapshots = (await client.request<Overview>('GET', '/api/timelapses')).body.today.snapshots;
    console.log(
      `time-lapse: ${snapshots - before} snapshots in ${DAY_MS / 1000} s on air (${snapshots} today)`,
    );
    assert.ok(snapshots - before >= 10, `about one snapshot a second on air (${snapshots - before} in 20 s)`);

    // Made several times back to back, so the show is watched over more than degraded mode's
    // 10 s window of encoding (one 20-frame encode takes a second or two).
    encodeWindow.from = Date.now();
    const durations: number[] = [];
    for (let round = 0; Date.now() - encodeWindow.from < ENCODING_FOR_MS && round < MAX_ROUNDS; round++) {
      const started = Date.now();
      const made = await client.request<{ job: { state: string } }>('POST', '/api/timelapses/make-now');
      assert.equal(made.status, 202, JSON.stringify(made.body));
      if (round === 0) {
        const again = await client.request('POST', '/api/timelapses/make-now');
        assert.ok(
          again.status === 409 || again.status === 202,
          `a second request while encoding: ${again.status}`,
        );
        if (again.status === 409) assert.match(JSON.stringify(again.body), /TIMELAPSE_BUSY/);
      }
      overview = await waitFor(
        async () => {
          const answer = await client.request<Overview>('GET', '/api/timelapses');
          return ['done', 'failed'].includes(answer.body.job.state) ? answer.body : undefined;
        },
        { timeoutMs: MADE_WITHIN_MS, intervalMs: 250, what: 'the time-lapse made' },
      );
      durations.push(Date.now() - started);
      assert.equal(overview.job.state, 'done', overview.job.message ?? '');
    }
    encodeWindow.to = Date.now();
    console.log(
      `time-lapse: made ${durations.length} times in ${durations.join(', ')} ms: ${overview!.job.message}`,
    );
  });

  it('the MP4 has frames/fps seconds within one frame, starts with its index, and decodes without error', async () => {
    const client = api!;
    const item = overview!.items.find((i) => i.day === overview!.today.day);
    assert.ok(item, `today's time-lapse is listed: ${JSON.stringify(overview!.items)}`);
    assert.equal(item.frames, snapshots, 'every snapshot of the day is a frame');
    assert.equal(item.fps, LAPSE_FPS);
    assert.equal(item.complete, false, 'made before the day ended: "so far"');
    const response = await fetch(`${rig.appliance.url}/api/timelapses/${item.day}/video`);
    assert.equal(response.status, 401, 'the video is not public');
    const download = await client.request('GET', `/api/timelapses/${item.day}/video`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'video/mp4');
    // The client reads text; read the bytes through the same session instead.
    const bytes = Buffer.from(
      await (
        await fetch(`${rig.appliance.url}/api/timelapses/${item.day}/video`, {
          headers: { cookie: (client as unknown as { cookie: string }).cookie },
        })
      ).arrayBuffer(),
    );
    assert.equal(bytes.length, item.bytes);
    const path = join(files.path, 'today.mp4');
    writeFileSync(path, bytes);
    const probe = await probeFile(path);
    const expected = snapshots / LAPSE_FPS;
    console.log(
      `time-lapse: ffprobe ${probe.durationSec} s, expected ${expected} s (${snapshots} frames at ${LAPSE_FPS} fps)`,
    );
    assert.ok(
      Math.abs(probe.durationSec - expected) <= 1 / LAPSE_FPS + 1e-6,
      `duration ${probe.durationSec} ≈ ${expected}`,
    );
    assert.equal(probe.video?.codec, 'h264');
    assert.equal(probe.video?.width, 1280);
    assert.equal(probe.video?.height, 720);
    assert.equal(probe.audio, undefined);
    const moov = boxOffset(readFileSync(path), 'moov');
    const mdat = boxOffset(readFileSync(path), 'mdat');
    assert.ok(moov >= 0 && moov < mdat, `+faststart: moov (${moov}) before mdat (${mdat})`);
    const decoded = await execFileAsync(
      'ffprobe',
      [
        '-v',
        'error',
        '-count_frames',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=nb_read_frames',
        '-of',
        'csv=p=0',
        path,
      ],
      { timeout: 60_000 },
    );
    assert.equal(decoded.stderr.trim(), '', 'decodes without an error');
    assert.equal(Number(decoded.stdout.trim()), snapshots, 'every frame decodes');

    // Only the operator's show is in it (not the demo that ran before GO LIVE): its first frame is
    // the camera's green, averaged over the whole picture.
    const first = await execFileAsync(
      'ffmpeg',
      [
        '-v',
        'error',
        '-i',
        path,
        '-frames:v',
        '1',
        '-vf',
        'scale=1:1',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-',
      ],
      { encoding: 'buffer', timeout: 30_000 },
    );
    const [r, g, b] = [...first.stdout];
    console.log(
      `time-lapse: first frame's mean colour rgb(${r}, ${g}, ${b}); the camera is rgb(42, 128, 64)`,
    );
    assert.ok(
      g! > r! + 40 && g! > b! + 30,
      `the first frame is the camera's green, not the demo: rgb(${r}, ${g}, ${b})`,
    );

    const bad = await client.request('GET', '/api/timelapses/yesterday/video');
    assert.equal(bad.status, 400);
    const missing = await client.request('GET', '/api/timelapses/2001-01-01/video');
    assert.equal(missing.status, 404);
    assert.match(JSON.stringify(missing.body), /TIMELAPSE_NOT_FOUND/);
  });

  it('the show on air was not stepped down by degraded mode while the time-lapse was made', async () => {
    await delay(12_000); // degraded mode judges a 10 s window: the encode's aftermath too
    socket?.close();
    const window = states.filter((s) => s.at >= encodeWindow.from && s.state.show);
    assert.ok(window.length > 0, 'the show was watched during the encode');
    const stepsDown = new Set(
      window
        .map((s) => s.state.show!.quality.lastChange)
        .filter((c) => c !== null && c.direction === 'down' && Date.parse(c.at) >= encodeWindow.from - 1000)
        .map((c) => `${c!.at} ${c!.sentence}`),
    );
    const degradedShare = window.filter((s) => s.state.show!.quality.degraded).length / window.length;
    const symptomShare =
      window.filter((s) => s.state.show!.quality.symptoms.length > 0).length / window.length;
    console.log(
      `time-lapse: during and 12 s after the encode: ${window.length} live states, ` +
        `${Math.round(degradedShare * 100)} % degraded (level at start ${window[0]!.state.show!.quality.level}), ` +
        `${Math.round(symptomShare * 100)} % with symptoms, steps down: ${stepsDown.size === 0 ? 'none' : [...stepsDown].join('; ')}`,
    );
    assert.equal(stepsDown.size, 0, `degraded mode stepped the show down: ${[...stepsDown].join('; ')}`);
  });

  it('the Time-lapse page lists it, plays it, makes it again with progress, and words a refused setting', async () => {
    const { page, pageErrors } = rig.ui;
    await signInAs(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Time-lapse' }).click();
    await page.getByRole('heading', { name: 'Time-lapse', level: 1 }).waitFor();
    const day = overview!.today.day;
    const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3 }) });
    await item.first().waitFor();
    await page.getByText(new RegExp(`${snapshots} snapshots at ${LAPSE_FPS} fps`)).waitFor();
    await page.getByRole('heading', { level: 3, name: /\(so far\)/ }).waitFor();
    const video = page.getByLabel(`Time-lapse of ${day}`);
    await video.waitFor();
    const played = await video.evaluate(async (element) => {
      const v = element as unknown as VideoLike;
      v.muted = true;
      await v.play();
      const started = performance.now();
      while (v.currentTime < 0.5 && !v.error && performance.now() - started < 20_000)
        await new Promise((resolve) => setTimeout(resolve, 100));
      return {
        currentTime: v.currentTime,
        error: v.error?.message ?? null,
        width: v.videoWidth,
        duration: v.duration,
      };
    });
    console.log(`time-lapse in chromium: ${JSON.stringify(played)}`);
    assert.equal(played.error, null);
    assert.ok(played.currentTime >= 0.5, `chromium played it (${played.currentTime} s)`);
    assert.equal(played.width, 1280);
    await video.evaluate((element) => (element as unknown as VideoLike).pause());
    await saveScreenshot(page, 'w2-01-timelapse-list');
    assert.deepEqual(await a11yViolations(page), []);

    await page.getByRole('button', { name: 'Make today’s so far' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: new RegExp(`Made the time-lapse of ${day}: ${snapshots} frames`) })
      .waitFor({ timeout: MADE_WITHIN_MS });
    await saveScreenshot(page, 'w2-02-timelapse-made-again');

    const interval = page.getByLabel('Snapshot every (seconds)');
    await interval.fill('0');
    await page.getByRole('button', { name: 'Save time-lapse settings' }).click();
    await page.getByText('must be from 1 to 600 seconds', { exact: true }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'The time lapse configuration is not valid' }).waitFor();
    await saveScreenshot(page, 'w2-03-timelapse-settings-refused');
    assert.deepEqual(await a11yViolations(page), []);
    await interval.fill('30');
    await page.getByLabel('Which hours').selectOption({ label: 'Only between two times of day' });
    await page.getByRole('button', { name: 'Save time-lapse settings' }).click();
    await page.getByText('Saved: the time-lapse is off; no snapshots are taken.').waitFor();
    const stored = await api!.request<Record<string, unknown>>('GET', '/api/settings');
    assert.deepEqual(stored.body['timelapse.settings'], {
      enabled: false,
      interval_seconds: 30,
      fps: LAPSE_FPS,
      size: '1280x720',
      hours: { from: '07:00', to: '19:00' },
    });
    await saveScreenshot(page, 'w2-04-timelapse-settings-saved');

    await page.getByRole('button', { name: `Delete ${day}` }).click();
    await page
      .getByRole('dialog', { name: 'Delete this time-lapse?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByText(/No time-lapse yet/).waitFor();
    assert.deepEqual(pageErrors, []);
    files.cleanup();
  });
});
