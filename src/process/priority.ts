// CPU priorities. The playout's event loop has the only hard deadline (a tick every frame); the
// encoder has half a second of queue and the decoders a latest-frame buffer, so under load they
// can wait a few milliseconds where the playout cannot. Measured on 2 cores with 4 cameras: at
// nice 0, and still at nice -10, the event loop often waited 5–40 ms for a CPU behind the x264
// and decoder threads (EEVDF favours a heavier task with more CPU, not with an earlier turn).
// So when permitted (root or CAP_SYS_NICE) the event loop thread runs SCHED_FIFO at the lowest
// real-time priority, with reset-on-fork so that nothing it spawns inherits it; the kernel's
// real-time throttling (95 % of each second) still bounds it. Otherwise nice -10, otherwise as is. Linux's nice values are per thread:
// os.setPriority(0, n) changes the calling thread (the event loop), and a child started through
// nice(1) has the value from its first instruction on, so every thread it creates inherits it.
import { constants, getPriority, setPriority } from 'node:os';
import { runHelperSync } from './spawn.ts';

/** The event loop's niceness when the process may raise it (root or CAP_SYS_NICE). */
export const PLAYOUT_NICE = -10;
/** Decoders: below the playout and the encoder (raising a child's niceness needs no privilege). */
export const DECODER_NICE = 5;
/** Every other child (encoder, publishers, probes): the normal priority, not the playout's. */
export const CHILD_NICE = 0;

/**
 * The command and arguments that run `command` at niceness `nice` (absolute, clamped to what an
 * unprivileged process can ask for). A child inherits the niceness of the thread that spawns it,
 * the raised event loop's, so every child goes through nice(1) with the difference, unless it is 0.
 */
export function atNiceness(
  command: string,
  args: readonly string[],
  nice: number = CHILD_NICE,
): [string, string[]] {
  let current: number;
  try {
    current = getPriority(0);
  } catch {
    return [command, [...args]];
  }
  // Under reset-on-fork a child starts at nice 0 if ours is negative.
  if (resetOnFork) current = Math.max(0, current);
  const target = Math.min(constants.priority.PRIORITY_LOW, Math.max(current, Math.round(nice)));
  const adjustment = target - current;
  return adjustment > 0 ? ['nice', ['-n', String(adjustment), command, ...args]] : [command, [...args]];
}

export interface PriorityResult {
  /** The niceness in effect afterwards. */
  nice: number;
  /** Why it could not be changed (not permitted, …); absent when it was. */
  error?: string;
}

/** Set once this thread runs real-time with reset-on-fork: its children start at nice ≥ 0. */
let resetOnFork = false;

/** Real-time priority of the playout thread (the lowest SCHED_FIFO level: above every normal task). */
export const PLAYOUT_RT_PRIORITY = 1;

export interface PlayoutPriority {
  policy: 'realtime' | 'nice';
  /** The niceness in effect (what children are spawned relative to). */
  nice: number;
  /** Why real time (and, if nice is not raised, nice -10) could not be had. */
  notRaised?: string[];
}

/**
 * Gives the calling thread (call it from the event loop) the playout's priority: SCHED_FIFO via
 * chrt(1) (util-linux) when permitted, else nice PLAYOUT_NICE when permitted, else unchanged.
 */
export function raisePlayoutPriority(options: { realtime?: boolean } = {}): PlayoutPriority {
  const notRaised: string[] = [];
  if (options.realtime !== false && process.platform === 'linux') {
    try {
      // --pid with the process id: this thread (the main thread's id is the process id).
      runHelperSync(
        'chrt',
        ['--fifo', '--reset-on-fork', '--pid', String(PLAYOUT_RT_PRIORITY), String(process.pid)],
        2000,
      );
      resetOnFork = true;
      return { policy: 'realtime', nice: getPriority(0) };
    } catch (error) {
      notRaised.push(`real time: ${(error as NodeJS.ErrnoException).code ?? 'chrt failed (not permitted?)'}`);
    }
  }
  const result = raiseOwnPriority();
  if (result.error !== undefined) notRaised.push(`nice ${PLAYOUT_NICE}: ${result.error}`);
  return { policy: 'nice', nice: result.nice, ...(notRaised.length > 0 ? { notRaised } : {}) };
}

/**
 * Raises the calling thread's priority to `nice` (lower is more favoured) unless it already is at
 * least that high; without the privilege it stays where it is.
 */
export function raiseOwnPriority(nice = PLAYOUT_NICE): PriorityResult {
  let current: number;
  try {
    current = getPriority(0);
  } catch (error) {
    return { nice: 0, error: (error as Error).message };
  }
  if (current <= nice) return { nice: current };
  try {
    setPriority(0, Math.max(nice, constants.priority.PRIORITY_HIGHEST));
    return { nice: getPriority(0) };
  } catch (error) {
    return { nice: current, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
}
