// FLV consumers of the fan-out hub, each its own supervised `ffmpeg -c copy` process: one
// publisher per destination, the HLS preview and the recorder. A slow or dead one never blocks
// the encoder or the others (the hub gives each a bounded queue); a restarted one begins with
// the stream headers and the current GOP.
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { FFMPEG_BIN } from '../ffmpeg/argv.ts';
import { stopAfterEndOfInput } from '../process/graceful.ts';
import { Supervisor, type SupervisorState } from '../process/supervisor.ts';
import type { FanoutConsumer, FanoutConsumerStats, FanoutHub } from './fanout/hub.ts';

export interface OutputStatus {
  id: string;
  kind: 'destination' | 'preview' | 'recording';
  name: string;
  state: SupervisorState;
  restarts: number;
  consumer: FanoutConsumerStats | null;
}

export interface FlvOutputOptions {
  id: string;
  kind: OutputStatus['kind'];
  /** Safe to log: never the URL or stream key. */
  name: string;
  args: string[];
  hub: FanoutHub;
  clock: Clock;
  logger: Logger;
  /** A recorder should not overwrite its file on restart: let it end instead. */
  restart?: 'always' | 'never';
}

export class FlvOutput {
  private readonly supervisor: Supervisor;
  private consumer: FanoutConsumer | null = null;
  private restarts = 0;
  private stopping = false;

  constructor(private readonly options: FlvOutputOptions) {
    this.supervisor = new Supervisor({
      label: `${options.kind}:${options.id}`,
      redactedDescription: `ffmpeg ${options.kind} "${options.name}"`,
      spawn: { command: FFMPEG_BIN, args: options.args, stdio: ['pipe', 'ignore', 'pipe'] },
      clock: options.clock,
      restart: options.restart ?? 'always',
      backoff: { baseMs: 2000, capMs: 60_000 },
      logger: options.logger,
    });
    this.supervisor.on('spawn', (run) => {
      const stdin = run.writable(0);
      stdin.on('error', () => undefined);
      // Ending stdin on detach lets ffmpeg finish the file or session cleanly.
      this.consumer = options.hub.attach(stdin, { name: `${options.kind}:${options.id}`, endOnDetach: true });
      run.stderr?.resume();
    });
    this.supervisor.on('exit', (info) => {
      this.consumer?.detach();
      this.consumer = null;
      if (info.cause !== 'requested' && !this.stopping) {
        this.restarts++;
        options.logger.warn(
          { output: options.id, cause: info.cause, code: info.code },
          `${options.kind} exited; retrying`,
        );
      }
    });
  }

  start(): void {
    this.supervisor.start();
  }

  /**
   * Ends the stream and lets ffmpeg send or write what it has read before it exits (a signal
   * would cut the last frames off); after graceMs it is stopped regardless.
   */
  async stop(graceMs = 3000): Promise<void> {
    this.stopping = true;
    this.consumer?.detach(); // ends its stdin
    await stopAfterEndOfInput(this.supervisor, this.options.clock, graceMs);
  }

  status(): OutputStatus {
    return {
      id: this.options.id,
      kind: this.options.kind,
      name: this.options.name,
      state: this.supervisor.state,
      restarts: this.restarts,
      consumer: this.consumer?.stats() ?? null,
    };
  }
}
