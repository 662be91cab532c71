// Chaos (issue 4 f): SIGKILL the appliance mid-show and start it again. A real appliance process
// (`vistter show start` from the store: a simulated RTSP camera pair stored as cameras, nginx-rtmp
// stored as a destination) is killed; `src/main.ts` then starts, ends what the dead run left, and
// resumes the show on the same execution row. Checked: the destination receives the program again
// and at the wall-clock position (from the recorded pixels and from the row's checkpoints), the
// row is the same one, 'running' with a resume count, then 'stopped' with metrics after a graceful
// stop; the database passes integrity_check and still holds everything; nothing from the first run
// is left running.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { readProcStat, reapOrphanedChildren } from '../../../src/process/child-registry.ts';
import { openStore } from '../../../src/store/store.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import {
  audioPresence,
  decodeAllFrames,
  identifySource,
  probeFile,
  yuvMeans,
} from '../../helpers/media-probe.ts';
import { delay, spawnGroup, stopGroup, waitFor, waitForExit } from '../../helpers/proc.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';
import { tempDir } from '../../helpers/temp.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(REPO, 'src', 'cli.ts');
const MAIN = join(REPO, 'src', 'main.ts');
const W = 320;
const H = 180;
const FPS = 30;
const DURATION = 20;
/** Camera blocks of unequal length, so the cuts in a recording pin down its program position. */
const BLOCKS: Array<[start: number, end: number, camera: 1 | 2]> = [
  [0, 3, 1],
  [3, 8, 2],
  [8, 14, 1],
  [14, 20, 2],
];
const LOOP_FRAMES = DURATION * FPS;
/** Secrets that must never reach a log line or the execution row. */
const CAMERA_PASSWORD = 'pw-Kq7Zr2';
const STREAM_KEY = 'sk-live-9XfT3';

function expectedCamera(programFrame: number): { camera: 1 | 2; nearCut: boolean } {
  const t = ((programFrame % LOOP_FRAMES) + LOOP_FRAMES) % LOOP_FRAMES;
  for (const [start, end, camera] of BLOCKS) {
    if (t >= start * FPS && t < end * FPS) {
      const nearCut = t - start * FPS < 3 || end * FPS - t <= 3;
      return { camera, nearCut };
    }
  }
  throw new Error(`frame ${t} outside the timeline`);
}

interface Row {
  id: number;
  status: string;
  timeline_id: number;
  completed_at: string | null;
  error_message: string | null;
  metrics: string | null;
  anchor_ms: number;
  checkpoint_frame: number | null;
  checkpoint_at: string | null;
  owner_pid: number;
  resume_count: number;
  resumed_at: string | null;
  resume_frame: number | null;
}

interface Registry {
  owner: { pid: number };
  groups: Array<{ pgid: number; startTicks: number; label: string }>;
}

describe('chaos (f): the appliance is SIGKILLed mid-show and started again', () => {
  const dir = tempDir('vistter-e2e-crash-');
  const dataDir = join(dir.path, 'data');
  const runDir = join(dataDir, 'run');
  const env = {
    ...process.env,
    VISTTER_DATA_DIR: dataDir,
    VISTTER_SECRET_KEY: randomBytes(32).toString('base64'),
    VISTTER_LOG_LEVEL: 'info',
    VISTTER_HOST: '127.0.0.1',
    VISTTER_PORT: '0',
    // Plain HTTP on a free port: the default HTTPS port (8443) may be another test's.
    VISTTER_TLS: '0',
  };
  let sim: CameraSim | undefined;
  let rtmp: RtmpServer | undefined;
  const appliances: ChildProcess[] = [];
  const output = new Map<ChildProcess, string[]>();

  const rows = (): Row[] => {
    const db = new Database(join(dataDir, 'vistterstream.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT * FROM timeline_executions ORDER BY id').all() as Row[];
    } finally {
      db.close();
    }
  };
  const onlyRow = (): Row => {
    const all = rows();
    assert.equal(all.length, 1, `one execution row: ${JSON.stringify(all)}`);
    return all[0]!;
  };
  const logs = (child: ChildProcess): string => (output.get(child) ?? []).join('').slice(-6000);
  const spawnAppliance = (args: string[]): ChildProcess => {
    const child = spawnGroup(process.execPath, ['--import', 'tsx', ...args], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: string[] = [];
    output.set(child, chunks);
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    appliances.push(child);
    return child;
  };
  const registryOf = (pid: number): Registry =>
    JSON.parse(readFileSync(join(runDir, `children-${pid}.json`), 'utf8')) as Registry;
  const alive = (groups: Registry['groups']) =>
    groups.filter((g) => {
      const stat = readProcStat(g.pgid);
      return stat !== null && stat.startTicks === g.startTicks && stat.state !== 'Z';
    });

  after(async () => {
    for (const child of appliances) await stopGroup(child, 'SIGKILL');
    // Whatever the appliances left (their owners are dead now): the same cleanup the appliance does.
    await reapOrphanedChildren(runDir);
    await rtmp?.destroy();
    await sim?.stop();
    dir.cleanup();
  });

  it('resumes the show on the same row at the wall-clock position, then stops it cleanly', async () => {
    [sim, rtmp] = await Promise.all([
      startCameraSim({ cameras: 2, auth: { user: 'viewer', password: CAMERA_PASSWORD } }),
      startRtmpServer({ apps: ['live'] }),
    ]);
    const store = openStore({ dataDir, secretKey: Buffer.from(env.VISTTER_SECRET_KEY, 'base64') });
    const cam1 = store.cameras.create({ name: 'cam1', stream_url: sim.url('cam1') }).id;
    const cam2 = store.cameras.create({ name: 'cam2', stream_url: sim.url('cam2') }).id;
    assert.deepEqual([cam1, cam2], [1, 2]);
    const destination = store.destinations.create({
      name: 'nginx',
      platform: 'custom',
      server_url: `rtmp://127.0.0.1:${rtmp.port}/live`,
      stream_key: STREAM_KEY,
    }).id;
    const { id: timelineId } = store.timelines.create({
      timeline: {
        name: 'Crash resume',
        duration: DURATION,
        fps: FPS,
        resolution: `${W}x${H}`,
        loop: true,
        tracks: {
          video: {
            track_id: 'v',
            type: 'video',
            cues: BLOCKS.map(([start, end, camera], i) => ({
              id: `c${i}`,
              start_time: start,
              duration: end - start,
              action: 'show_camera',
              params: { camera_id: camera },
            })),
          },
        },
      },
    });
    store.close();

    // ── first run: `vistter show start`, until the show is 6 s in ──
    const first = spawnAppliance([
      CLI,
      'show',
      'start',
      '--timeline',
      String(timelineId),
      '--dest',
      String(destination),
      '--preset',
      'veryfast',
    ]);
    await rtmp.waitForPublisher('live', STREAM_KEY, 40_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${logs(first)}`);
    });
    const before = await waitFor(
      () => {
        const row = rows()[0];
        return row && (row.checkpoint_frame ?? 0) >= 6 * FPS ? row : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'a checkpoint 6 s into the show' },
    );
    assert.equal(before.status, 'running');
    assert.equal(before.owner_pid, first.pid);
    // The show's schedule as its own playout measured it (independent of the anchor column).
    const scheduleMs = Date.parse(before.checkpoint_at!) - (before.checkpoint_frame! * 1000) / FPS;
    assert.ok(
      Math.abs(before.anchor_ms - scheduleMs) < 500,
      `anchor ${before.anchor_ms} vs playout ${scheduleMs}`,
    );
    const programFrameAt = (wallMs: number) => ((wallMs - scheduleMs) * FPS) / 1000;
    const firstChildren = registryOf(first.pid!).groups;
    assert.ok(
      firstChildren.some((g) => g.label.startsWith('encoder')) &&
        firstChildren.some((g) => g.label.startsWith('destination')),
      `the first run recorded its process groups: ${JSON.stringify(firstChildren)}`,
    );

    // ── SIGKILL the appliance's node process (not its group: its children live on by themselves) ──
    process.kill(first.pid!, 'SIGKILL');
    assert.ok(await waitForExit(first, 5000));
    assert.equal(first.signalCode, 'SIGKILL');
    assert.equal(onlyRow().status, 'running', 'a killed run leaves its row running');
    await rtmp.waitForNoPublisher('live', STREAM_KEY, 15_000);
    // Down long enough that resuming from the last checkpoint (or from the start) would be caught.
    await delay(4000);

    // ── start the appliance again ──
    const second = spawnAppliance([MAIN]);
    let lastUnseen = Date.now();
    const publishedAt = await waitFor(
      async () => {
        const streams = await rtmp!.streams();
        if (streams.some((s) => s.app === 'live' && s.name === STREAM_KEY && s.publishing)) return Date.now();
        lastUnseen = Date.now();
        return undefined;
      },
      { timeoutMs: 40_000, intervalMs: 100, what: 'the resumed show at the destination' },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${logs(second)}`);
    });
    const resumed = onlyRow();
    assert.equal(resumed.id, before.id, 'the same execution row');
    assert.equal(resumed.status, 'running');
    assert.equal(resumed.resume_count, 1);
    assert.equal(resumed.owner_pid, second.pid);
    const resumeError = resumed.resume_frame! - programFrameAt(Date.parse(resumed.resumed_at!));
    assert.ok(
      Math.abs(resumeError) <= 2,
      `resumed at frame ${resumed.resume_frame}, ${resumeError.toFixed(1)} off the clock`,
    );
    assert.match(logs(second), /resumed the interrupted show "Crash resume" \(execution \d+\)/);

    // The operator is told: an alert with the time off air, open while the resumed show runs.
    const resumeAlert = await waitFor(
      () => {
        const db = new Database(join(dataDir, 'vistterstream.db'), { readonly: true, fileMustExist: true });
        try {
          return db.prepare("SELECT message, cleared_at FROM alerts WHERE code = 'SHOW_RESUMED'").get() as
            { message: string; cleared_at: string | null } | undefined;
        } finally {
          db.close();
        }
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'the crash-resume alert' },
    );
    const offAir = /off air for about (\d+) s/.exec(resumeAlert.message);
    assert.ok(offAir, resumeAlert.message);
    assert.ok(Number(offAir[1]) >= 4, `off air ${offAir[1]} s: at least the 4 s it was down`);
    assert.match(resumeAlert.message, /"Crash resume"/);
    assert.equal(resumeAlert.cleared_at, null, 'open while the resumed show runs');

    // Nothing of the first run is left: its groups are gone and its list was cleared.
    assert.deepEqual(alive(firstChildren), [], 'no process group of the first run is alive');
    assert.equal(existsSync(join(runDir, `children-${first.pid}.json`)), false);

    // Let the resumed show run; its checkpoints must follow the wall-clock schedule.
    const later = await waitFor(
      () => {
        const row = onlyRow();
        return row.checkpoint_at && Date.parse(row.checkpoint_at) > publishedAt + 8000 ? row : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'a checkpoint 8 s after the resume' },
    );
    const drift = (later.checkpoint_frame! - programFrameAt(Date.parse(later.checkpoint_at!))) / FPS;
    assert.ok(Math.abs(drift) <= 1.5, `resumed show is ${drift.toFixed(2)} s off the wall clock`);
    const secondChildren = registryOf(second.pid!).groups;

    // ── graceful stop ──
    second.kill('SIGTERM');
    assert.ok(await waitForExit(second, 20_000), `the appliance stops on SIGTERM\n${logs(second)}`);
    assert.equal(second.exitCode, 0, logs(second));
    await rtmp.waitForNoPublisher('live', STREAM_KEY, 10_000);

    const final = onlyRow();
    assert.equal(final.status, 'stopped');
    assert.equal(final.resume_count, 1);
    assert.equal(final.error_message, null);
    assert.ok(final.completed_at);
    const metrics = JSON.parse(final.metrics ?? '{}') as Record<string, number> & {
      outputRestarts?: unknown;
    };
    assert.equal(metrics['segments'], 2);
    assert.ok(metrics['frames']! >= 12 * FPS, `frames over both runs: ${metrics['frames']}`);
    assert.ok(metrics['onAirSeconds']! >= 12, JSON.stringify(metrics));
    assert.ok(metrics['durationSeconds']! > metrics['onAirSeconds']!, 'the downtime is in the duration only');
    for (const key of ['lateTicks', 'droppedFrames', 'encoderRestarts'])
      assert.equal(typeof metrics[key], 'number', `metrics.${key}`);
    assert.deepEqual(Object.keys(metrics.outputRestarts ?? {}), [`dest:${destination}`]);

    // The database: intact, and nothing lost.
    const db = new Database(join(dataDir, 'vistterstream.db'), { readonly: true });
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(db.prepare('SELECT COUNT(*) FROM cameras').pluck().get(), 2);
    assert.equal(db.prepare('SELECT COUNT(*) FROM destinations').pluck().get(), 1);
    assert.equal(db.prepare('SELECT COUNT(*) FROM timeline_cues').pluck().get(), BLOCKS.length);
    db.close();

    // Secrets: in no log line of either run, and nowhere in the database but their sealed columns.
    for (const child of [first, second]) {
      const text = (output.get(child) ?? []).join('');
      assert.ok(!text.includes(CAMERA_PASSWORD) && !text.includes(STREAM_KEY), 'no secret in the logs');
    }
    const raw = JSON.stringify(rows());
    assert.ok(!raw.includes(CAMERA_PASSWORD) && !raw.includes(STREAM_KEY), 'no secret in the execution row');
    for (const file of readdirSync(dataDir).filter((f) => f.startsWith('vistterstream.db'))) {
      const bytes = readFileSync(join(dataDir, file));
      assert.equal(bytes.includes(CAMERA_PASSWORD), false, `camera password in ${file}`);
      assert.equal(bytes.includes(STREAM_KEY), false, `stream key in ${file}`);
    }

    // No process of either run is left.
    assert.deepEqual(alive(secondChildren), [], 'no process group of the second run is alive');
    assert.deepEqual(
      readdirSync(runDir).filter((f) => f.startsWith('children-')),
      [],
      'a clean shutdown leaves no child list',
    );

    // ── what the destination received after the restart ──
    const files = rtmp.recordings('live');
    assert.ok(files.length >= 2, `a new publish after the restart: ${files.join(', ')}`);
    const last = files.at(-1)!;
    const probe = await probeFile(last);
    assert.equal(probe.video?.codec, 'h264');
    assert.equal(probe.audio?.codec, 'aac');
    assert.ok(probe.durationSec >= 6, `the resumed publish lasted ${probe.durationSec} s`);
    assert.ok((await audioPresence(last)).ok, 'audio after the restart');

    // Which program frame the recording starts at, from its camera cuts.
    const video = await decodeAllFrames(last, W, H);
    const seen = video.frames.map((frame) => identifySource(yuvMeans(frame, W, H), sim!.palette).name);
    const skip = 2 * FPS; // the first moments may be the slate while the cameras connect
    let best = { offset: -1, misses: Infinity, checked: 0 };
    for (let offset = 0; offset < LOOP_FRAMES; offset++) {
      let misses = 0;
      let checked = 0;
      for (let i = skip; i < seen.length; i++) {
        const name = seen[i];
        if (!name) continue;
        const expected = expectedCamera(offset + i);
        if (expected.nearCut) continue;
        checked++;
        if (name !== `cam${expected.camera}`) misses++;
      }
      if (misses < best.misses) best = { offset, misses, checked };
    }
    assert.ok(best.checked >= 4 * FPS, `frames identified: ${best.checked}`);
    assert.ok(best.misses <= best.checked * 0.02, `recording matches the timeline: ${JSON.stringify(best)}`);
    // The publisher connected between lastUnseen and publishedAt and got the current GOP (≤ 2 s
    // old) plus the encoder's latency; a resume from the wrong place would be ≥ 7 s off.
    const byClock = programFrameAt(lastUnseen);
    const lag =
      ((((byClock - best.offset) % LOOP_FRAMES) + LOOP_FRAMES * 1.5) % LOOP_FRAMES) - LOOP_FRAMES / 2;
    assert.ok(
      lag >= -1 * FPS && lag <= 4 * FPS,
      `the first recorded frame is program frame ${best.offset} (mod ${LOOP_FRAMES}); the wall clock said ` +
        `${byClock.toFixed(0)} when the publish began: ${(lag / FPS).toFixed(2)} s apart`,
    );
    console.log(
      `resumed at frame ${resumed.resume_frame} (${resumeError.toFixed(1)} frames off the clock); ` +
        `checkpoint drift ${drift.toFixed(2)} s; recording starts ${(lag / FPS).toFixed(2)} s behind the clock ` +
        `(GOP cache); metrics ${JSON.stringify(metrics)}`,
    );
  });
});
