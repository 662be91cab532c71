// CPU pressure for end-to-end tests: a user's other work beside the appliance (on a Raspberry Pi 5
// encoding in software, a busy CPU is the normal state). Each load is one node process in its own
// process group, at nice 0, whose worker thread spins (pure user CPU, no I/O). It is stopped by its
// process group, never by name; it also ends on its own when its stdin closes, i.e. when the
// process that started it dies, even by SIGKILL (an 'exit' hook would not run then).
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { hasExited, spawnGroup, stopGroup, tail, waitFor } from './proc.ts';

/** The child: nice 0 like a user's ordinary work (also when started from a thread at nice −10,
 *  as the engine's playout thread may run), a spinning worker thread, and a main thread that
 *  only waits for its stdin to close. */
const BUSY_PROCESS = `
const { Worker } = require('node:worker_threads');
try { require('node:os').setPriority(0); } catch {}
const worker = new Worker('for (;;) {}', { eval: true });
worker.once('online', () => process.stdout.write('busy\\n'));
process.stdin.once('end', () => process.exit(0));
process.stdin.once('close', () => process.exit(0));
process.stdin.resume();
`;

export interface CpuLoad {
  /** Process (and process group) ids of the busy processes. */
  pids: readonly number[];
  /** Stops every busy process by its process group; resolves once they have exited. */
  stop(): Promise<void>;
}

/**
 * Starts `count` CPU-bound processes and resolves once each one spins. Stop it with `stop()`;
 * should the caller die first, each process sees its stdin close and exits.
 */
export async function startCpuLoad(count = 2): Promise<CpuLoad> {
  if (!Number.isInteger(count) || count < 1) throw new Error(`CPU load count must be ≥ 1, got ${count}`);
  const children = Array.from({ length: count }, () =>
    spawnGroup(process.execPath, ['-e', BUSY_PROCESS], { stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((child) => stopGroup(child, 'SIGTERM', 2000)));
  };
  try {
    await Promise.all(
      children.map(async (child) => {
        // Node's pipes are close-on-exec: only this process holds the write end of the child's stdin.
        child.stdin?.on('error', () => undefined);
        const stderr = tail(child.stderr);
        let spinning = false;
        createInterface({ input: child.stdout! }).on('line', (line) => {
          if (line === 'busy') spinning = true;
        });
        await waitFor(
          () => {
            if (hasExited(child)) throw new Error(`a CPU load process exited at start: ${stderr()}`);
            return spinning;
          },
          { timeoutMs: 30_000, what: 'a CPU load process to spin' },
        );
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { pids: children.map((child) => child.pid!), stop };
}

/** The 1, 5 and 15 minute load averages, for the notes of a run ("unknown" without /proc). */
export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}
