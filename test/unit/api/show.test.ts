import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ShowRequest } from '../../../src/app/execution-plan.ts';
import { ShowControl, type PreflightOutcome } from '../../../src/app/show-control.ts';
import type { RunningShow } from '../../../src/app/running-show.ts';
import { LiveMessageSchema } from '../../../src/domain/live.ts';
import { AppError } from '../../../src/errors/registry.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';

/** Records what GO LIVE asks the runner for, then fails the start as a bad destination would.
 *  (A real show through these routes is tested end to end in test/e2e/api/go-live.test.ts.) */
class RecordingRunner {
  readonly requests: ShowRequest[] = [];
  async start(request: ShowRequest): Promise<RunningShow> {
    this.requests.push(request);
    throw new AppError('DESTINATION_NOT_FOUND', 'there is no destination 7');
  }
}

const passing: PreflightOutcome = {
  ok: true,
  checks: [
    {
      id: 'cameras',
      label: 'Cameras online',
      status: 'ok',
      summary: 'Cameras online (1/1)',
      remediation: null,
    },
  ],
};
const failing: PreflightOutcome = {
  ok: false,
  checks: [
    {
      id: 'cameras',
      label: 'Cameras online',
      status: 'fail',
      summary: 'Cameras online (0/1)',
      remediation: 'Check camera 1’s power and network.',
    },
    { id: 'timeline', label: 'Timeline', status: 'ok', summary: 'Timeline valid', remediation: null },
  ],
};

describe('show control routes (idle appliance, real SQLite file)', () => {
  let api: ApiHarness;
  const runner = new RecordingRunner();
  let report: PreflightOutcome = passing;
  let preflightRuns = 0;
  before(async () => {
    api = await createApiHarness(({ store, clock, dataDir }) => ({
      shows: new ShowControl({
        store,
        runner,
        dataDir,
        clock,
        preflight: async () => {
          preflightRuns++;
          return report;
        },
      }),
    }));
    await api.signIn();
  });
  after(() => api.close());
  beforeEach(() => {
    report = passing;
    runner.requests.length = 0;
  });

  it('live controls answer SHOW_NOT_LIVE while nothing is on air', async () => {
    for (const [url, body] of [
      ['/api/show/pause', undefined],
      ['/api/show/stop', undefined],
      ['/api/show/jump', { seconds: 3 }],
      ['/api/show/overrides/emergency', { on: true }],
      ['/api/show/overrides/pin-camera', { cameraId: 1 }],
      ['/api/show/overrides/clear-overlays', undefined],
      ['/api/show/overrides/cancel-force', undefined],
      ['/api/show/overrides/return-to-timeline', undefined],
    ] as const) {
      const response = await api.call('POST', url, body);
      assert.equal(response.statusCode, 409, url);
      assert.equal(response.json().code, 'SHOW_NOT_LIVE', url);
    }
  });

  it('bad bodies name the field', async () => {
    const noTimeline = await api.call('POST', '/api/show/go-live', { destinationIds: [1] });
    assert.equal(noTimeline.statusCode, 400);
    assert.deepEqual(
      noTimeline.json().issues.map((i: { path: string }) => i.path),
      ['timelineId'],
    );
    const longCountdown = await api.call('POST', '/api/show/go-live', {
      timelineId: 1,
      countdownSeconds: 600,
    });
    assert.equal(longCountdown.json().issues[0].path, 'countdownSeconds');
    const negativeJump = await api.call('POST', '/api/show/jump', { seconds: -1 });
    assert.equal(negativeJump.json().issues[0].path, 'seconds');
    const badPin = await api.call('POST', '/api/show/overrides/pin-camera', { cameraId: 'two' });
    assert.equal(badPin.json().issues[0].path, 'cameraId');
    assert.equal(runner.requests.length, 0);
  });

  it('a failed pre-flight check refuses GO LIVE with each failed check as an issue; force goes ahead', async () => {
    report = failing;
    const refused = await api.call('POST', '/api/show/go-live', { timelineId: 1, destinationIds: [7] });
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'PREFLIGHT_FAILED');
    assert.deepEqual(refused.json().issues, [
      { path: 'checks.cameras', message: 'Cameras online (0/1). Check camera 1’s power and network.' },
    ]);
    assert.equal(runner.requests.length, 0, 'nothing was started');

    const forced = await api.call('POST', '/api/show/go-live', {
      timelineId: 1,
      destinationIds: [7],
      force: true,
    });
    assert.equal(forced.statusCode, 404, 'the start itself failed: its error is the answer');
    assert.equal(forced.json().code, 'DESTINATION_NOT_FOUND');
    assert.equal(runner.requests.length, 1);
    const state = (await api.call('GET', '/api/show')).json();
    assert.equal(state.state, 'idle');
    assert.equal(state.lastOutcome, 'error: there is no destination 7');
  });

  it('a countdown starts the show when it reaches zero (not before) and can be cancelled', async () => {
    const started = await api.call('POST', '/api/show/go-live', {
      timelineId: 3,
      destinationIds: [1],
      countdownSeconds: 5,
    });
    assert.equal(started.statusCode, 202);
    assert.equal(started.json().state.state, 'countdown');
    assert.equal(started.json().state.countdown.secondsLeft, 5);
    const busy = await api.call('POST', '/api/show/go-live', { timelineId: 3 });
    assert.equal(busy.json().code, 'SHOW_ALREADY_LIVE');
    api.clock.advance(4000);
    assert.equal((await api.call('GET', '/api/show')).json().countdown.secondsLeft, 1);
    assert.equal(runner.requests.length, 0);
    api.clock.advance(1000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(runner.requests.length, 1, 'started at zero');
    assert.equal(runner.requests[0]!.timelineId, 3);
    assert.deepEqual(runner.requests[0]!.destinationIds, [1]);
    assert.equal(runner.requests[0]!.executedBy, api.store.users.list()[0]!.id, 'who pressed GO LIVE');
    assert.ok(
      runner.requests[0]!.previewDir?.startsWith(api.dataDir),
      'the preview runs for the control room',
    );

    await api.call('POST', '/api/show/go-live', { timelineId: 3, countdownSeconds: 10 });
    const cancelled = await api.call('POST', '/api/show/stop');
    assert.equal(cancelled.statusCode, 200);
    assert.equal(cancelled.json().state, 'idle');
    assert.equal(cancelled.json().lastOutcome, 'countdown cancelled');
    api.clock.advance(20_000);
    assert.equal(runner.requests.length, 1, 'the cancelled countdown never started anything');
  });

  it('GO LIVE right after a passed pre-flight of the same show does not test again; later or different, it does', async () => {
    const checked = await api.call('POST', '/api/show/preflight', { timelineId: 4, destinationIds: [2, 1] });
    assert.equal(checked.statusCode, 200);
    assert.deepEqual(checked.json(), passing);
    const before = preflightRuns;
    await api.call('POST', '/api/show/go-live', { timelineId: 4, destinationIds: [1, 2] });
    assert.equal(preflightRuns, before, 'reused: same timeline and destinations, 0 s later');
    await api.call('POST', '/api/show/preflight', { timelineId: 4, destinationIds: [1, 2] });
    api.clock.advance(31_000);
    await api.call('POST', '/api/show/go-live', { timelineId: 4, destinationIds: [1, 2] });
    assert.equal(preflightRuns, before + 2, 'too old: checked again');
    await api.call('POST', '/api/show/preflight', { timelineId: 4, destinationIds: [1, 2] });
    await api.call('POST', '/api/show/go-live', { timelineId: 4, destinationIds: [1] });
    assert.equal(preflightRuns, before + 4, 'other destinations: checked again');
  });

  it('GO LIVE clears the last show’s preview files; preview files are never served from a cache', async () => {
    const dir = join(api.dataDir, 'preview');
    mkdirSync(dir, { recursive: true });
    for (const name of ['index.m3u8', 'segment_000007.ts', 'segment_000008.ts.tmp', 'notes.txt'])
      writeFileSync(join(dir, name), 'old show');
    const segment = await api.call('GET', '/preview/segment_000007.ts');
    assert.equal(segment.statusCode, 200);
    assert.equal(segment.headers['cache-control'], 'no-cache', 'names repeat from show to show');
    assert.equal((await api.call('GET', '/preview/index.m3u8')).headers['cache-control'], 'no-cache');

    await api.call('POST', '/api/show/go-live', { timelineId: 5, destinationIds: [1] });
    assert.equal(runner.requests.length, 1);
    assert.deepEqual(readdirSync(dir), ['notes.txt'], 'only the HLS files went');
  });

  it('/api/health is public; /metrics and the preview need sign-in; preview names cannot escape', async () => {
    const health = await api.app.inject({ method: 'GET', url: '/api/health' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'healthy' }, 'a stranger gets the status only');
    const signedIn = await api.call('GET', '/api/health');
    assert.deepEqual(signedIn.json(), { status: 'healthy', warnings: [], errors: [], live: false });
    assert.equal((await api.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
    const metrics = await api.call('GET', '/metrics');
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
    assert.match(metrics.body, /^vistter_show_live 0$/m);
    assert.equal((await api.app.inject({ method: 'GET', url: '/preview/index.m3u8' })).statusCode, 401);
    assert.equal((await api.call('GET', '/preview/index.m3u8')).json().code, 'NOT_FOUND');
    const escape = await api.call('GET', '/preview/..%2F..%2Fvistterstream.db');
    assert.equal(escape.statusCode, 400);
    assert.equal(escape.json().issues[0].path, 'params.file');
  });

  it('the WebSocket needs sign-in, refuses other sites and pushes the state schema', async () => {
    await assert.rejects(api.app.injectWS('/api/live'), /401|Unexpected server response/);
    const cookie = api.sessionCookie();
    const foreign = await api.app.injectWS('/api/live', {
      headers: { cookie, origin: 'http://evil.example', host: 'appliance.local' },
    });
    const closed = await new Promise<number>((resolve) => foreign.once('close', (code) => resolve(code)));
    assert.equal(closed, 1008);
    // The state is sent as soon as the socket opens: the first message is awaited, not slept for.
    let firstMessage: (message: unknown) => void = () => undefined;
    const received = new Promise<unknown>((resolve) => (firstMessage = resolve));
    const socket = await api.app.injectWS(
      '/api/live',
      { headers: { cookie } },
      { onInit: (ws) => ws.once('message', (data: Buffer) => firstMessage(JSON.parse(data.toString()))) },
    );
    const message = await received;
    socket.terminate();
    const first = LiveMessageSchema.parse(message);
    assert.equal(first.data.state, 'idle');
  });
});
