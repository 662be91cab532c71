// The control room's health over the last hour (issue 16, item 3), against the real appliance:
// the demo show on air is sampled every 10 s into the database; the history survives a restart of
// the appliance process on the same data folder (read back through the API); and chromium draws
// the five graphs, each with a sentence for screen readers naming its latest value and range.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { ShowRequest } from '../../../src/app/execution-plan.ts';
import type { RunningShow } from '../../../src/app/running-show.ts';
import { ShowControl } from '../../../src/app/show-control.ts';
import type { HealthHistory, HealthSample } from '../../../src/domain/health-history.ts';
import { AppError } from '../../../src/errors/registry.ts';
import type { HealthSampleRecord } from '../../../src/store/repositories/health-samples.ts';
import { a11yViolations } from '../../helpers/a11y.ts';
import { ApplianceClient, applianceEnv, startAppliance, type Appliance } from '../../helpers/appliance.ts';
import {
  launchBrowser,
  openPage,
  saveScreenshot,
  SCREENSHOTS,
  signInAs,
  useBrowserUi,
} from '../../helpers/browser.ts';
import { useControlRoomRig } from '../../helpers/control-room-rig.ts';
import { waitFor } from '../../helpers/proc.ts';
import { tempDir } from '../../helpers/temp.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

const INTERVAL_MS = 10_000;
const onAir = (samples: HealthSample[]) => samples.filter((sample) => sample.onAir);

async function history(client: ApplianceClient): Promise<HealthSample[]> {
  const answer = await client.request<HealthHistory>('GET', '/api/health/history?minutes=60');
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.samples;
}

describe('health graphs (real appliance, restart, chromium)', { timeout: 600_000 }, () => {
  const dir = tempDir('vistter-health-');
  // The same environment (and so the same secret key) for both runs: one appliance, restarted.
  const env = applianceEnv(dir.path);
  let appliance: Appliance | null = null;
  let browser: Browser | null = null;
  let beforeRestart: HealthSample[] = [];

  before(async () => {
    appliance = await startAppliance(env);
  });
  after(async () => {
    await browser?.close();
    await appliance?.stop();
    dir.cleanup();
  });

  it('samples the demo show every 10 s: figures of a running show, on 10 s boundaries', async () => {
    const client = new ApplianceClient(appliance!.url);
    await client.setup();
    beforeRestart = await waitFor(
      async () => {
        const samples = onAir(await history(client));
        return samples.length >= 3 ? samples : null;
      },
      { timeoutMs: 120_000, intervalMs: 2_000, what: 'three samples of the demo show' },
    );
    for (const sample of beforeRestart) {
      const at = Date.parse(sample.at);
      assert.equal(at % INTERVAL_MS, 0, `${sample.at} ends a 10 s interval of the wall clock`);
      assert.ok(sample.executionId !== null && sample.executionId > 0);
      assert.ok(sample.droppedFrames !== null && sample.droppedFrames >= 0);
      assert.equal(sample.reconnects, 0, 'the demo has no destination to reconnect');
      assert.ok(
        sample.systemCpuPercent === null || (sample.systemCpuPercent >= 0 && sample.systemCpuPercent <= 100),
      );
    }
    // The first interval may have caught the show starting; the later ones are the show running.
    const settled = beforeRestart.slice(1);
    assert.ok(
      settled.every((sample) => sample.fps !== null && sample.fps > 5 && sample.fps <= 31),
      `fps: ${settled.map((s) => s.fps).join(', ')}`,
    );
    assert.ok(
      settled.every((sample) => sample.bitrateKbps !== null && sample.bitrateKbps > 100),
      `kbps: ${settled.map((s) => s.bitrateKbps).join(', ')}`,
    );
    const steps = settled.map((sample, i) => Date.parse(sample.at) - Date.parse(beforeRestart[i]!.at));
    assert.ok(
      steps.every((step) => step === INTERVAL_MS),
      `one sample per 10 s while on air: ${steps.join(', ')}`,
    );
  });

  it('keeps the history across a restart of the appliance on the same data folder', async () => {
    await appliance!.stop();
    appliance = await startAppliance(env);
    const client = new ApplianceClient(appliance.url);
    const login = await client.request('POST', '/api/auth/login', {
      username: 'admin',
      password: 'correct horse battery',
    });
    assert.equal(login.status, 200);
    const restartedAt = Date.now();
    const samples = await waitFor(
      async () => {
        const all = await history(client);
        return all.some((sample) => sample.onAir && Date.parse(sample.at) > restartedAt) ? all : null;
      },
      { timeoutMs: 120_000, intervalMs: 2_000, what: 'a sample after the restart' },
    );
    const kept = new Map(samples.map((sample) => [sample.at, sample]));
    for (const sample of beforeRestart)
      assert.deepEqual(kept.get(sample.at), sample, `the sample of ${sample.at} is still there, unchanged`);
  });

  it('draws the five graphs with their latest value and range, in words for screen readers', async () => {
    browser = await launchBrowser();
    const { page, pageErrors } = await openPage(browser, appliance!.url);
    await signInAs(page);
    const card = page.getByRole('region', { name: 'Health, last hour' });
    await card.waitFor();
    const titles = ['Bitrate', 'Frame rate', 'Dropped frames', 'CPU', 'Reconnects'];
    const graphs = Object.fromEntries(
      titles.map((title) => [
        title,
        card.getByRole('img', { name: new RegExp(`^${title}, last 60 minutes`) }),
      ]),
    );
    // Each graph says what it shows now (a sample of the last 20 s exists: the show is on air).
    await waitFor(
      async () => {
        const label = await graphs['Bitrate']!.getAttribute('aria-label');
        return label?.includes('now ') ? label : null;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, what: 'the bitrate graph to have a value for now' },
    );
    const labels: Record<string, string> = {};
    for (const title of titles) labels[title] = (await graphs[title]!.getAttribute('aria-label')) ?? '';

    const client = new ApplianceClient(appliance!.url);
    await client.request('POST', '/api/auth/login', { username: 'admin', password: 'correct horse battery' });
    const samples = await history(client);
    const fps = onAir(samples).map((sample) => sample.fps!);
    const label = labels['Frame rate']!;
    const range = /lowest ([\d.]+), highest ([\d.]+) fps/.exec(label);
    assert.ok(range, label);
    // The page read the history a moment before this test did: its range lies within the API's.
    assert.ok(
      Number(range[1]) >= Math.min(...fps) - 0.05 && Number(range[2]) <= Math.max(...fps) + 0.05,
      label,
    );
    assert.match(
      labels['Bitrate']!,
      /^Bitrate, last 60 minutes: now [\d,]+ kbps; lowest [\d,]+, highest [\d,]+ kbps/,
    );
    assert.match(
      labels['CPU']!,
      /^CPU, last 60 minutes: (now \d+ %|no show on air now); lowest \d+, highest \d+ %/,
    );
    assert.match(
      labels['Dropped frames']!,
      /: now [\d,]+ per 10 s; [\d,]+ in the hour, at most [\d,]+ per 10 s/,
    );
    assert.match(labels['Reconnects']!, /: now 0 per 10 s; 0 in the hour, at most 0 per 10 s/);
    // A hole of more than one interval in the history (the restart) is drawn as a gap.
    const times = onAir(samples).map((sample) => Date.parse(sample.at));
    const holes = times.slice(1).filter((at, i) => at - times[i]! > INTERVAL_MS * 1.5).length;
    if (holes > 0) assert.match(labels['Frame rate']!, /, \d+ gaps?\.$/, 'the restart shows as a gap');

    // The figure beside each title is the one the sentence names.
    const bitrateNow = /now ([\d,]+ kbps)/.exec(labels['Bitrate']!)![1]!;
    await card.getByText(bitrateNow, { exact: true }).first().waitFor();
    assert.equal(await card.getByText('−60 min').count(), 5);

    await saveScreenshot(page, 'health-graphs-control-room');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await card.screenshot({ path: join(SCREENSHOTS, 'health-graphs-card.png') });
    assert.deepEqual(await a11yViolations(page), []);
    assert.deepEqual(pageErrors, []);
  });
});

describe('health graphs over an hour of history (served UI, chromium)', { timeout: 180_000 }, () => {
  // An idle appliance (nothing on air now) whose last hour held two shows: the first stopped
  // 30 min ago, the second had one 10 s without a sample (a stalled moment) and ended 5 min ago.
  const ui = useBrowserUi({
    serve: ({ store, clock, dataDir }) => ({
      shows: new ShowControl({
        store,
        dataDir,
        clock,
        runner: {
          start: async (_request: ShowRequest): Promise<RunningShow> => {
            throw new AppError('SHOW_NOT_LIVE', 'no show starts in this test');
          },
        },
        preflight: async () => ({ ok: true, checks: [] }),
      }),
    }),
  });

  const seed = (now: number) => {
    const samples: HealthSampleRecord[] = [];
    const show = (executionId: number, fromS: number, toS: number, skipS: number | null) => {
      for (let s = fromS; s >= toS; s -= 10) {
        if (s === skipS) continue;
        samples.push({
          at: now - s * 1000,
          onAir: true,
          executionId,
          bitrateKbps: s === 2400 ? 1200 : s % 20 === 0 ? 2400 : 2600,
          fps: s === 2400 ? 24 : 30,
          droppedFrames: s === 2400 ? 6 : s === 600 ? 3 : 0,
          systemCpuPercent: s % 20 === 0 ? 40 : 70,
          reconnects: s === 2000 ? 1 : 0,
        });
      }
    };
    const offAir = (s: number) =>
      samples.push({
        at: now - s * 1000,
        onAir: false,
        executionId: null,
        bitrateKbps: null,
        fps: null,
        droppedFrames: null,
        systemCpuPercent: null,
        reconnects: null,
      });
    show(1, 3590, 1800, null);
    offAir(1790);
    show(2, 1200, 300, 900);
    offAir(290);
    for (const sample of samples) ui.served.api.store.healthSamples.insert(sample);
  };

  it('draws each graph across the hour with its gaps, range and words, and refreshes every 10 s', async () => {
    seed(ui.served.api.clock.wallNow());
    const { page, pageErrors } = await ui.signedInPage();
    const card = page.getByRole('region', { name: 'Health, last hour' });
    const graph = (title: string) =>
      card.getByRole('img', { name: new RegExp(`^${title}, last 60 minutes`) });
    await graph('Bitrate').waitFor();
    const label = (title: string) => graph(title).getAttribute('aria-label');
    assert.equal(
      await label('Bitrate'),
      'Bitrate, last 60 minutes: no show on air now; lowest 1,200, highest 2,600 kbps, 2 gaps.',
    );
    assert.equal(
      await label('Frame rate'),
      'Frame rate, last 60 minutes: no show on air now; lowest 24.0, highest 30.0 fps, 2 gaps.',
    );
    assert.equal(
      await label('Dropped frames'),
      'Dropped frames, last 60 minutes: no show on air now; 9 in the hour, at most 6 per 10 s, 2 gaps.',
    );
    assert.equal(
      await label('CPU'),
      'CPU, last 60 minutes: no show on air now; lowest 40, highest 70 %, 2 gaps.',
    );
    assert.equal(
      await label('Reconnects'),
      'Reconnects, last 60 minutes: no show on air now; 1 in the hour, at most 1 per 10 s, 2 gaps.',
    );
    // What the eye reads: no current figure, the range under each graph, three separate lines.
    assert.equal(await card.getByText('—', { exact: true }).count(), 5);
    await card.getByText('min 1,200 · max 2,600').waitFor();
    await card.getByText('9 in the hour · max 6').waitFor();
    const lines = await graph('Frame rate').locator('path').getAttribute('d');
    assert.equal(lines?.match(/M/g)?.length, 3, `three runs drawn apart: ${lines}`);
    await saveScreenshot(page, 'health-graphs-hour');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await card.screenshot({ path: join(SCREENSHOTS, 'health-graphs-hour-card.png') });
    assert.deepEqual(await a11yViolations(page), []);

    // A show goes on air again: within one refresh (10 s) the graphs say what it does now.
    const { clock, store } = ui.served.api;
    clock.advance(20_000);
    store.healthSamples.insert({
      at: clock.wallNow(),
      onAir: true,
      executionId: 3,
      bitrateKbps: 2512.4,
      fps: 29.5,
      droppedFrames: 0,
      systemCpuPercent: 55,
      reconnects: 0,
    });
    await card.getByText('2,512 kbps', { exact: true }).waitFor({ timeout: 20_000 });
    assert.match(
      (await label('Frame rate')) ?? '',
      /: now 29\.5 fps; lowest 24\.0, highest 30\.0 fps, 3 gaps\.$/,
    );

    await page.setViewportSize({ width: 390, height: 844 });
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: join(SCREENSHOTS, 'health-graphs-phone.png') });
    assert.deepEqual(pageErrors, []);
  });
});

describe('reconnects of a real destination (RTSP camera, nginx-rtmp, chromium)', { timeout: 400_000 }, () => {
  const rig = useControlRoomRig('vistter-health-reconnects-', {
    width: 320,
    height: 180,
    fps: 15,
    cameraColor: 0x2060d0,
    streamKey: 'program',
    timeline: (cameraId) =>
      cameraTimeline({
        name: 'Harbour health',
        duration: 600,
        fps: 15,
        resolution: '320x180',
        loop: true,
        cues: [{ camera: cameraId, start: 0, duration: 600 }],
      }),
  });

  it('counts the destination’s failed sessions as reconnects, in the history and on the graph', async () => {
    const api = new ApplianceClient(rig.appliance.url);
    await api.request('POST', '/api/auth/login', { username: 'admin', password: 'correct horse battery' });
    const timelines = await api.request<{ id: number; name: string }[]>('GET', '/api/timelines');
    const destinations = await api.request<{ id: number }[]>('GET', '/api/destinations');
    const timelineId = timelines.body.find((t) => t.name === 'Harbour health')!.id;
    const goLive = await api.request('POST', '/api/show/go-live', {
      timelineId,
      destinationIds: [destinations.body[0]!.id],
    });
    assert.equal(goLive.status, 202, JSON.stringify(goLive.body));
    await rig.rtmp.waitForPublisher('live', 'program', 60_000);
    const show = await api.request<{ show: { executionId: number; demo: boolean } | null }>(
      'GET',
      '/api/show',
    );
    const executionId = show.body.show!.executionId;
    const ofShow = async () => (await history(api)).filter((s) => s.onAir && s.executionId === executionId);
    // Streaming to a healthy destination: no reconnect.
    const healthy = await waitFor(async () => ((await ofShow()).length >= 2 ? await ofShow() : null), {
      timeoutMs: 60_000,
      intervalMs: 2_000,
      what: 'two samples of the show',
    });
    assert.deepEqual(
      healthy.map((s) => s.reconnects),
      healthy.map(() => 0),
    );

    // The destination's server goes away: each failed session restarted counts within its 10 s.
    await rig.rtmp.stop();
    const failing = await waitFor(
      async () => {
        const samples = await ofShow();
        return samples.some((s) => (s.reconnects ?? 0) > 0) ? samples : null;
      },
      { timeoutMs: 90_000, intervalMs: 2_000, what: 'a sample with a reconnect' },
    );
    await rig.rtmp.start();
    const total = failing.reduce((sum, s) => sum + (s.reconnects ?? 0), 0);
    assert.ok(total >= 1);
    assert.ok(
      failing.every((s) => s.fps !== null && s.fps > 0),
      'the program goes on while one destination reconnects',
    );

    const { page } = rig.ui;
    await signInAs(page);
    const card = page.getByRole('region', { name: 'Health, last hour' });
    const graph = card.getByRole('img', { name: /^Reconnects, last 60 minutes/ });
    const label = await waitFor(
      async () => {
        const text = (await graph.getAttribute('aria-label')) ?? '';
        const counted = /; (\d+) in the hour, at most (\d+) per 10 s/.exec(text);
        return counted && Number(counted[1]) >= total ? { text, counted } : null;
      },
      { timeoutMs: 30_000, intervalMs: 1_000, what: 'the graph to count the reconnects' },
    );
    assert.ok(Number(label.counted[2]) >= 1, label.text);
    await card.screenshot({ path: join(SCREENSHOTS, 'health-graphs-reconnects.png') });
  });
});
