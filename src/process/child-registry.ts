// The on-disk list of supervised process groups, so that a restart after a crash (SIGKILL, OOM
// kill) can end what the dead appliance left running — by process group id and start time, never
// by name. Each appliance process keeps its own file, <dir>/children-<pid>.json:
//
//   { "owner": { pid, startTicks, bootId }, "groups": [ { pgid, startTicks, label } ] }
//
// A group is only ever signalled when its leader still exists with the start time recorded when
// it was spawned (a pid reused by an unrelated process has another start time) on the same boot.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { signalGroup } from './spawn.ts';
import { messageOf } from '../core/message-of.ts';

/** A process, identified so that a reused pid is not mistaken for it. */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot: /proc/<pid>/stat field 22. */
  startTicks: number;
  /** /proc/sys/kernel/random/boot_id: pids and start times mean nothing across reboots. */
  bootId: string;
}

export interface RecordedGroup {
  pgid: number;
  startTicks: number;
  label: string;
}

interface RegistryFile {
  owner: ProcessIdentity;
  groups: RecordedGroup[];
}

/** Fields of /proc/<pid>/stat we need, or null when the process does not exist. */
export function readProcStat(pid: number): { startTicks: number; pgrp: number; state: string } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field n is fields[n - 3].
  const startTicks = Number(fields[19]);
  const pgrp = Number(fields[2]);
  if (!Number.isFinite(startTicks) || !Number.isFinite(pgrp)) return null;
  return { startTicks, pgrp, state: fields[0] ?? '?' };
}

let cachedBootId: string | null = null;
export function bootId(): string {
  cachedBootId ??= (() => {
    try {
      return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      return 'unknown';
    }
  })();
  return cachedBootId;
}

/** The identity of a live process (default: this one), or null if it does not exist. */
export function processIdentity(pid: number = process.pid): ProcessIdentity | null {
  const stat = readProcStat(pid);
  return stat ? { pid, startTicks: stat.startTicks, bootId: bootId() } : null;
}

/** True when exactly this process (same pid, start time and boot) is still alive. A zombie counts as gone. */
export function isProcessAlive(identity: ProcessIdentity): boolean {
  if (identity.bootId !== bootId()) return false;
  const stat = readProcStat(identity.pid);
  return stat !== null && stat.startTicks === identity.startTicks && stat.state !== 'Z';
}

/**
 * This process's registry file. record()/forget() rewrite it atomically (temp file + rename), so a
 * crash at any moment leaves either the old or the new list, never half a file.
 */
export class ChildRegistry {
  readonly path: string;
  private readonly owner: ProcessIdentity;
  private readonly groups = new Map<number, RecordedGroup>();
  private readonly log: Logger | undefined;
  private closed = false;

  constructor(dir: string, options: { logger?: Logger; owner?: ProcessIdentity } = {}) {
    mkdirSync(dir, { recursive: true });
    const owner = options.owner ?? processIdentity();
    if (!owner) throw new Error('cannot read /proc/self/stat: the child registry needs Linux /proc');
    this.owner = owner;
    this.path = join(dir, `children-${owner.pid}.json`);
    this.log = options.logger;
    this.write();
  }

  /** A supervised child was spawned as the leader of group pgid. */
  record(pgid: number, label: string): void {
    if (this.closed) return;
    const stat = readProcStat(pgid);
    // Already gone (or reaped and its pid reused): nothing to clean up later.
    if (!stat || stat.pgrp !== pgid) return;
    this.groups.set(pgid, { pgid, startTicks: stat.startTicks, label });
    this.write();
  }

  /** The group's leader exited and the supervisor swept the group. */
  forget(pgid: number): void {
    if (this.closed || !this.groups.delete(pgid)) return;
    this.write();
  }

  get recorded(): readonly RecordedGroup[] {
    return [...this.groups.values()];
  }

  /** Removes the file: every child was stopped by this process (a clean shutdown). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    rmSync(this.path, { force: true });
  }

  private write(): void {
    const body: RegistryFile = { owner: this.owner, groups: [...this.groups.values()] };
    const temporary = `${this.path}.tmp`;
    try {
      writeFileSync(temporary, `${JSON.stringify(body)}\n`);
      renameSync(temporary, this.path);
    } catch (error) {
      // Losing the list only weakens crash cleanup; the show itself must not fail over it.
      this.log?.warn({ err: messageOf(error) }, 'child registry write failed');
    }
  }
}

export interface ReapReport {
  /** Groups SIGKILLed: left behind by a process that died. */
  killed: Array<RecordedGroup & { owner: number }>;
  /** Registry files of dead processes that were removed. */
  removedFiles: string[];
  /** Registry files left alone because their owner is alive (another appliance or CLI process). */
  liveOwners: number[];
}

function readRegistry(path: string): RegistryFile | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<RegistryFile>;
    const owner = value.owner;
    if (
      !owner ||
      !Number.isInteger(owner.pid) ||
      !Number.isInteger(owner.startTicks) ||
      typeof owner.bootId !== 'string' ||
      !Array.isArray(value.groups)
    )
      return null;
    const groups = value.groups.filter(
      (g): g is RecordedGroup =>
        typeof g === 'object' && g !== null && Number.isInteger(g.pgid) && Number.isInteger(g.startTicks),
    );
    return { owner, groups };
  } catch {
    return null;
  }
}

/**
 * Ends the process groups that dead appliance processes left behind: for every registry file in
 * dir whose owner is gone, SIGKILL each recorded group whose leader still exists with the same
 * start time, then remove the file. Files of live owners are left alone. Waits (up to waitMs) for
 * the killed leaders to disappear, so a resumed show does not race the old one for a destination.
 */
export async function reapOrphanedChildren(
  dir: string,
  options: { logger?: Logger; waitMs?: number; self?: number; clock?: Clock } = {},
): Promise<ReapReport> {
  const report: ReapReport = { killed: [], removedFiles: [], liveOwners: [] };
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /^children-\d+\.json$/.test(f));
  } catch {
    return report;
  }
  const self = options.self ?? process.pid;
  const currentBoot = bootId();
  for (const file of files) {
    const path = join(dir, file);
    const registry = readRegistry(path);
    if (registry && registry.owner.pid !== self && isProcessAlive(registry.owner)) {
      report.liveOwners.push(registry.owner.pid);
      continue;
    }
    if (registry && registry.owner.pid === self) continue; // our own, current file
    if (registry && registry.owner.bootId === currentBoot) {
      for (const group of registry.groups) {
        // Never our own group, never 0/1 (kill(-0)/kill(-1) hit far more than one group).
        if (group.pgid <= 1 || group.pgid === self) continue;
        const stat = readProcStat(group.pgid);
        if (!stat || stat.startTicks !== group.startTicks || stat.pgrp !== group.pgid) continue;
        if (signalGroup(group.pgid, 'SIGKILL')) report.killed.push({ ...group, owner: registry.owner.pid });
      }
    }
    rmSync(path, { force: true });
    report.removedFiles.push(path);
  }
  if (report.killed.length > 0) {
    options.logger?.warn(
      { groups: report.killed.map((g) => ({ pgid: g.pgid, label: g.label, owner: g.owner })) },
      'killed process groups left behind by a crashed run',
    );
    const clock = options.clock ?? systemClock;
    const deadline = clock.now() + (options.waitMs ?? 3000);
    const stillThere = (): boolean =>
      report.killed.some((g) => {
        const stat = readProcStat(g.pgid);
        return stat !== null && stat.startTicks === g.startTicks && stat.state !== 'Z';
      });
    while (stillThere() && clock.now() < deadline)
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 50));
  }
  return report;
}
