// POST /api/show/quality: the operator holds the program at a quality level or gives it back to
// degraded mode. Real show control, runner and engine (real ffmpeg, a 320×180 show whose camera
// does not answer, so the slate is on air; the HLS preview is its output), through app.inject:
// errors name the field with what to do, a hold moves what is really encoded, the on-air state
// says so in words, and each hold and release is in the alerts' history.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AlertCenter } from '../../../src/alerts/index.ts';
import { ShowControl } from '../../../src/app/show-control.ts';
import { ShowRunner } from '../../../src/app/show-runner.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { LiveStateSchema, type LiveState } from '../../../src/domain/live.ts';
import { ERRORS } from '../../../src/errors/registry.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { waitFor } from '../../helpers/proc.ts';

const LADDER = [
  'fast, 30 fps, 320×180',
  'veryfast, 30 fps, 320×180',
  'superfast, 30 fps, 320×180',
  'superfast, 15 fps, 320×180',
];

describe('POST /api/show/quality (real engine)', () => {
  let api: ApiHarness;
  let shows: ShowControl;
  before(async () => {
    api = await createApiHarness(({ store, clock, dataDir }) => {
      const logger = createLogger('test');
      shows = new ShowControl({
        store,
        runner: new ShowRunner({ store, mediaRoot: dataDir, logger }),
        dataDir,
        clock,
        logger,
        alerts: new AlertCenter({ store: store.alerts, logger }),
        preflight: async () => ({ ok: true, checks: [] }),
      });
      return { shows };
    });
    await api.signIn();
  });
  after(async () => {
    await shows.shutdown();
    await api.close();
  });

  const hold = (body: unknown) => api.call('POST', '/api/show/quality', body);
  const quality = (state: LiveState) => state.show!.quality;

  it('nothing on air: 409 SHOW_NOT_LIVE with what to do', async () => {
    const response = await hold({ level: 1 });
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'SHOW_NOT_LIVE');
    assert.equal(response.json().remediation, ERRORS.SHOW_NOT_LIVE.remediation);
  });

  it('goes live at the operator’s settings; a level off the ladder or a bad body names the field', async () => {
    const camera = api.store.cameras.create({ name: 'Gate', stream_url: 'rtsp://127.0.0.1:9/gate' });
    const timelineId = api.store.timelines.create({
      timeline: {
        name: 'Quiet harbour',
        duration: 600,
        fps: 30,
        resolution: '320x180',
        loop: true,
        tracks: {
          video: {
            track_id: 'v',
            type: 'video',
            cues: [
              {
                id: 'a',
                start_time: 0,
                duration: 600,
                action: 'show_camera',
                params: { camera_id: camera.id },
              },
            ],
          },
          overlays: [],
        },
      },
    }).id;
    const live = await api.call('POST', '/api/show/go-live', { timelineId });
    assert.equal(live.statusCode, 202, live.body);
    // On air: past the pre-roll (the camera does not answer: the slate after 5 s), the program flows.
    await waitFor(() => ((shows.current?.engine?.status().playout.ticks ?? 0) >= 30 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the program to flow',
    });
    const state = LiveStateSchema.parse(shows.liveState());
    assert.equal(state.state, 'live');
    assert.deepEqual(quality(state).ladder, LADDER);
    assert.equal(quality(state).summary, 'At your settings: fast, 30 fps, 320×180');
    assert.equal(quality(state).held, false);

    const off = await hold({ level: 4 });
    assert.equal(off.statusCode, 400);
    assert.equal(off.json().code, 'VALIDATION_FAILED');
    assert.equal(off.json().remediation, ERRORS.VALIDATION_FAILED.remediation);
    assert.deepEqual(off.json().issues, [
      {
        path: 'level',
        message:
          'must be from 0 (your settings, fast, 30 fps, 320×180) to 3 (superfast, 15 fps, 320×180), or null for automatic',
      },
    ]);
    for (const body of [{ level: -1 }, { level: 1.5 }, { level: 'low' }, {}])
      assert.deepEqual(
        (await hold(body)).json().issues.map((issue: { path: string }) => issue.path),
        ['level'],
        JSON.stringify(body),
      );
  });

  it('holds a lower level: the program is encoded there, the control room says why, the history has it', async () => {
    const response = await hold({ level: 3 });
    assert.equal(response.statusCode, 200, response.body);
    const q = quality(LiveStateSchema.parse(response.json()));
    assert.equal(q.held, true);
    assert.equal(q.level, 3);
    assert.equal(q.degraded, true);
    // What the encoder runs now, not what was asked for.
    assert.equal(q.description, 'superfast, 15 fps, 320×180');
    assert.equal(q.summary, 'Reduced: superfast, 15 fps, 320×180 — held here by the operator');
    assert.equal(q.nextStepUpInSeconds, null, 'a held level does not step up by itself');
    assert.equal(q.lastChange?.direction, 'down');
    assert.equal(
      q.lastChange?.sentence,
      'Quality held at superfast, 15 fps, 320×180 by the operator (was fast, 30 fps, 320×180); degraded mode does not move it until it is set back to automatic.',
    );
    const status = shows.current!.engine!.status().quality;
    assert.deepEqual([status.preset, status.fps, status.format.width], ['superfast', 15, 320]);

    const history = api.store.alerts.list({ limit: 10 }).filter((alert) => alert.code === 'DEGRADED_MODE');
    assert.equal(history.length, 1);
    assert.equal(history[0]!.message, q.lastChange?.sentence);
    assert.equal(history[0]!.source, 'operator');
    assert.notEqual(history[0]!.cleared_at, null, 'recorded, not left open: the operator chose it');
  });

  it('back to automatic: degraded mode carries on from the level on air, and the release is in the history too', async () => {
    const response = await hold({ level: null });
    assert.equal(response.statusCode, 200, response.body);
    const q = quality(LiveStateSchema.parse(response.json()));
    assert.equal(q.held, false);
    // Degraded mode judges the show again from where it is (it steps up after calm minutes).
    const status = shows.current!.engine!.status().quality;
    const own = status.level;
    assert.equal(q.level, own);
    assert.equal(q.description, LADDER[own]);
    assert.equal(`${status.preset}, ${status.fps} fps, 320×180`, LADDER[own], 'encoded there');
    if (own === 0) assert.equal(q.summary, 'At your settings: fast, 30 fps, 320×180');
    else assert.ok(q.summary.startsWith(`Reduced: ${LADDER[own]} — left here by the operator`), q.summary);
    assert.equal(q.lastChange?.direction, 'up');
    assert.equal(
      q.lastChange?.sentence,
      `Quality back to automatic (operator): degraded mode judges the show again, from ${LADDER[own]}${own === 0 ? ' (your settings)' : ''}.`,
    );
    const messages = api.store.alerts
      .list({ limit: 10 })
      .filter((alert) => alert.code === 'DEGRADED_MODE')
      .map((alert) => alert.message);
    assert.deepEqual(messages.length, 2);
    assert.match(messages[0]!, /^Quality back to automatic/, 'newest first');
  });
});
