// Helpers for the ffmpeg process tests: spawn a builder's argv with fd 3 wired, collect outputs.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FFMPEG_BIN } from '../../../src/ffmpeg/argv.ts';
import { killGroup } from '../../../src/process/spawn.ts';

export interface Spawned {
  child: ChildProcess;
  stdin: Writable;
  stdout: Readable;
  fd3: Readable & Writable;
  stderr: () => string;
  /** Resolves with the exit code when the process has exited and all pipes are closed. */
  exited: Promise<number | null>;
}

/** Spawns ffmpeg (own process group, killed after killAfterMs) with stdin, stdout, stderr, fd 3 piped. */
export function spawnFfmpeg(args: string[], killAfterMs = 30_000): Spawned {
  const child = spawn(FFMPEG_BIN, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], detached: true });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const timer = setTimeout(() => killGroup(child.pid), killAfterMs);
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  // A closed pipe on our side must not crash the test process.
  child.stdin!.on('error', () => undefined);
  const fd3 = child.stdio[3] as Readable & Writable;
  fd3.on('error', () => undefined);
  return { child, stdin: child.stdin!, stdout: child.stdout!, fd3, stderr: () => err, exited };
}

export function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('close', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Writes and waits for 'drain' when the pipe is full (what the playout loop does). */
export function write(stream: Writable, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.write(data)) resolve();
    else {
      const onDrain = (): void => {
        stream.off('error', onError);
        resolve();
      };
      const onError = (e: Error): void => {
        stream.off('drain', onDrain);
        reject(e);
      };
      stream.once('drain', onDrain);
      stream.once('error', onError);
    }
  });
}

export function end(stream: Writable): Promise<void> {
  return new Promise((resolve) => stream.end(resolve));
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vs-ffmpeg-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A yuv420p frame: luma ramp shifted by n (so frames differ), neutral chroma. */
export function testFrame(width: number, height: number, n: number): Buffer {
  const y = width * height;
  const buf = Buffer.alloc(y * 1.5, 128);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) buf[row * width + col] = (col + row + n * 4) & 0xff;
  }
  return buf;
}

/** s16le stereo sine, `samples` frames starting at sample offset `start`. */
export function sinePcm(samples: number, start: number, freq = 440, sampleRate = 48000): Buffer {
  const buf = Buffer.alloc(samples * 4);
  for (let i = 0; i < samples; i++) {
    const v = Math.round(8000 * Math.sin((2 * Math.PI * freq * (start + i)) / sampleRate));
    buf.writeInt16LE(v, i * 4);
    buf.writeInt16LE(v, i * 4 + 2);
  }
  return buf;
}
