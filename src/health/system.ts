// Machine sampling from /proc and /sys (Linux): whole-machine CPU %, per-process CPU %, the CPU
// temperature, and the free space of the data folder's disk. Roots are injectable so tests read
// fixture trees. Every reader returns null instead of throwing: a health check must work on a
// machine that lacks a file (no thermal zone on most VMs; the Raspberry Pi has one).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDiskSpace, type DiskSpace } from '../recordings/free-space.ts';

export type { DiskSpace } from '../recordings/free-space.ts';

/** Cumulative CPU time of the whole machine, in clock ticks (jiffies), from the `cpu` line of /proc/stat. */
export interface CpuTimes {
  busy: number;
  total: number;
  /** Logical CPUs (the cpuN lines). */
  cpus: number;
}

/** Cumulative CPU time of one process, in clock ticks. */
export interface ProcessCpuTimes {
  pid: number;
  /** utime + stime. */
  ticks: number;
  /** Start time in ticks since boot: tells a reused pid from the process sampled before. */
  startTicks: number;
}

export interface CpuTemperature {
  celsius: number;
  /** The thermal zone's type (cpu-thermal, x86_pkg_temp …), for logs. */
  type: string;
  zone: string;
}

/** Parses /proc/stat; null if it has no aggregate `cpu` line. */
export function parseProcStat(text: string): CpuTimes | null {
  let aggregate: number[] | null = null;
  let cpus = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) aggregate = numbers(line.slice(4));
    else if (/^cpu\d+ /.test(line)) cpus += 1;
  }
  if (aggregate === null || aggregate.length < 4) return null;
  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already
  // counted in user/nice, so only the first eight add up to the total.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = aggregate;
  const idleAll = idle + iowait;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idleAll, total, cpus: Math.max(cpus, 1) };
}

/** Parses /proc/<pid>/stat; the command name may hold spaces and parentheses, so fields are counted from the last ')'. */
export function parseProcessStat(pid: number, text: string): ProcessCpuTimes | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // After ")": field 3 (state) is index 0, utime (14) is 11, stime (15) is 12, starttime (22) is 19.
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const startTicks = Number(fields[19]);
  if (![utime, stime, startTicks].every(Number.isFinite)) return null;
  return { pid, ticks: utime + stime, startTicks };
}

export function readCpuTimes(procRoot = '/proc'): CpuTimes | null {
  const text = readText(join(procRoot, 'stat'));
  return text === null ? null : parseProcStat(text);
}

export function readProcessCpu(pid: number, procRoot = '/proc'): ProcessCpuTimes | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const text = readText(join(procRoot, String(pid), 'stat'));
  return text === null ? null : parseProcessStat(pid, text);
}

/** Busy share of the whole machine (0–100) between two samples; null if no time passed. */
export function cpuPercentBetween(previous: CpuTimes, next: CpuTimes): number | null {
  const total = next.total - previous.total;
  if (total <= 0) return null;
  return clampPercent(((next.busy - previous.busy) / total) * 100);
}

// Best first. The Pi 5 reports "cpu-thermal", Intel "x86_pkg_temp", AMD "k10temp"/"Tctl",
// many ARM boards "soc-thermal" or "cpu_thermal". "acpitz" (the ACPI board sensor) is a last resort.
const ZONE_PREFERENCE: readonly RegExp[] = [
  /^x86_pkg_temp$/i,
  /^cpu/i,
  /^soc/i,
  /coretemp|k10temp|tctl|tdie/i,
  /^acpitz$/i,
];

/** Plausible readings only: a sensor reporting -273 °C or 1000 °C is broken, not hot. */
const MIN_PLAUSIBLE_C = -40;
const MAX_PLAUSIBLE_C = 150;

/**
 * The CPU temperature from /sys/class/thermal/thermal_zone*: the hottest zone of the most
 * preferred type present (CPU package, CPU, SoC, then the ACPI board sensor); null when the
 * machine exposes none (most VMs and containers).
 */
export function readCpuTemperature(sysRoot = '/sys'): CpuTemperature | null {
  const base = join(sysRoot, 'class', 'thermal');
  let zones: string[];
  try {
    zones = readdirSync(base).filter((name) => /^thermal_zone\d+$/.test(name));
  } catch {
    return null;
  }
  let best: { rank: number; reading: CpuTemperature } | null = null;
  for (const zone of zones.sort()) {
    const type = readText(join(base, zone, 'type'))?.trim() ?? '';
    const rank = ZONE_PREFERENCE.findIndex((pattern) => pattern.test(type));
    if (rank < 0) continue;
    const celsius = parseTemperature(readText(join(base, zone, 'temp')));
    if (celsius === null) continue;
    if (best === null || rank < best.rank || (rank === best.rank && celsius > best.reading.celsius)) {
      best = { rank, reading: { celsius, type, zone } };
    }
  }
  return best?.reading ?? null;
}

/** Kernel zones report millidegrees; a few old drivers report whole degrees. */
export function parseTemperature(text: string | null): number | null {
  if (text === null || text.trim() === '') return null;
  const raw = Number(text.trim());
  if (!Number.isFinite(raw)) return null;
  const celsius = Math.abs(raw) >= 1000 ? raw / 1000 : raw;
  if (celsius < MIN_PLAUSIBLE_C || celsius > MAX_PLAUSIBLE_C) return null;
  return Math.round(celsius * 10) / 10;
}

export interface ProcessSample {
  pid: number;
  /** Share of the whole machine (0–100) since the previous sample; null on first sight or when gone. */
  cpuPercent: number | null;
  /** CPU time the process used since the previous sample, ms; null like cpuPercent. */
  cpuMs: number | null;
}

export interface SystemSample {
  /** Busy share of the whole machine (0–100) since the previous sample; null on the first one. */
  cpuPercent: number | null;
  cpuCount: number | null;
  processes: ProcessSample[];
  temperature: CpuTemperature | null;
  /** The data folder's disk (with `diskPath`); null when it cannot be read. */
  disk?: DiskSpace | null;
}

export interface SystemSamplerOptions {
  procRoot?: string;
  sysRoot?: string;
  /** Kernel clock ticks per second (getconf CLK_TCK): 100 on every Linux we target. */
  clockTicksPerSecond?: number;
  /** A folder on the disk to watch (the data folder): its free space is in every sample. */
  diskPath?: string;
}

/**
 * Takes successive samples; percentages are over the interval since the previous call. A
 * process's share is its ticks over the machine's ticks in the same interval (as `top` computes
 * it), so no wall-clock timing is involved.
 */
export class SystemSampler {
  private readonly procRoot: string;
  private readonly sysRoot: string;
  private readonly ticksPerSecond: number;
  private readonly diskPath: string | undefined;
  private previousCpu: CpuTimes | null = null;
  private previousProcesses = new Map<number, ProcessCpuTimes>();

  constructor(options: SystemSamplerOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
    this.sysRoot = options.sysRoot ?? '/sys';
    this.ticksPerSecond = options.clockTicksPerSecond ?? 100;
    this.diskPath = options.diskPath;
  }

  /** Samples the machine and the given processes (e.g. the encoder's pid); dead pids give nulls. */
  sample(pids: readonly number[] = []): SystemSample {
    const cpu = readCpuTimes(this.procRoot);
    const previousCpu = this.previousCpu;
    const interval = cpu !== null && previousCpu !== null ? cpu.total - previousCpu.total : 0;
    const current = new Map<number, ProcessCpuTimes>();
    const processes = pids.map((pid): ProcessSample => {
      const now = readProcessCpu(pid, this.procRoot);
      if (now === null) return { pid, cpuPercent: null, cpuMs: null };
      current.set(pid, now);
      const before = this.previousProcesses.get(pid);
      // A different start time is a new process that reused the pid: no interval to compare.
      if (before === undefined || before.startTicks !== now.startTicks || interval <= 0) {
        return { pid, cpuPercent: null, cpuMs: null };
      }
      const used = Math.max(0, now.ticks - before.ticks);
      return {
        pid,
        cpuPercent: clampPercent((used / interval) * 100),
        cpuMs: (used * 1000) / this.ticksPerSecond,
      };
    });
    this.previousCpu = cpu ?? this.previousCpu;
    this.previousProcesses = current;
    return {
      cpuPercent: cpu !== null && previousCpu !== null ? cpuPercentBetween(previousCpu, cpu) : null,
      cpuCount: cpu?.cpus ?? null,
      processes,
      temperature: readCpuTemperature(this.sysRoot),
      ...(this.diskPath !== undefined ? { disk: readDiskSpace(this.diskPath) } : {}),
    };
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function numbers(text: string): number[] {
  return text
    .trim()
    .split(/\s+/)
    .map(Number)
    .filter((n) => Number.isFinite(n));
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, Math.round(value * 10) / 10));
}
