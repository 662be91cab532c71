// A pipe whose reads land directly in caller-owned memory. A child's ordinary stdout pipe hands
// Node a freshly allocated 64 KiB buffer per read: at 1080p30 that is 93 MB/s of short-lived
// external memory per source, and V8 answers it with a full mark-compact every few hundred
// milliseconds (measured: most of the engine's own CPU and its tick jitter). net.Socket's
// `onread` reads into a buffer we supply instead, but it needs a file descriptor, so the pipe is
// made from a FIFO: create it, open both ends, unlink it. The child gets the write end as a plain
// fd (its stdout), the parent keeps only the read end.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FramePipeReader {
  /** Where the next read may write (at least one byte, at most what is still wanted). */
  buffer: () => Uint8Array;
  /** `bytes` bytes were written at the start of the last buffer handed out. */
  onRead: (bytes: number) => void;
  /** The writer closed its end (the child exited) or the pipe failed. */
  onEnd?: () => void;
}

export class FramePipe {
  /** Give this to the child as a stdio entry, then call releaseWriter(). */
  writeFd: number | null;
  private readonly socket: Socket;
  private closed = false;

  constructor(reader: FramePipeReader) {
    const dir = mkdtempSync(join(tmpdir(), 'vistter-pipe-'));
    const path = join(dir, 'frames');
    let readFd: number | null = null;
    try {
      execFileSync('mkfifo', ['-m', '600', path], { stdio: 'ignore' });
      // The read end first and non-blocking, so opening the write end does not wait for a reader.
      readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      // The write end blocking: the child must block on a full pipe, not spin on EAGAIN.
      this.writeFd = openSync(path, constants.O_WRONLY);
    } catch (error) {
      if (readFd !== null) closeSync(readFd);
      throw error;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      reader.onEnd?.();
    };
    // `onread` is a documented Socket option that @types/node lists only for connect().
    const options: SocketConstructorOpts & {
      onread: { buffer: () => Uint8Array; callback: (bytes: number) => void };
    } = {
      fd: readFd,
      readable: true,
      writable: false,
      onread: {
        buffer: reader.buffer,
        callback: (bytes: number) => {
          if (!this.closed) reader.onRead(bytes);
        },
      },
    };
    this.socket = new Socket(options);
    this.socket.on('end', end);
    this.socket.on('close', end);
    this.socket.on('error', end); // ECONNRESET and the like: the end of this run's frames
  }

  /** Closes the parent's copy of the write end (after the child has its own), so EOF can arrive. */
  releaseWriter(): void {
    if (this.writeFd === null) return;
    closeSync(this.writeFd);
    this.writeFd = null;
  }

  /** Stops reading and closes both ends; no onRead after this. */
  close(): void {
    this.closed = true;
    this.releaseWriter();
    this.socket.destroy();
  }
}
