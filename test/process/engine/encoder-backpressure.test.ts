import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../../src/core/clock.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { Encoder } from '../../../src/engine/encoder.ts';
import { FanoutHub } from '../../../src/engine/fanout/hub.ts';
import { formatKey } from '../../../src/engine/program-clock.ts';
import { stopAllSupervised } from '../../../src/process/supervisor.ts';
import { delay, waitFor } from '../../helpers/proc.ts';

describe('encoder input queue', () => {
  after(() => stopAllSupervised());

  it('stays bounded when the encoder stalls: whole ticks are dropped and counted, memory stays flat', async () => {
    const width = 320;
    const height = 180;
    const frameBytes = (width * height * 3) / 2;
    const hub = new FanoutHub();
    const encoder = new Encoder({
      fps: 30,
      format: { width, height, decimation: 1 },
      settings: { profile: 'reliability', videoEncoder: 'libx264', preset: 'veryfast' },
      hub,
      clock: systemClock,
      logger: createLogger('test'),
      maxBacklogFrames: 5,
    });
    encoder.start();
    const frames = new Map([[formatKey(encoder.currentFormat), Buffer.alloc(frameBytes, 100)]]);
    const pcm = Buffer.alloc(1600 * 4);
    let next = 0;
    const tick = () => {
      encoder.writeTick(next, frames, pcm, next * 1600);
      next++;
    };
    try {
      tick(); // the first tick starts the first run
      await waitFor(() => encoder.pid, { what: 'the encoder to start' });
      for (let i = 0; i < 29; i++) tick();
      await waitFor(() => encoder.stats().bytesOut > 0, { timeoutMs: 10_000, what: 'FLV from the encoder' });
      const before = encoder.stats();

      process.kill(encoder.pid!, 'SIGSTOP'); // an encoder that cannot keep up at all
      await delay(200); // what was queued fills its pipe
      for (let i = 0; i < 300; i++) tick();
      const stalled = encoder.stats();
      process.kill(encoder.pid!, 'SIGCONT');

      const written = stalled.framesWritten - before.framesWritten;
      const dropped = stalled.framesDropped - before.framesDropped;
      assert.equal(written + dropped, 300, 'every tick was either written or dropped');
      assert.ok(dropped >= 280, `most ticks were dropped while stalled (dropped ${dropped})`);
      // At most the limit plus one frame, and a second of audio, waits in Node; the pipe's own
      // buffer holds a few more.
      const audioSecond = 48000 * 4;
      assert.ok(
        stalled.backlogBytes <= 6 * frameBytes + audioSecond,
        `backlog ${stalled.backlogBytes} bytes`,
      );

      for (let i = 0; i < 30; i++) tick();
      await waitFor(() => encoder.stats().backlogBytes === 0, {
        timeoutMs: 10_000,
        what: 'the backlog to drain',
      });
    } finally {
      await encoder.stop();
      hub.end();
    }
  });
});
