// Pipes for raw frames between Node and a child, with the file descriptors in our hands.
//
// Reading (FramePipe): a child's ordinary stdout pipe hands Node a freshly allocated 64 KiB buffer
// per read: at 1080p30 that is 93 MB/s of short-lived external memory per source, and V8 answers
// it with a full mark-compact every few hundred milliseconds (measured: most of the engine's own
// CPU and its tick jitter). net.Socket's `onread` reads into a buffer we supply instead, but it
// needs a file descriptor, so the pipe is made from a FIFO: create it, open both ends, unlink it.
// The child gets the write end as a plain fd (its stdout), the parent keeps only the read end.
//
// Writing (FrameWriter): Node's stdio 'pipe' is a UNIX socket pair, whose buffer cannot be
// enlarged past net.core.wmem_max; a FIFO's can. The child gets the read end as its stdin.
//
// Both grow the pipe to 1 MiB (Linux's default 64 KiB means ~48 wake-ups of each side per 3 MB
// 1080p frame). Node has no fcntl(), so a short-lived helper (perl, Essential on Debian) is given
// the pipe as its stdin and sets F_SETPIPE_SZ; the size belongs to the pipe, so it stays after
// the helper exits. It runs asynchronously: the pipe works at the default size until then, and
// keeps working at it if the helper cannot run.
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHelper, runHelperSync, spawnHelper } from './spawn.ts';

/** Linux fcntl commands (fcntl.h). */
const F_SETPIPE_SZ = 1031;
/** What the engine asks for; capped by /proc/sys/fs/pipe-max-size (1 MiB by default). */
export const FRAME_PIPE_BYTES = 1 << 20;

/** The largest pipe an unprivileged process may ask for, or null when unknown (not Linux). */
function pipeMaxSize(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const value = Number(readFileSync('/proc/sys/fs/pipe-max-size', 'utf8').trim());
    return Number.isFinite(value) && value > 0 ? value : null;
  } catch {
    return null;
  }
}

let maxPipeBytes: number | null | undefined;

/**
 * Asks for a pipe buffer of `bytes` (capped by pipe-max-size) on the pipe behind `fd`, in the
 * background. `done` hears the new size in bytes, or null when it could not be set (the pipe keeps
 * its size). The caller must keep `fd` open until this returns (the helper gets its own copy).
 */
export function growPipe(fd: number, bytes = FRAME_PIPE_BYTES, done?: (size: number | null) => void): void {
  maxPipeBytes ??= pipeMaxSize();
  if (maxPipeBytes === null) {
    done?.(null);
    return;
  }
  const size = Math.min(bytes, maxPipeBytes);
  let out = '';
  let reported = false;
  const report = (value: number | null): void => {
    if (reported) return;
    reported = true;
    done?.(value);
  };
  try {
    // fcntl returns the new size ("0 but true" for 0), undef on failure.
    const helper = spawnHelper(
      'perl',
      ['-e', `my $r = fcntl(STDIN, ${F_SETPIPE_SZ}, ${size}); print $r ? $r + 0 : -1`],
      [fd, 'pipe', 'ignore'],
    );
    helper.stdout?.setEncoding('utf8');
    helper.stdout?.on('data', (chunk: string) => (out += chunk));
    helper.on('error', () => report(null)); // no perl: the default size stays
    helper.on('close', () => {
      const value = Number(out);
      report(Number.isInteger(value) && value > 0 ? value : null);
    });
  } catch {
    report(null);
  }
}

// FIFOs are made by mkfifo(1) (Node has no mkfifo). Running it synchronously would hold the
// playout's event loop for a whole fork/exec/exit (tens of ms on a loaded machine: dropped ticks
// every time a decoder starts), so a few are made ahead of need, asynchronously, in a private
// folder; a pipe takes one and unlinks it once both ends are open.
const SPARE_FIFOS = 4;
let spareDir: string | null = null;
const spares: string[] = [];
let making = false;
let fifoSeq = 0;

function makeSpares(): void {
  if (making || spares.length >= SPARE_FIFOS) return;
  making = true;
  try {
    spareDir ??= mkdtempSync(join(tmpdir(), 'vistter-pipes-'));
  } catch {
    making = false;
    return;
  }
  const dir = spareDir;
  const paths = Array.from({ length: SPARE_FIFOS - spares.length }, () => join(dir, `fifo-${++fifoSeq}`));
  runHelper('mkfifo', ['-m', '600', ...paths], (error) => {
    making = false;
    if (!error) spares.push(...paths);
  });
}

/** Makes spare FIFOs ahead of the first pipes (call early, e.g. when a show is built). */
export function prepareFramePipes(): void {
  makeSpares();
}

process.once('exit', () => {
  if (spareDir !== null) rmSync(spareDir, { recursive: true, force: true });
});

/** A FIFO's path: a spare one made ahead of time, else one made now (synchronously). */
function takeFifo(): { path: string; cleanup: () => void } {
  const spare = spares.shift();
  makeSpares();
  if (spare !== undefined) return { path: spare, cleanup: () => rmSync(spare, { force: true }) };
  const dir = mkdtempSync(join(tmpdir(), 'vistter-pipe-'));
  const path = join(dir, 'frames');
  runHelperSync('mkfifo', ['-m', '600', path], 10_000);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A FIFO with both ends open, already unlinked. The write end blocks; the read end does not,
 *  unless `blockingReader` (for a child that reads it). */
function openFifo(blockingReader: boolean): { readFd: number; writeFd: number } {
  const { path, cleanup } = takeFifo();
  const fds: number[] = [];
  try {
    // The read end first and non-blocking, so opening the write end does not wait for a reader.
    const nonBlockingReader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    fds.push(nonBlockingReader);
    const writeFd = openSync(path, constants.O_WRONLY);
    fds.push(writeFd);
    if (!blockingReader) return { readFd: nonBlockingReader, writeFd };
    // A child must block on an empty pipe, not spin on EAGAIN: with a writer present, a blocking
    // open of the read end returns at once.
    const readFd = openSync(path, constants.O_RDONLY);
    closeSync(nonBlockingReader);
    return { readFd, writeFd };
  } catch (error) {
    for (const fd of fds) closeSync(fd);
    throw error;
  } finally {
    cleanup();
  }
}

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

  constructor(reader: FramePipeReader, options: { onPipeSize?: (size: number | null) => void } = {}) {
    const { readFd, writeFd } = openFifo(false);
    this.writeFd = writeFd;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      reader.onEnd?.();
    };
    // `onread` is a documented Socket option that @types/node lists only for connect().
    const socketOptions: SocketConstructorOpts & {
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
    this.socket = new Socket(socketOptions);
    this.socket.on('end', end);
    this.socket.on('close', end);
    this.socket.on('error', end); // ECONNRESET and the like: the end of this run's frames
    growPipe(writeFd, FRAME_PIPE_BYTES, options.onPipeSize);
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

/**
 * The other direction: Node writes frames, a child reads them from the FIFO's read end (give it
 * `readFd` as its stdin, then call releaseReader()). `stream` is a Writable: write() with a
 * callback per buffer, writableLength for the backlog, end() for EOF, 'error' (EPIPE) when the
 * child is gone.
 */
export class FrameWriter {
  readFd: number | null;
  readonly stream: Socket;

  constructor(options: { onPipeSize?: (size: number | null) => void } = {}) {
    const { readFd, writeFd } = openFifo(true);
    this.readFd = readFd;
    this.stream = new Socket({ fd: writeFd, readable: false, writable: true });
    growPipe(readFd, FRAME_PIPE_BYTES, options.onPipeSize);
  }

  /** Closes the parent's copy of the read end (after the child has its own), so a dead reader
   *  shows as EPIPE instead of a pipe that fills up. */
  releaseReader(): void {
    if (this.readFd === null) return;
    closeSync(this.readFd);
    this.readFd = null;
  }

  /** Closes both ends at once (queued writes are dropped). */
  close(): void {
    this.releaseReader();
    this.stream.destroy();
  }
}
