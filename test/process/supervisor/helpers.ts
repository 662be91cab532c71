// Helpers for supervisor tests with real child processes. They wait for events and OS state, with
// a generous deadline only so a broken test fails instead of hanging; nothing asserts elapsed time.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Supervisor,
  type ExitInfo,
  type StallInfo,
  type StateChange,
  type SupervisedRun,
  type SupervisorOptions,
} from '../../../src/process/supervisor.ts';

export interface Recorded {
  sup: Supervisor;
  states: StateChange[];
  exits: ExitInfo[];
  stalls: StallInfo[];
  runs: SupervisedRun[];
  stderr: string[];
  /** Text read from fd 1 of each run, by runId. */
  stdout: Map<number, string>;
  path: () => string[];
}

const everyone: Recorded[] = [];

/** A real supervisor (system clock, real processes) that records every event. */
export function supervise(options: SupervisorOptions): Recorded {
  const sup = new Supervisor(options);
  const rec: Recorded = {
    sup,
    states: [],
    exits: [],
    stalls: [],
    runs: [],
    stderr: [],
    stdout: new Map(),
    path: () => rec.states.map((change) => change.to),
  };
  sup.on('state', (change) => rec.states.push(change));
  sup.on('exit', (info) => rec.exits.push(info));
  sup.on('stall', (info) => rec.stalls.push(info));
  sup.on('stderr', (line) => rec.stderr.push(line));
  sup.on('spawn', (run) => {
    rec.runs.push(run);
    rec.stdout.set(run.runId, '');
    run.stdout?.on('data', (chunk: Buffer) => {
      rec.stdout.set(run.runId, (rec.stdout.get(run.runId) ?? '') + chunk.toString('utf8'));
    });
  });
  everyone.push(rec);
  return rec;
}

/** For after(): kill every child these tests started (by its group) and wait until it is gone. */
export async function cleanupAll(): Promise<void> {
  for (const rec of everyone.splice(0)) {
    rec.sup.kill('SIGKILL', 'test cleanup');
    await rec.sup.whenGone();
  }
}

export async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Parsed /proc/<pid>/stat: state letter and process group, or null if the process is gone. */
function procStat(pid: number): { state: string; pgrp: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp …"; comm may contain spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

const running = (state: string): boolean => state !== 'Z' && state !== 'X';

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && running(stat.state);
}

/**
 * True while any live (non-zombie) process is in the process group. Zombies are ignored: after a
 * group SIGKILL, orphaned grandchildren are reaped by PID 1 whenever it gets round to it.
 */
export function groupExists(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat && stat.pgrp === pgid && running(stat.state)) return true;
  }
  return false;
}
