// A recording in parts, with real ffmpeg: a recorder making a new file every 4 s beside one that
// never does, both fed the same stream from its first byte. The parts together hold exactly the
// frames of the single file (nothing lost or repeated at a cut), each part begins with a keyframe
// and has no hole, and none of them was a failure.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../../src/core/clock.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { FanoutHub } from '../../../src/engine/fanout/hub.ts';
import { FlvOutput } from '../../../src/engine/outputs.ts';
import { stopAllSupervised } from '../../../src/process/supervisor.ts';
import type { RecordingLimits } from '../../../src/recordings/limits.ts';
import { maxTimestampGap, readPackets } from '../../helpers/media-probe.ts';
import { delay, spawnGroup, stopGroup, waitFor } from '../../helpers/proc.ts';
import { tempDir } from '../../helpers/temp.ts';

describe('recording: a new file every few seconds loses and repeats nothing', () => {
  const dir = tempDir('vistter-rec-roll-');
  let encoder: ChildProcess | undefined;
  const outputs: FlvOutput[] = [];
  after(async () => {
    if (encoder) await stopGroup(encoder, 'SIGKILL');
    await Promise.all(outputs.map((o) => o.stop(500)));
    await stopAllSupervised();
    dir.cleanup();
  });

  it('the parts hold exactly the frames of one uninterrupted file', async () => {
    const hub = new FanoutHub({ clock: systemClock });
    const limits = (fileMs: number): RecordingLimits => ({
      folder: join(dir.path, 'not-swept'),
      quotaBytes: 0,
      maxAgeMs: 0,
      fileMs,
      reserveBytes: 0,
      warnBytes: 0,
    });
    const recorder = (name: string, fileMs: number): FlvOutput =>
      new FlvOutput({
        id: name,
        kind: 'recording',
        name,
        recordPath: join(dir.path, `${name}.mp4`),
        hub,
        clock: systemClock,
        logger: createLogger(`e2e-${name}`),
        recordingLimits: limits(fileMs),
      });
    const parts = recorder('parts', 4000);
    const whole = recorder('whole', 0);
    outputs.push(parts, whole);
    parts.start();
    whole.start();
    // Both read from the stream's first byte: their ffmpeg runs before the encoder starts.
    await waitFor(() => parts.status().process === 'running' && whole.status().process === 'running', {
      timeoutMs: 10_000,
      what: 'both recorders running',
    });
    encoder = spawnGroup('ffmpeg', [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-t', '13', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-pix_fmt', 'yuv420p'],
      ...['-c:a', 'aac', '-b:a', '64k', '-f', 'flv', 'pipe:1'],
    ]);
    encoder.stdout!.on('data', (chunk: Buffer) => hub.push(chunk));
    encoder.stderr!.resume();
    await new Promise((resolve) => encoder!.once('close', resolve));
    await delay(500);
    hub.end(); // as Engine.stop(): the outputs finish their files at the end of their input
    await Promise.all(outputs.map((o) => o.stop()));

    const files = parts.status().recording?.files ?? [];
    assert.ok(files.length >= 3, `13 s in parts of 4 s: ${files.join(', ')}`);
    assert.equal(parts.status().restarts, 0, 'a new part is not a failure');
    let frames = 0;
    for (const file of files) {
      const video = await readPackets(file, 'v');
      assert.ok(video.length > 0, `${file} has video`);
      assert.equal(video[0]!.key, true, `${file} begins with a keyframe`);
      assert.ok(maxTimestampGap(video.map((p) => p.pts)) < 0.1, `${file} has no hole`);
      assert.ok((await readPackets(file, 'a')).length > 0, `${file} has audio`);
      frames += video.length;
    }
    const reference = (await readPackets(join(dir.path, 'whole.mp4'), 'v')).length;
    console.log(`recording parts: ${files.length} parts, ${frames} frames; one file: ${reference} frames`);
    assert.equal(frames, reference, 'every frame once, in one part or another');
  });
});
