// The supervisor driving real ffmpeg the way decoders will: raw video on fd 1, PCM audio on fd 3.
import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll, groupExists, supervise, until } from './helpers.ts';

afterEach(cleanupAll);
after(cleanupAll);

const FRAME_BYTES = 32 * 18 * 1.5; // yuv420p 32×18

describe('Supervisor with real ffmpeg', () => {
  it('reads raw video from fd 1 and PCM from fd 3, and stops ffmpeg gracefully with SIGINT', async () => {
    const rec = supervise({
      label: 'decoder:test-pattern',
      redactedDescription: 'ffmpeg lavfi test decoder',
      spawn: {
        command: 'ffmpeg',
        args: [
          ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
          ...['-f', 'lavfi', '-i', 'testsrc=size=32x18:rate=25'],
          ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
          ...['-map', '0:v', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'],
          ...['-map', '1:a', '-f', 's16le', '-ac', '2', 'pipe:3'],
        ],
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      },
      watchFd: 1,
      stallTimeoutMs: 5000,
      stopTimeoutMs: 5000,
    });
    let videoBytes = 0;
    let audioBytes = 0;
    rec.sup.on('spawn', (run) => {
      run.readable(1).on('data', (chunk: Buffer) => (videoBytes += chunk.length));
      run.readable(3).on('data', (chunk: Buffer) => (audioBytes += chunk.length));
    });
    rec.sup.start();
    await until(() => videoBytes >= 5 * FRAME_BYTES && audioBytes >= 4 * 1920, 'video and audio data');
    assert.equal(rec.sup.state, 'running');
    assert.equal(rec.stalls.length, 0);
    const pid = rec.sup.pid!;
    await rec.sup.stop();
    assert.equal(rec.exits.length, 1);
    assert.equal(rec.exits[0]!.cause, 'requested');
    assert.notEqual(rec.exits[0]!.signal, 'SIGKILL', 'ffmpeg honours SIGINT; no escalation needed');
    assert.deepEqual(rec.stderr, [], 'no ffmpeg errors');
    await until(() => !groupExists(pid), 'group gone');
  });

  it('SIGKILLs an ffmpeg whose input never delivers data (stall) and gives up after maxRestarts', async () => {
    // ffmpeg blocks reading an input pipe nobody writes to, like a reader on a stalled camera.
    const rec = supervise({
      label: 'decoder:stalled',
      spawn: {
        command: 'ffmpeg',
        args: [
          ...['-hide_banner', '-loglevel', 'error'],
          ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', '32x18', '-i', 'pipe:0'],
          ...['-f', 'rawvideo', 'pipe:1'],
        ],
        stdio: ['pipe', 'pipe', 'pipe'],
      },
      watchFd: 1,
      stallTimeoutMs: 300,
      backoff: { baseMs: 20, capMs: 20, jitter: 0 },
      maxRestarts: 1,
    });
    rec.sup.start();
    await until(() => rec.sup.state === 'failed', 'failed');
    assert.equal(rec.stalls.length, 2);
    assert.ok(rec.stalls.every((stall) => !stall.sawData));
    assert.deepEqual(
      rec.exits.map((exit) => [exit.cause, exit.signal]),
      [
        ['stalled', 'SIGKILL'],
        ['stalled', 'SIGKILL'],
      ],
    );
  });
});
