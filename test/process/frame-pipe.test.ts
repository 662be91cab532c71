// FramePipe with a real child writing to it: bytes land in the caller's buffers in order, EOF is
// reported when the child exits, and no file descriptor is left behind.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { FRAME_PIPE_BYTES, FramePipe, FrameWriter } from '../../src/process/frame-pipe.ts';
import { waitFor } from '../helpers/proc.ts';

const openFds = (): number => readdirSync('/proc/self/fd').length;

/** The size of the pipe behind `fd` (F_GETPIPE_SZ), read by a helper given the fd. */
function pipeSize(fd: number): number {
  return Number(
    execFileSync('perl', ['-e', 'print fcntl(STDIN, 1032, 0) + 0'], { stdio: [fd, 'pipe', 'inherit'] }),
  );
}

/** What growPipe can reach without privileges. */
const expectedPipeBytes = Math.min(
  FRAME_PIPE_BYTES,
  Number(readFileSync('/proc/sys/fs/pipe-max-size', 'utf8').trim()),
);

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

  it('grows the pipe to 1 MiB (capped by pipe-max-size) in the background', async () => {
    let reported: number | null | undefined;
    const pipe = new FramePipe(
      { buffer: () => new Uint8Array(16), onRead: () => undefined },
      { onPipeSize: (size) => (reported = size) },
    );
    await waitFor(() => reported !== undefined, { timeoutMs: 5000, what: 'the pipe size' });
    assert.equal(reported, expectedPipeBytes);
    assert.equal(pipeSize(pipe.writeFd!), expectedPipeBytes);
    pipe.close();
  });
});

describe('FrameWriter', () => {
  it('carries frames to a child reading its stdin, ends with EOF, and grows its pipe', async () => {
    const fdsBefore = openFds();
    let reported: number | null | undefined;
    const writer = new FrameWriter({ onPipeSize: (size) => (reported = size) });
    // The child counts bytes and checks that each frame is uniform (frame i filled with i % 251).
    const script = `
      const frameBytes = 1_000_003; let total = 0; const bad = [];
      const fs = require('node:fs'); const buf = Buffer.alloc(65536);
      for (;;) { const n = fs.readSync(0, buf, 0, buf.length, null); if (n === 0) break;
        for (let i = 0; i < n; i++) { const frame = Math.floor((total + i) / frameBytes);
          if (buf[i] !== frame % 251 && bad.length < 3) bad.push(total + i); }
        total += n; }
      process.stdout.write(JSON.stringify({ total, bad }));`;
    const child = spawn(process.execPath, ['-e', script], { stdio: [writer.readFd!, 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => child.once('spawn', resolve));
    writer.releaseReader();
    const frames = 8;
    let written = 0;
    for (let i = 0; i < frames; i++)
      writer.stream.write(new Uint8Array(1_000_003).fill(i % 251), (error) => {
        if (!error) written++;
      });
    writer.stream.end();
    const code = await new Promise((resolve) => child.once('close', resolve));
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(out), { total: frames * 1_000_003, bad: [] });
    assert.equal(written, frames);
    assert.equal(reported, expectedPipeBytes);
    writer.close();
    await waitFor(() => openFds() === fdsBefore, { timeoutMs: 2000, what: 'both pipe ends to close' });
  });

  it('reports a broken pipe when its reader is gone', async () => {
    const writer = new FrameWriter();
    const child = spawn(process.execPath, ['-e', ''], { stdio: [writer.readFd!, 'ignore', 'ignore'] });
    await new Promise((resolve) => child.once('spawn', resolve));
    writer.releaseReader();
    await new Promise((resolve) => child.once('exit', resolve));
    const error = await new Promise<Error | null | undefined>((resolve) => {
      writer.stream.once('error', () => undefined);
      writer.stream.write(new Uint8Array(4 << 20), resolve);
    });
    assert.match(String((error as NodeJS.ErrnoException | null)?.code), /EPIPE/);
    writer.close();
  });
});
