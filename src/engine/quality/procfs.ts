// What the capacity check reads from Linux's /proc and cgroup files: a child's CPU seconds, the
// machine's idle CPU seconds, and how many cores this process may use. Parsers are pure; readers
// return null where the file is missing (not Linux, process gone).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Clock ticks per second in /proc/<pid>/stat and /proc/stat (USER_HZ: 100 on Linux, whatever the kernel's HZ). */
export const USER_HZ = 100;

/**
 * CPU seconds from the text of /proc/<pid>/stat: utime + stime of the process (all its threads)
 * plus cutime + cstime (its children that have exited and were reaped).
 */
export function parseProcessCpuSeconds(statText: string): number | null {
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const close = statText.lastIndexOf(')');
  if (close < 0) return null;
  const fields = statText.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); field n is fields[n - 3]. utime 14, stime 15, cutime 16, cstime 17.
  const ticks = [14, 15, 16, 17].map((n) => Number(fields[n - 3]));
  if (ticks.some((t) => !Number.isFinite(t))) return null;
  return ticks.reduce((sum, t) => sum + t, 0) / USER_HZ;
}

/** Idle CPU seconds of the whole machine (all cores: idle + iowait) from the text of /proc/stat. */
export function parseIdleSeconds(procStatText: string): number | null {
  const line = procStatText.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3];
  const iowait = values[4] ?? 0;
  if (idle === undefined || !Number.isFinite(idle) || !Number.isFinite(iowait)) return null;
  return (idle + iowait) / USER_HZ;
}

/** Cores a cgroup v2 cpu.max allows ("max 100000" → null, "150000 100000" → 1.5). */
export function parseCgroupCpuMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max' || period === undefined) return null;
  const cores = Number(quota) / Number(period);
  return Number.isFinite(cores) && cores > 0 ? cores : null;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function readProcessCpuSeconds(pid: number): number | null {
  const text = readText(`/proc/${pid}/stat`);
  return text === null ? null : parseProcessCpuSeconds(text);
}

export function readIdleSeconds(): number | null {
  const text = readText('/proc/stat');
  return text === null ? null : parseIdleSeconds(text);
}

/** Cores this process may use at most: the CPUs it may run on, or its cgroup's quota if lower. */
export function coreLimit(): number {
  const text = readText('/sys/fs/cgroup/cpu.max');
  const quota = text === null ? null : parseCgroupCpuMax(text);
  return Math.min(availableParallelism(), quota ?? Number.POSITIVE_INFINITY);
}
