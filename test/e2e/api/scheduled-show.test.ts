// A real short scheduled show, end to end: the appliance (src/main.ts) with a simulated RTSP
// camera and a local nginx-rtmp. A schedule whose window opens a few seconds from now and lasts
// 20 s is created over the API; nobody presses GO LIVE or stop. The show goes on air by itself,
// nginx receives it (ffprobe of the recording), it stops by itself at the window's end, and the
// execution row and the schedule's events say so.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { WEEKDAYS } from '../../../src/core/calendar.ts';
import { ApplianceClient, applianceEnv, startAppliance, type Appliance } from '../../helpers/appliance.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { probeFile, videoFrameTimes } from '../../helpers/media-probe.ts';
import { waitFor } from '../../helpers/proc.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';
import { tempDir } from '../../helpers/temp.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

const W = 320;
const H = 180;
const FPS = 30;
const LEAD_MS = 8000;
/** Window start → the show at the destination: viewers of a scheduled show, like an operator after
 *  GO LIVE, wait up to 10 s (pre-flight, then the encoder and the publisher start; on a busy
 *  machine that takes seconds, not the ~2 s of a quiet one). */
const ON_AIR_WITHIN_MS = 10_000;
/** Long enough that even a start at ON_AIR_WITHIN_MS leaves 10 s of show to check. */
const WINDOW_MS = 20_000;

/** "HH:MM:SS" in UTC (the appliance runs with VISTTER_TZ=UTC). */
const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const weekday = (ms: number) => WEEKDAYS[(new Date(ms).getUTCDay() + 6) % 7]!;

describe('a scheduled show starts and stops by itself (real appliance, RTSP camera, nginx-rtmp)', () => {
  const dir = tempDir('vistter-e2e-schedule-');
  const dataDir = join(dir.path, 'data');
  let sim: CameraSim | undefined;
  let rtmp: RtmpServer | undefined;
  let appliance: Appliance | undefined;
  let scheduleId = -1;
  let windowStart = 0;
  let windowEnd = 0;
  let onAirAt = 0;
  let offAirAt = 0;
  let listed: Record<string, unknown> | undefined;

  before(async () => {
    try {
      await run();
    } catch (error) {
      console.error(`appliance output:\n${appliance?.output().slice(-5000) ?? '(not started)'}`);
      throw error;
    }
  });

  async function run(): Promise<void> {
    [sim, rtmp] = await Promise.all([
      startCameraSim({ cameras: [{ name: 'dock', color: 0xd02020 }], width: W, height: H, fps: FPS }),
      startRtmpServer({ apps: ['live'] }),
    ]);
    appliance = await startAppliance(applianceEnv(dataDir, { VISTTER_TZ: 'UTC' }));
    const api = new ApplianceClient(appliance.url);
    await api.setup();
    const camera = await api.request('POST', '/api/cameras', { name: 'Dock', stream_url: sim.urls[0] });
    assert.equal(camera.status, 201, JSON.stringify(camera.body));
    const destination = await api.request('POST', '/api/destinations', {
      name: 'Local nginx',
      platform: 'custom',
      server_url: `rtmp://127.0.0.1:${rtmp.port}/live`,
      stream_key: 'scheduled',
    });
    assert.equal(destination.status, 201, JSON.stringify(destination.body));
    const timeline = cameraTimeline({
      name: 'Scheduled harbour',
      duration: 60,
      fps: FPS,
      resolution: `${W}x${H}`,
      loop: true,
      cues: [{ camera: Number(camera.body.id), start: 0, duration: 60 }],
    });
    const created = await api.request('POST', '/api/timelines', { timeline });
    assert.equal(created.status, 201, JSON.stringify(created.body));

    windowStart = Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000;
    windowEnd = windowStart + WINDOW_MS;
    const schedule = await api.request('POST', '/api/schedules', {
      name: 'Ten seconds of harbour',
      days: [...new Set([weekday(windowStart), weekday(windowEnd)])],
      start_time: hms(windowStart),
      end_time: hms(windowEnd),
      timeline_ids: [Number(created.body.id)],
      destination_ids: [Number(destination.body.id)],
    });
    assert.equal(schedule.status, 201, JSON.stringify(schedule.body));
    scheduleId = Number(schedule.body.id);
    listed = (await api.request<Array<Record<string, unknown>>>('GET', '/api/schedules')).body[0];

    await rtmp.waitForPublisher('live', 'scheduled', LEAD_MS + 30_000);
    onAirAt = Date.now();
    await rtmp.waitForNoPublisher('live', 'scheduled', WINDOW_MS + 30_000);
    offAirAt = Date.now();
    // The row is final once show control reports idle again.
    await waitFor(
      async () => {
        const live = await api.request<{ state: string }>('GET', '/api/show');
        return live.body.state === 'idle' ? true : undefined;
      },
      { timeoutMs: 15_000, what: 'show control idle after the window' },
    );
  }

  after(async () => {
    await appliance?.stop();
    await Promise.all([sim?.stop(), rtmp?.destroy()]);
    dir.cleanup();
  });

  it('the API listed the window as the next run', () => {
    const runs = listed?.next_runs as Array<{ start: string; end: string }>;
    assert.equal(runs[0]?.start, new Date(windowStart).toISOString());
    assert.equal(runs[0]?.end, new Date(windowEnd).toISOString());
    assert.equal(listed?.time_zone, 'UTC');
  });

  it('went on air by itself at the window start and off at its end', () => {
    console.log(
      `window ${hms(windowStart)}–${hms(windowEnd)} UTC; publishing seen ${onAirAt - windowStart} ms after the start, ` +
        `gone ${offAirAt - windowEnd} ms after the end`,
    );
    assert.ok(onAirAt >= windowStart, 'not before the window');
    assert.ok(
      onAirAt - windowStart <= ON_AIR_WITHIN_MS,
      `at the destination ${onAirAt - windowStart} ms after the window opened (≤ ${ON_AIR_WITHIN_MS})`,
    );
    assert.ok(offAirAt >= windowEnd, 'not stopped before the window ended');
  });

  it('nginx recorded the stream: H.264 video of the timeline size, from going on air to the window end', async () => {
    const files = rtmp!.recordings('live').filter((f) => f.includes('scheduled'));
    assert.equal(files.length, 1, `one publish: ${files.join(', ')}`);
    const probe = await probeFile(files[0]!);
    assert.equal(probe.video?.codec, 'h264');
    assert.equal(probe.video?.width, W);
    assert.equal(probe.video?.height, H);
    assert.ok(probe.audio, 'audio present');
    const times = await videoFrameTimes(files[0]!);
    const seconds = times.at(-1)! - times[0]!;
    console.log(`recording: ${times.length} frames, ${seconds.toFixed(2)} s`);
    // All of the show from the moment nginx saw the publish to the window's end (less 1 s for
    // nginx's stats poll and the stop), and no more than the window.
    const onAirSeconds = (windowEnd - onAirAt) / 1000;
    assert.ok(
      seconds >= onAirSeconds - 1 && seconds <= WINDOW_MS / 1000 + 1,
      `recorded ${seconds} s; on air for the last ${onAirSeconds} s of a ${WINDOW_MS / 1000} s window`,
    );
  });

  it('the execution row and the schedule events say it was the schedule, started and stopped', () => {
    const db = new Database(join(dataDir, 'vistterstream.db'), { readonly: true });
    try {
      const rows = db
        .prepare(
          'SELECT id, status, schedule_id, schedule_window FROM timeline_executions WHERE schedule_id IS NOT NULL',
        )
        .all() as Array<{ id: number; status: string; schedule_id: number; schedule_window: string }>;
      assert.equal(rows.length, 1, JSON.stringify(rows));
      assert.equal(rows[0]!.status, 'stopped');
      assert.equal(rows[0]!.schedule_id, scheduleId);
      assert.equal(rows[0]!.schedule_window, new Date(windowStart).toISOString());
      const events = db
        .prepare('SELECT kind, execution_id, detail FROM schedule_events WHERE schedule_id = ? ORDER BY id')
        .all(scheduleId) as Array<{ kind: string; execution_id: number | null; detail: string }>;
      assert.deepEqual(
        events.map((e) => [e.kind, e.execution_id]),
        [
          ['started', rows[0]!.id],
          ['stopped', rows[0]!.id],
        ],
      );
      assert.match(events[1]!.detail, /window ended/);
      const demo = db
        .prepare('SELECT status FROM timeline_executions WHERE schedule_id IS NULL')
        .all() as Array<{
        status: string;
      }>;
      assert.deepEqual(
        demo.map((r) => r.status),
        ['stopped'],
        'the demo show gave way to the schedule',
      );
    } finally {
      db.close();
    }
  });
});
