// The in-memory registry of the appliance's live children: every Supervisor that wants its child
// running or still has one alive, and every short run (run.ts) until its pipes close, so that a
// shutdown hook can end them all; and the one observer told of every process group started and
// ended (the on-disk crash registry, child-registry.ts, that lets the next start end what a
// crashed appliance left behind). Nothing is ever looked up by process name.
import type { Logger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';

/** A child that can be ended at once (synchronously, e.g. from process.on('exit')). */
export interface LiveChild {
  readonly label: string;
  /** Signals its group (and stops supervising it); true if a live group was signalled. */
  kill(signal: NodeJS.Signals, reason: string): boolean;
}

/** A supervised child: it can also be stopped gracefully. */
export interface SupervisedChild extends LiveChild {
  /** Pid (= process group id) of the live child, or null. */
  readonly pid: number | null;
  stop(reason: string): Promise<void>;
}

const supervised = new Set<SupervisedChild>();
const shortRuns = new Set<LiveChild>();

export function enlistSupervised(child: SupervisedChild): void {
  supervised.add(child);
}

export function releaseSupervised(child: SupervisedChild): void {
  supervised.delete(child);
}

export function enlistShortRun(child: LiveChild): void {
  shortRuns.add(child);
}

export function releaseShortRun(child: LiveChild): void {
  shortRuns.delete(child);
}

/**
 * Synchronously SIGKILLs every live supervised process group and every short run, and stops all
 * supervisors (no more restarts). Safe in process.on('exit'). Returns how many groups were signalled.
 */
export function killAllSupervised(signal: NodeJS.Signals = 'SIGKILL'): number {
  let signalled = 0;
  for (const child of [...supervised, ...shortRuns]) if (child.kill(signal, 'shutdown')) signalled++;
  return signalled;
}

/** Gracefully stops every supervisor (stopSignal, then SIGKILL after its timeout); short runs
 *  have nothing to finish and get SIGKILL. */
export async function stopAllSupervised(): Promise<void> {
  for (const run of [...shortRuns]) run.kill('SIGKILL', 'shutdown');
  await Promise.all([...supervised].map((child) => child.stop('shutdown')));
}

/** Labels and pids of every live supervised child (for health pages and tests). */
export function liveSupervised(): { label: string; pid: number }[] {
  const out: { label: string; pid: number }[] = [];
  for (const child of supervised) {
    const pid = child.pid;
    if (pid !== null) out.push({ label: child.label, pid });
  }
  return out;
}

/** Told about every process group the appliance starts and sees end (e.g. the on-disk child
 *  registry that lets a restart after a crash end what the dead process left behind). */
export interface ProcessGroupObserver {
  started(pgid: number, label: string): void;
  ended(pgid: number): void;
}

let groupObserver: ProcessGroupObserver | null = null;

/** Installs the one process-group observer (null removes it). */
export function observeProcessGroups(observer: ProcessGroupObserver | null): void {
  groupObserver = observer;
}

/** A child started as the leader of group pgid. */
export function groupStarted(pgid: number, label: string, log: Logger): void {
  notify(log, pgid, () => groupObserver?.started(pgid, label));
}

/** The group's leader exited and the group was swept. */
export function groupEnded(pgid: number, log: Logger): void {
  notify(log, pgid, () => groupObserver?.ended(pgid));
}

function notify(log: Logger, pgid: number, call: () => void): void {
  try {
    call();
  } catch (error) {
    // Bookkeeping must never break supervision.
    log.warn({ pgid, err: messageOf(error) }, 'process group observer threw');
  }
}
