// FramePipe with a real child writing to it: bytes land in the caller's buffers in order, EOF is
// reported when the child exits, and no file descriptor is left behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { FramePipe } from '../../src/process/frame-pipe.ts';
import { waitFor } from '../helpers/proc.ts';

const openFds = (): number => readdirSync('/proc/self/fd').length;

/** A child that writes `frames` frames of `frameBytes` bytes, frame i filled with byte i % 251. */
function writer(fd: number, frames: number, frameBytes: number) {
  const script = `
    for (let i = 0; i < ${frames}; i++) require('node:fs').writeSync(1, Buffer.alloc(${frameBytes}, i % 251));`;
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', fd, 'inherit'] });
}

describe('FramePipe', () => {
  // libuv opens its own descriptors on the first child spawn: do that before counting ours.
  before(async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
  });

  it('assembles whole frames from a child in caller-owned memory, then reports the end', async () => {
    const fdsBefore = openFds();
    const frameBytes = 1_000_003; // not a multiple of any pipe or page size
    const frames = 12;
    const frame = new Uint8Array(frameBytes);
    let fill = 0;
    const seen: number[] = [];
    let reads = 0;
    let ended = false;
    const pipe = new FramePipe({
      buffer: () => frame.subarray(fill),
      onRead: (bytes) => {
        reads++;
        fill += bytes;
        assert.ok(fill <= frameBytes, 'a read never runs past the frame it was given');
        if (fill < frameBytes) return;
        // Every byte of the frame must be the frame's own value: nothing lost, nothing shifted.
        const value = frame[0]!;
        assert.ok(
          frame.every((b) => b === value),
          `frame ${seen.length} is uniform`,
        );
        seen.push(value);
        fill = 0;
      },
      onEnd: () => {
        ended = true;
      },
    });
    const child = writer(pipe.writeFd!, frames, frameBytes);
    await new Promise((resolve) => child.once('spawn', resolve));
    pipe.releaseWriter();
    await waitFor(() => ended, { timeoutMs: 10_000, what: 'end of the pipe' });
    assert.deepEqual(
      seen,
      Array.from({ length: frames }, (_, i) => i % 251),
    );
    assert.equal(fill, 0, 'no partial frame left over');
    assert.ok(reads >= frames, `${reads} reads`);
    pipe.close();
    await waitFor(() => openFds() === fdsBefore, { timeoutMs: 2000, what: 'both pipe ends to close' });
  });

  it('delivers nothing after close(), and the writer then sees a broken pipe', async () => {
    const fdsBefore = openFds();
    let bytesAfterClose = 0;
    let closed = false;
    const frame = new Uint8Array(4096);
    const pipe = new FramePipe({
      buffer: () => frame,
      onRead: (bytes) => {
        if (closed) bytesAfterClose += bytes;
      },
    });
    const child = spawn(
      process.execPath,
      ['-e', 'setInterval(() => process.stdout.write("x".repeat(4096)), 5)'],
      {
        stdio: ['ignore', pipe.writeFd!, 'ignore'],
      },
    );
    await new Promise((resolve) => child.once('spawn', resolve));
    pipe.releaseWriter();
    pipe.close();
    closed = true;
    const exit = await new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ?? code)),
    );
    assert.notEqual(exit, null, 'the writer ended (EPIPE)');
    assert.equal(bytesAfterClose, 0);
    await waitFor(() => openFds() === fdsBefore, { timeoutMs: 2000, what: 'both pipe ends to close' });
  });
});
