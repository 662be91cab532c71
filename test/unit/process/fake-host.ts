// A fake ProcessHost for state-machine tests: no real processes, no real signals. The test decides
// when a child "spawns", "exits" or "errors"; signals are only recorded.
import { PassThrough } from 'node:stream';
import type {
  ChildCallbacks,
  ChildStream,
  ProcessHost,
  SpawnSpec,
  SpawnedChild,
} from '../../../src/process/supervisor.ts';

export class FakeChild implements SpawnedChild {
  readonly signals: NodeJS.Signals[] = [];
  readonly stdio: ChildStream[];
  exited = false;

  constructor(
    readonly pid: number | undefined,
    readonly spec: SpawnSpec,
    private readonly callbacks: ChildCallbacks,
  ) {
    const modes = spec.stdio ?? ['ignore', 'pipe', 'pipe'];
    this.stdio = modes.map((mode) => (mode === 'pipe' ? new PassThrough() : null));
  }

  /** The OS confirmed the spawn ('spawn' event). */
  spawned(): void {
    this.callbacks.onSpawn();
  }

  /** The leader exits; its pipes close at once unless `pipesOpen` (then call closePipes()). */
  exit(
    code: number | null,
    signal: NodeJS.Signals | null = null,
    options: { pipesOpen?: boolean } = {},
  ): void {
    this.exited = true;
    this.callbacks.onExit(code, signal);
    if (!options.pipesOpen) this.closePipes();
  }

  closePipes(): void {
    this.callbacks.onClose();
  }

  error(error: Error): void {
    this.callbacks.onError(error);
  }

  /** Writes to one of the child's output pipes, as the child would. */
  write(fd: number, data: string | Buffer): void {
    const stream = this.stdio[fd];
    if (!(stream instanceof PassThrough)) throw new Error(`fd ${fd} is not piped`);
    stream.write(data);
  }

  endStream(fd: number): void {
    const stream = this.stdio[fd];
    if (stream instanceof PassThrough) stream.end();
  }
}

export class FakeHost implements ProcessHost {
  readonly children: FakeChild[] = [];
  /** Every killGroup call, including sweeps of groups that are already gone. */
  readonly kills: { pid: number; signal: NodeJS.Signals }[] = [];
  private nextPid = 40_000;
  /** The next spawn reports no pid; the test then calls child.error(...). */
  failNextSpawn = false;
  /** The next spawn throws synchronously. */
  throwNextSpawn: Error | null = null;

  spawn(spec: SpawnSpec, callbacks: ChildCallbacks): SpawnedChild {
    if (this.throwNextSpawn) {
      const error = this.throwNextSpawn;
      this.throwNextSpawn = null;
      throw error;
    }
    const pid = this.failNextSpawn ? undefined : this.nextPid++;
    this.failNextSpawn = false;
    const child = new FakeChild(pid, spec, callbacks);
    this.children.push(child);
    return child;
  }

  killGroup(pid: number, signal: NodeJS.Signals): boolean {
    this.kills.push({ pid, signal });
    const child = this.children.find((candidate) => candidate.pid === pid);
    if (!child || child.exited) return false;
    child.signals.push(signal);
    return true;
  }

  get last(): FakeChild {
    const child = this.children.at(-1);
    if (!child) throw new Error('nothing spawned yet');
    return child;
  }
}
