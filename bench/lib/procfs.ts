// /proc readers for the pipeline benchmarks: CPU seconds and RSS of a process tree (Linux only).
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

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

/** What a process of the pipeline is, from its command line. */
export type ProcessRole =
  'Node' | 'encoder' | 'camera decoder' | 'slate' | 'publisher' | 'decode + encode' | 'other';

export interface ProcessCpu {
  pid: number;
  ppid: number;
  /** "pid exe (role)" */
  label: string;
  role: ProcessRole;
  /** CPU seconds so far: the process itself plus its children that exited and were reaped. */
  cpuSec: number;
}

export interface TreeSample {
  /** CPU seconds used so far by the tree: live processes plus the exited ones their parents reaped. */
  cpuSec: number;
  /** Processes counted. */
  pids: number[];
  /** CPU seconds per live process (self + reaped children), keyed "pid name". */
  perProcess: Map<string, number>;
  processes: ProcessCpu[];
}

/** The argv of a live process, or null when it is gone. */
export function processArgv(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

/** The role of a pipeline process, from its argv. */
export function processRole(argv: readonly string[]): ProcessRole {
  const exe = (argv[0] ?? '').split('/').pop() ?? '';
  if (exe === 'node' || exe === basename(process.execPath)) return 'Node';
  if (!exe.startsWith('ffmpeg')) return 'other';
  if (argv.includes('lavfi')) return 'slate';
  const fromCamera = argv.some((a) => /^rtsps?:\/\//.test(a));
  const encodes = argv.some((a, i) => /^-c(odec)?:v$/.test(a) && argv[i + 1] !== 'copy');
  if (fromCamera) return encodes ? 'decode + encode' : 'camera decoder';
  if (encodes) return 'encoder';
  if (argv.includes('copy')) return 'publisher';
  return 'other';
}

function describe(pid: number): { label: string; role: ProcessRole } {
  const argv = processArgv(pid);
  if (argv === null) return { label: `${pid} ?`, role: 'other' };
  const exe = (argv[0] ?? '?').split('/').pop() ?? '?';
  const role = processRole(argv);
  return { label: `${pid} ${exe}${role !== 'other' ? ` (${role})` : ''}`, role };
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
  const processes = procs.map((p) => ({
    pid: p.pid,
    ppid: p.ppid,
    ...describe(p.pid),
    cpuSec: p.self + p.reaped,
  }));
  return {
    cpuSec: procs.reduce((sum, p) => sum + p.self + p.reaped, 0),
    pids: procs.map((p) => p.pid),
    perProcess: new Map(processes.map((p) => [p.label, p.cpuSec])),
    processes,
  };
}

/**
 * CPU seconds per role of a process tree over a window. Sample it now and then (each second, say):
 * a process that exits in the window (an encoder replaced by a new one) keeps what it used up to
 * its last sample in its own role, and that is taken off its parent, which reaped it; only what it
 * used after its last sample stays with the parent. A process that started in the window counts
 * in full.
 */
export class RoleCpu {
  private readonly base: Map<number, number>;
  private readonly seen = new Map<number, { role: ProcessRole; ppid: number; last: number }>();

  constructor(
    private readonly root: number,
    private readonly exclude: readonly number[] = [],
  ) {
    const first = treeCpu(root, exclude);
    this.base = new Map(first.processes.map((p) => [p.pid, p.cpuSec]));
    this.record(first);
  }

  sample(): void {
    this.record(treeCpu(this.root, this.exclude));
  }

  /** CPU seconds per role since the tracker was made (after one last sample). */
  result(): Map<ProcessRole, number> {
    const now = treeCpu(this.root, this.exclude);
    this.record(now);
    const live = new Set(now.pids);
    const out = new Map<ProcessRole, number>();
    const add = (role: ProcessRole, sec: number): void => {
      out.set(role, (out.get(role) ?? 0) + sec);
    };
    for (const [pid, p] of this.seen) {
      add(p.role, p.last - (this.base.get(pid) ?? 0));
      const parent = this.seen.get(p.ppid);
      if (!live.has(pid) && parent && live.has(p.ppid)) add(parent.role, -p.last);
    }
    return out;
  }

  private record(sample: TreeSample): void {
    // The latest role: a child started through nice(1) shows its real argv only after the exec.
    for (const p of sample.processes) this.seen.set(p.pid, { role: p.role, ppid: p.ppid, last: p.cpuSec });
  }
}

/** Total RSS (MB) of the live descendants of `root` (root itself not counted), minus excluded subtrees. */
export function childrenRssMb(root: number, exclude: readonly number[] = []): number {
  return tree(root, exclude)
    .filter((p) => p.pid !== root)
    .reduce((sum, p) => sum + p.rssKb / 1024, 0);
}
