// /proc readers for the pipeline benchmarks: CPU seconds and RSS of a process tree (Linux only).
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for utime/stime in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;
const PAGE_KB = 4;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime of the process itself, seconds. */
  self: number;
  /** cutime + cstime: its children that have exited and were reaped, seconds. */
  reaped: number;
  rssKb: number;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // gone
  }
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number): number => Number(rest[n - 3]);
  return {
    pid,
    ppid: field(4),
    self: (field(14) + field(15)) / CLK_TCK,
    reaped: (field(16) + field(17)) / CLK_TCK,
    rssKb: field(24) * PAGE_KB,
  };
}

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

/** The live processes of the tree under `root` (root included), minus the excluded subtrees. */
function tree(root: number, exclude: readonly number[]): ProcStat[] {
  const stats = allStats();
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) {
    const list = children.get(s.ppid) ?? [];
    list.push(s);
    children.set(s.ppid, list);
  }
  const rootStat = stats.find((s) => s.pid === root);
  if (!rootStat) return [];
  const out: ProcStat[] = [];
  const stack = [rootStat];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (exclude.includes(s.pid)) continue;
    out.push(s);
    stack.push(...(children.get(s.pid) ?? []));
  }
  return out;
}

export interface TreeSample {
  /** CPU seconds used so far by the tree: live processes plus the exited ones their parents reaped. */
  cpuSec: number;
  /** Processes counted. */
  pids: number[];
  /** CPU seconds per live process (self + reaped children), keyed "pid name". */
  perProcess: Map<string, number>;
}

function label(pid: number): string {
  let cmd: string[];
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return `${pid} ?`;
  }
  const exe = (cmd[0] ?? '?').split('/').pop() ?? '?';
  let role = '';
  if (cmd.includes('lavfi')) role = 'generated source / slate decoder';
  else if (cmd.includes('libx264')) role = cmd.includes('pipe:0') ? 'encoder' : 'decode + encode';
  else if (cmd.some((a) => a.startsWith('rtsp://'))) role = 'camera decoder';
  else if (cmd.includes('copy')) role = 'publisher / recorder';
  return `${pid} ${exe}${role ? ` (${role})` : ''}`;
}

/**
 * CPU seconds of a process tree. The difference of two samples is the CPU the tree used between
 * them, including processes that started or exited in between (an exited child's time moves into
 * its parent's cutime/cstime when reaped). `exclude` removes subtrees (e.g. the camera simulator
 * and the RTMP server, which are children of the benchmark process but not part of the pipeline);
 * they must stay alive until the last sample, or their time lands in the root's cutime.
 */
export function treeCpu(root: number, exclude: readonly number[] = []): TreeSample {
  const procs = tree(root, exclude);
  return {
    cpuSec: procs.reduce((sum, p) => sum + p.self + p.reaped, 0),
    pids: procs.map((p) => p.pid),
    perProcess: new Map(procs.map((p) => [label(p.pid), p.self + p.reaped])),
  };
}

/** Total RSS (MB) of the live descendants of `root` (root itself not counted), minus excluded subtrees. */
export function childrenRssMb(root: number, exclude: readonly number[] = []): number {
  return tree(root, exclude)
    .filter((p) => p.pid !== root)
    .reduce((sum, p) => sum + p.rssKb / 1024, 0);
}
