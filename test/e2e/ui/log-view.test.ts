// Remediations that can be acted on, in a real browser against the real appliance (src/main.ts)
// with a simulated RTSP camera and a local nginx-rtmp: the encoder preset chosen in Settings →
// Encoder is what the next show's encoder runs with (the control room's quality line and the
// encoder ffmpeg's own argv), and the Log page lists the appliance's recent lines, newest first,
// filtered by level, component and text (a remediation's "Log (filter: encoder)" link opens it
// filtered), with no stream key in sight.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { a11yViolations } from '../../helpers/a11y.ts';
import { ADMIN } from '../../helpers/api.ts';
import { ApplianceClient } from '../../helpers/appliance.ts';
import { saveScreenshot, signInAs } from '../../helpers/browser.ts';
import { useControlRoomRig } from '../../helpers/control-room-rig.ts';
import { waitFor } from '../../helpers/proc.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

const W = 320;
const H = 180;
const FPS = 15;
const TIMELINE = 'Harbour log';
const STREAM_KEY = 'logview-key-7Hq2';
/** Degraded mode never chooses ultrafast, so an encoder running it runs the operator's choice. */
const CHOSEN = 'ultrafast';
/** GO LIVE measures this machine first; a busy machine takes tens of seconds. */
const ON_AIR_WITHIN_MS = 120_000;

/** The argv of every process the appliance started (its direct children). */
function childArgvs(parentPid: number): string[][] {
  const out: string[][] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: the comm may hold spaces, so read after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parentPid) continue;
      out.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

interface LiveAnswer {
  state: string;
  show: { demo: boolean; quality: { description: string; ladder: string[]; level: number } } | null;
}

describe('encoder preset and the Log page (chromium, real appliance)', () => {
  const rig = useControlRoomRig('vistter-e2e-ui-log-', {
    width: W,
    height: H,
    fps: FPS,
    cameraColor: 0x20a060,
    streamKey: STREAM_KEY,
    timeline: (cameraId) =>
      cameraTimeline({
        name: TIMELINE,
        duration: 600,
        fps: FPS,
        resolution: `${W}x${H}`,
        loop: true,
        cues: [{ camera: cameraId, start: 0, duration: 600 }],
      }),
  });
  const api = (): Promise<ApplianceClient> =>
    (async () => {
      const client = new ApplianceClient(rig.appliance.url);
      const login = await client.request('POST', '/api/auth/login', ADMIN);
      assert.equal(login.status, 200, JSON.stringify(login.body));
      return client;
    })();

  it('the preset chosen in Settings → Encoder is what the next show encodes with', async () => {
    const { page } = rig.ui;
    await signInAs(page);
    // Where a remediation sends the operator: /settings#encoder.
    await page.goto('/settings#encoder');
    const card = page.getByRole('region', { name: 'Encoder' });
    const preset = card.getByLabel('Encoder preset');
    assert.equal(await preset.inputValue(), 'automatic');
    await preset.selectOption(CHOSEN);
    await card.getByRole('button', { name: 'Save encoder preset' }).click();
    await card.getByText(`Saved: the encoder preset is ${CHOSEN}. The next show uses it.`).waitFor();
    await saveScreenshot(page, 'settings-12-encoder-preset');
    const client = await api();
    const settings = await client.request('GET', '/api/settings');
    assert.equal(settings.body['encoder.preset'], CHOSEN);

    const timelines = await client.request<Array<{ id: number; name: string }>>('GET', '/api/timelines');
    const timelineId = timelines.body.find((t) => t.name === TIMELINE)!.id;
    const destinations = await client.request<Array<{ id: number }>>('GET', '/api/destinations');
    // GO LIVE's checklist measures this machine at the chosen preset and says where the show starts.
    const preflight = await client.request<{ checks: Array<{ id: string; summary: string }> }>(
      'POST',
      '/api/show/preflight',
      { timelineId, destinationIds: destinations.body.map((d) => d.id) },
    );
    assert.equal(preflight.status, 200, JSON.stringify(preflight.body));
    const encoderCheck = preflight.body.checks.find((check) => check.id === 'encoder')!;
    assert.match(encoderCheck.summary, new RegExp(`${CHOSEN}, ${FPS} fps, ${W}×${H}`), encoderCheck.summary);
    const started = await client.request('POST', '/api/show/go-live', {
      timelineId,
      destinationIds: destinations.body.map((d) => d.id),
      force: true,
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const live = await waitFor(
      async () => {
        const answer = (await client.request<LiveAnswer>('GET', '/api/show')).body;
        return answer.state === 'live' && answer.show && !answer.show.demo ? answer.show : undefined;
      },
      { timeoutMs: ON_AIR_WITHIN_MS, intervalMs: 500, what: 'the show to be on air' },
    );
    // The operator's ceiling is the chosen preset; degraded mode steps down from it (to fps and
    // size: there is no faster preset it uses).
    assert.equal(live.quality.ladder[0], `${CHOSEN}, ${FPS} fps, ${W}×${H}`);
    assert.match(live.quality.description, new RegExp(`^${CHOSEN}, `));
    // The encoder ffmpeg itself runs it.
    const encoder = await waitFor(
      () =>
        childArgvs(rig.appliance.child.pid!).find(
          (argv) => argv.includes('-f') && argv.includes('flv') && argv.includes('-preset'),
        ),
      { timeoutMs: 20_000, intervalMs: 250, what: 'the encoder ffmpeg' },
    );
    assert.equal(encoder[encoder.indexOf('-preset') + 1], CHOSEN, encoder.join(' '));
    // The control room says it too.
    await page.goto('/');
    await page
      .getByTestId('quality-summary')
      .filter({ hasText: new RegExp(`${CHOSEN}, ${FPS} fps`) })
      .waitFor({ timeout: 20_000 });
  });

  it('the Log page lists recent lines newest first, filters by level, component and text, without secrets', async () => {
    const { page } = rig.ui;
    await page.getByRole('navigation').getByRole('link', { name: 'Log', exact: true }).click();
    await page.getByRole('heading', { name: 'Log', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Log lines, newest first' });
    await table.waitFor();
    const rows = table.locator('tbody tr');
    assert.ok((await rows.count()) > 5, 'the appliance has logged its start and the show');
    // Newest first: the times never increase down the page.
    const times = await table
      .locator('tbody tr td:first-child')
      .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('title') ?? ''));
    assert.deepEqual(times, [...times].sort().reverse());
    assert.ok(!(await page.content()).includes(STREAM_KEY), 'no stream key on the page');
    assert.deepEqual(await a11yViolations(page), []);
    await saveScreenshot(page, 'log-1-all');

    // Text: every line shown mentions the encoder; the address keeps the filter.
    await page.getByLabel('Text').fill('encoder');
    await page.waitForURL(/\/log\?q=encoder$/);
    await waitFor(
      async () => {
        const texts = await rows.allInnerTexts();
        return texts.length > 0 && texts.every((t) => /encoder/i.test(t)) ? texts : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'only encoder lines' },
    );
    await saveScreenshot(page, 'log-2-text-encoder');

    // Level: warnings and worse only.
    await page.getByLabel('Text').fill('');
    await page.getByLabel('Level').selectOption({ label: 'Warnings and errors' });
    await waitFor(
      async () => {
        const levels = await table.locator('tbody tr td:nth-child(2)').allInnerTexts();
        const count = await page.getByTestId('log-count').innerText();
        return levels.every((l) => /^(WARN|ERROR|FATAL)$/i.test(l.trim())) &&
          (levels.length > 0 || /^No line matches/.test(count))
          ? levels
          : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'only warnings and errors' },
    );
    await saveScreenshot(page, 'log-3-warnings');

    // Component: only that part of the appliance.
    await page.getByLabel('Level').selectOption({ label: 'All levels' });
    const component = page.getByLabel('Component');
    const components = (await component.locator('option').allInnerTexts()).slice(1);
    assert.ok(components.includes('engine') || components.includes('shows'), components.join(', '));
    const chosen = components.includes('shows') ? 'shows' : 'engine';
    await component.selectOption(chosen);
    await waitFor(
      async () => {
        const cells = await table.locator('tbody tr td:nth-child(3)').allInnerTexts();
        return cells.length > 0 && cells.every((c) => c.trim() === chosen) ? cells : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: `only ${chosen} lines` },
    );

    // Copy: the lines shown, as text, newest first.
    await rig.ui.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: rig.appliance.url,
    });
    // As someone copying for a support request would, stop the refresh first: a refresh landing
    // between the copy and the count would add lines (a fetch already under way may still land).
    await page.getByLabel(/^Refresh every/).uncheck();
    const copied = await waitFor(
      async () => {
        await page.getByRole('button', { name: 'Copy lines' }).click();
        await page.getByText(/^Copied \d+ lines to the clipboard\.$/).waitFor();
        const lines = String(await page.evaluate('navigator.clipboard.readText()')).split('\n');
        return lines.length === (await rows.count()) ? lines : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 500, what: 'the copied lines to be the lines shown' },
    );
    assert.match(copied[0]!, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z [A-Z]+ ${chosen} `));

    // The address a remediation links to opens the page filtered; refreshing by itself, it shows
    // the show's end as it happens.
    await page.goto('/log?q=stopped');
    assert.equal(await page.getByLabel('Text').inputValue(), 'stopped');
    assert.ok(await page.getByLabel(/^Refresh every/).isChecked());
    const client = await api();
    assert.equal((await client.request('POST', '/api/show/stop')).status, 200);
    await rows.filter({ hasText: `show "${TIMELINE}" stopped` }).waitFor({ timeout: 15_000 });
    await page.getByLabel(/^Refresh every/).uncheck();
    assert.equal(await page.getByLabel(/^Refresh every/).isChecked(), false);
  });
});
