// The local recording as an output that fails and comes back: its ffmpeg is SIGKILLed mid-show
// (a crash), then the encoder "restarts" (restart()). Nothing already written is overwritten: the
// recording continues in show.part2.mp4, then show.part3.mp4, the status lists every file, and
// each part is a playable H.264/AAC file (fragmented MP4 survives a kill).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../../src/core/clock.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { FanoutHub } from '../../../src/engine/fanout/hub.ts';
import { FlvOutput } from '../../../src/engine/outputs.ts';
import { liveSupervised, stopAllSupervised } from '../../../src/process/supervisor.ts';
import { probeFile } from '../../helpers/media-probe.ts';
import { delay, spawnGroup, stopGroup, waitFor } from '../../helpers/proc.ts';
import { tempDir } from '../../helpers/temp.ts';

describe('recording: a restarted recorder continues in a new file', () => {
  const dir = tempDir('vistter-rec-parts-');
  let encoder: ChildProcess | undefined;
  after(async () => {
    await stopAllSupervised();
    if (encoder) await stopGroup(encoder, 'SIGKILL');
    dir.cleanup();
  });

  it('crash → show.part2.mp4, restart() → show.part3.mp4; every part playable, none overwritten', async () => {
    const hub = new FanoutHub({ clock: systemClock });
    encoder = spawnGroup('ffmpeg', [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-g', '30', '-b:v', '300k', '-pix_fmt', 'yuv420p'],
      ...['-c:a', 'aac', '-b:a', '64k', '-f', 'flv', 'pipe:1'],
    ]);
    encoder.stdout!.on('data', (chunk: Buffer) => hub.push(chunk));
    encoder.stderr!.resume();
    const path = join(dir.path, 'show.mp4');
    const recorder = new FlvOutput({
      id: 'recording',
      kind: 'recording',
      name: 'local recording',
      recordPath: path,
      hub,
      clock: systemClock,
      logger: createLogger('e2e-recording'),
      backoff: { baseMs: 500 },
    });
    const live = (part: number): Promise<unknown> =>
      waitFor(() => recorder.state === 'live' && recorder.status().recording?.part === part, {
        timeoutMs: 15_000,
        intervalMs: 50,
        what: `part ${part} recording`,
      });
    const failures: string[] = [];
    recorder.on('failure', (event) => failures.push(event.error.code));
    recorder.start();
    try {
      await live(1);
      await delay(3000);
      const run = liveSupervised().find((p) => p.label === 'recording:recording');
      assert.ok(run, 'the recorder is running');
      process.kill(-run.pid, 'SIGKILL'); // a crash, as far as the output can tell
      await live(2);
      const afterCrash = recorder.status();
      assert.deepEqual(failures, ['OUTPUT_CRASHED']);
      assert.equal(afterCrash.lastError, null, 'recording again: the crash is no longer shown as current');
      assert.equal(afterCrash.restarts, 1);
      assert.match(afterCrash.recording?.note ?? '', /continues in .*show\.part2\.mp4/);
      await delay(3000);
      recorder.restart('encoder restarted');
      await live(3);
      await delay(3000);
    } finally {
      // As Engine.stop(): the stream ends first, then the recorder finishes its file.
      process.kill(-encoder.pid!, 'SIGINT');
      await Promise.race([new Promise((resolve) => encoder!.once('close', resolve)), delay(5000)]);
      hub.end();
      await recorder.stop();
    }
    const status = recorder.status();
    const parts = [path, join(dir.path, 'show.part2.mp4'), join(dir.path, 'show.part3.mp4')];
    assert.deepEqual(status.recording?.files, parts);
    assert.equal(status.restarts, 1, 'restart() is not a failure');
    for (const part of parts) {
      assert.ok(statSync(part).size > 10_000, `${part} has data`);
      const probe = await probeFile(part);
      assert.equal(probe.video?.codec, 'h264', part);
      assert.equal(probe.audio?.codec, 'aac', part);
      assert.ok(probe.durationSec >= 2, `${part} lasts ${probe.durationSec} s`);
    }
  });
});
