// A full disk, for real: the data folder is a 64 MiB tmpfs holding the SQLite database and the
// recordings. A show (a real x264 encoder → the fan-out hub → a publisher to a real nginx-rtmp and
// the local recorder) runs; the recorder uses the default limits, which on 67 MB are a 3.4 MB
// reserve and a 6.7 MB warning level. An old recording is removed at start (age limit). Then
// another file fills the disk to a few MB above the reserve and the recording eats the rest:
// - the recording stops with RECORDING_DISK_FULL, and the alert is in the database;
// - the destination never noticed: what nginx recorded is one publish, continuous, with audio;
// - the recording written so far is a playable file;
// - the SQLite file passes its integrity check, opens again and takes a write;
// - once the other file is gone, the recording starts again by itself in a new part.
// Needs root and the right to mount (not in an unprivileged container); skipped otherwise.
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { AlertCenter } from '../../../src/alerts/alert-center.ts';
import { systemClock } from '../../../src/core/clock.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { FanoutHub } from '../../../src/engine/fanout/hub.ts';
import { FlvOutput, type OutputState } from '../../../src/engine/outputs.ts';
import { publisherArgs } from '../../../src/ffmpeg/argv.ts';
import { stopAllSupervised } from '../../../src/process/supervisor.ts';
import { recordingLimitsFromEnv } from '../../../src/config.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { audioPresence, maxTimestampGap, probeFile, videoFrameTimes } from '../../helpers/media-probe.ts';
import { delay, spawnGroup, stopGroup, waitFor } from '../../helpers/proc.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';

const isRoot = process.getuid?.() === 0;
const MB = 1e6;
const DAY_S = 86_400;

describe(
  'a full data disk: the recording stops, the stream and the database do not',
  { skip: !isRoot && 'needs root to mount a tmpfs' },
  () => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'vistter-tmpfs-'));
    let mounted = false;
    let rtmp: RtmpServer | undefined;
    let encoder: ChildProcess | undefined;
    let store: Store | undefined;
    let hub: FanoutHub | undefined;
    const outputs: FlvOutput[] = [];

    let cannotMount: string | null = null;
    before(() => {
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0700', 'tmpfs', mountPoint], {
          stdio: 'pipe',
        });
        mounted = true;
      } catch (error) {
        cannotMount = error instanceof Error ? error.message : String(error); // e.g. a container
      }
    });

    after(async () => {
      if (encoder) await stopGroup(encoder, 'SIGKILL');
      hub?.end();
      await Promise.all(outputs.map((o) => o.stop(500)));
      await stopAllSupervised();
      store?.close();
      await rtmp?.destroy();
      if (mounted) {
        try {
          execFileSync('umount', [mountPoint]);
        } catch {
          execFileSync('umount', ['-l', mountPoint]); // something still held a file: detach it
        }
      }
      rmSync(mountPoint, { recursive: true, force: true });
    });

    it('fills up: recording stopped with an alert; destination continuous; SQLite intact and writable', async (t) => {
      if (cannotMount !== null) {
        t.skip(`cannot mount a tmpfs here: ${cannotMount}`);
        return;
      }
      const dataDir = mountPoint;
      const recordings = join(dataDir, 'recordings');
      mkdirSync(recordings);
      const free = (): number => {
        const s = statfsSync(dataDir);
        return s.bavail * s.bsize;
      };
      store = openStore({ dataDir });
      const alerts = new AlertCenter({ store: store.alerts, logger: createLogger('e2e-alerts') });
      // A recording from an earlier show, 40 days old: the age limit removes it at start.
      const old = join(recordings, 'timeline-1-old.mp4');
      writeFileSync(old, Buffer.alloc(2 * MB));
      utimesSync(old, Date.now() / 1000 - 40 * DAY_S, Date.now() / 1000 - 40 * DAY_S);

      rtmp = await startRtmpServer();
      hub = new FanoutHub({ clock: systemClock });
      // About 2 Mbit/s whatever the picture (CBR with filler): the recording grows 0.25 MB a second.
      encoder = spawnGroup('ffmpeg', [
        ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
        ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30'],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-pix_fmt', 'yuv420p'],
        ...[
          '-b:v',
          '2M',
          '-minrate',
          '2M',
          '-maxrate',
          '2M',
          '-bufsize',
          '1M',
          '-x264-params',
          'nal-hrd=cbr',
        ],
        ...['-c:a', 'aac', '-b:a', '64k', '-f', 'flv', 'pipe:1'],
      ]);
      const feed = hub;
      encoder.stdout!.on('data', (chunk: Buffer) => feed.push(chunk));
      encoder.stderr!.resume();

      const logger = createLogger('e2e-disk-full');
      const publisher = new FlvOutput({
        id: 'dest',
        kind: 'destination',
        name: 'nginx',
        args: publisherArgs({ url: rtmp.url('live', 'diskfull'), platform: 'custom' }),
        hub,
        clock: systemClock,
        logger,
      });
      const recorder = new FlvOutput({
        id: 'recording',
        kind: 'recording',
        name: 'local recording',
        recordPath: join(recordings, 'show.mp4'),
        hub,
        clock: systemClock,
        logger,
        alerts,
        recordingLimits: recordingLimitsFromEnv({ VISTTER_DATA_DIR: dataDir }), // the defaults
      });
      outputs.push(publisher, recorder);
      const publisherStates: OutputState[] = [];
      publisher.on('state', (change) => publisherStates.push(change.to));
      publisher.start();
      recorder.start();
      await waitFor(() => publisher.state === 'live' && recorder.state === 'live', {
        timeoutMs: 20_000,
        intervalMs: 100,
        what: 'destination and recording live',
      });
      await waitFor(() => !existsSync(old), {
        timeoutMs: 10_000,
        intervalMs: 100,
        what: 'the old recording removed',
      });
      await delay(3000);

      // Another file takes all but 4 MB above the reserve (3.4 MB of 67): the recording eats the rest.
      const filler = join(dataDir, 'other-files.bin');
      writeFileSync(filler, Buffer.alloc(Math.max(0, Math.floor(free() - 7.4 * MB))));
      const filledAt = Date.now();
      await waitFor(() => recorder.state === 'stopped', {
        timeoutMs: 60_000,
        intervalMs: 200,
        what: 'the recording stopped for lack of space',
      });
      const stoppedAfterS = (Date.now() - filledAt) / 1000;
      const status = recorder.status();
      assert.equal(status.lastError?.code, 'RECORDING_DISK_FULL');
      assert.match(status.lastError?.message ?? '', /free of 67 MB on the data disk.*The stream goes on/);
      const freeAtStop = free();
      assert.ok(freeAtStop > 0, 'the reserve is left for the database');

      // The alerts as the operator sees them: in the database.
      const open = store.alerts.open();
      const full = open.find((a) => a.code === 'RECORDING_DISK_FULL');
      assert.ok(full, `RECORDING_DISK_FULL alert stored (open: ${open.map((a) => a.code).join(', ')})`);
      assert.equal(full.severity, 'error');
      assert.match(full.remediation, /Free space on the data disk/);
      assert.ok(
        open.some((a) => a.code === 'DISK_SPACE_LOW'),
        'the low-disk warning came first',
      );

      // The stream carries on while the recording is stopped.
      await delay(8000);
      assert.equal(publisher.state, 'live');
      assert.deepEqual(publisherStates, ['connecting', 'live'], 'the destination never dropped');

      // The SQLite file, with the disk still this full: intact, opens (a second connection, as a
      // restarted appliance would) and takes a write.
      const raw = new Database(join(dataDir, 'vistterstream.db'));
      assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
      raw.close();
      const again = openStore({ dataDir });
      try {
        again.settings.set('e2e.after-disk-full', { at: filledAt });
        assert.deepEqual(store.settings.get('e2e.after-disk-full', null), { at: filledAt });
        assert.ok(
          again.alerts.open().some((a) => a.code === 'RECORDING_DISK_FULL'),
          'the alert is stored',
        );
      } finally {
        again.close();
      }

      // Room again: the recording continues by itself in a new part, the alert clears.
      rmSync(filler);
      await waitFor(() => recorder.state === 'live' && recorder.status().recording?.part === 2, {
        timeoutMs: 30_000,
        intervalMs: 200,
        what: 'the recording started again in part 2',
      });
      await delay(2500);

      // The end of the show, as Engine.stop(): the stream ends, then the outputs finish.
      const endedAt = Date.now();
      process.kill(-encoder.pid!, 'SIGINT');
      await Promise.race([new Promise((resolve) => encoder!.once('close', resolve)), delay(5000)]);
      hub.end();
      await Promise.all(outputs.map((o) => o.stop()));
      await rtmp.waitForNoPublisher('live', 'diskfull');
      assert.deepEqual(
        store.alerts.open().filter((a) => a.code === 'RECORDING_DISK_FULL' || a.code === 'DISK_SPACE_LOW'),
        [],
        'both cleared in the database once there was room again',
      );

      const files = rtmp.recordings('live').filter((f) => f.includes('diskfull'));
      assert.equal(files.length, 1, `one publish from start to end (${files.join(', ')})`);
      const arrived = files[0]!;
      const times = await videoFrameTimes(arrived);
      const seconds = times.at(-1)! - times[0]!;
      const showSeconds = (endedAt - filledAt) / 1000;
      console.log(
        `disk full: recording stopped ${stoppedAfterS.toFixed(1)} s after the fill with ${(freeAtStop / MB).toFixed(1)} MB free; ` +
          `the destination got ${times.length} frames over ${seconds.toFixed(1)} s, largest gap ${maxTimestampGap(times).toFixed(3)} s`,
      );
      assert.ok(
        seconds >= showSeconds,
        `the destination has the whole show (${seconds} s ≥ ${showSeconds} s)`,
      );
      assert.ok(maxTimestampGap(times) < 0.2, 'no hole in the video at the destination');
      const audio = await audioPresence(arrived);
      assert.ok(audio.present, 'audio at the destination');

      const parts = recorder.status().recording?.files ?? [];
      assert.deepEqual(parts, [join(recordings, 'show.mp4'), join(recordings, 'show.part2.mp4')]);
      const firstPart = await probeFile(parts[0]!);
      assert.equal(firstPart.video?.codec, 'h264', 'what was recorded before the disk filled is playable');
      assert.ok(firstPart.durationSec >= 5, `part 1 lasts ${firstPart.durationSec} s`);
    });
  },
);
