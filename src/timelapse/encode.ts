// The time-lapse encode: a day's snapshots → one H.264 MP4 (+faststart, so a browser plays it
// before it has all of it), by one ffmpeg at the lowest priority the machine offers: nice 19,
// and on Linux SCHED_IDLE (chrt --idle: it runs only on CPU time nothing else wants) and the idle
// I/O class (ionice -c 3), one thread. The argv is data (golden test). While it runs the show's
// own symptoms are watched; under pressure the encode is paused (SIGSTOP to its process group)
// and continued once the show is calm, so it never pushes the show into degraded mode.
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';
import { readLines } from '../process/lines.ts';
import { startShortRun, type ShortRun } from '../process/run.ts';
import { nodeProcessHost, type ProcessHost } from '../process/host.ts';

/** The niceness of the encode (the lowest a process can have). */
export const TIMELAPSE_NICE = 19;
/** How often the show's pressure is looked at while encoding. */
export const PRESSURE_CHECK_MS = 2000;
/** A day's encode, however slow the machine or long its pauses, ends within this. */
export const ENCODE_TIME_LIMIT_MS = 8 * 3600_000;
/** The snapshots, read from the day's folder (the encode runs in it): every *.jpg, in name order. */
export const SNAPSHOT_GLOB = '*.jpg';

export interface TimelapseEncodeArgs {
  fps: number;
  width: number;
  height: number;
  /** Absolute path of the MP4 to write. */
  output: string;
}

/**
 * ffmpeg's arguments (run with the day's snapshot folder as working directory). Every frame is
 * fitted into the size (a size changed during the day gives black bars, not a failed encode).
 */
export function timelapseEncodeArgs(input: TimelapseEncodeArgs): string[] {
  const { width: w, height: h } = input;
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'error',
    '-threads',
    '1',
    '-f',
    'image2',
    '-pattern_type',
    'glob',
    '-framerate',
    String(input.fps),
    '-i',
    SNAPSHOT_GLOB,
    '-filter_threads',
    '1',
    '-vf',
    `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p`,
    '-an',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-threads',
    '1',
    '-movflags',
    '+faststart',
    '-progress',
    'pipe:1',
    '-f',
    'mp4',
    '-y',
    input.output,
  ];
}

/** Which idle-priority tools this machine has (Linux's util-linux chrt and ionice). */
export interface IdleTools {
  chrt: boolean;
  ionice: boolean;
}

/** The command line that runs `command` at idle CPU and I/O priority where the tools exist (nice 19
 *  is the process host's, through nice(1), for every platform). */
export function idlePriorityCommand(
  command: string,
  args: readonly string[],
  tools: IdleTools,
): { command: string; args: string[] } {
  const prefix: string[] = [];
  if (tools.chrt) prefix.push('chrt', '--idle', '0');
  if (tools.ionice) prefix.push('ionice', '-c', '3');
  if (prefix.length === 0) return { command, args: [...args] };
  return { command: prefix[0]!, args: [...prefix.slice(1), command, ...args] };
}

/** Where the system's own util-linux puts chrt and ionice (the environment is config.ts's to read). */
const SYSTEM_TOOL_FOLDERS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].join(delimiter);

/** The idle tools found in `path` (Linux only: elsewhere nice alone). */
export function findIdleTools(
  platform: NodeJS.Platform = process.platform,
  path: string = SYSTEM_TOOL_FOLDERS,
): IdleTools {
  if (platform !== 'linux') return { chrt: false, ionice: false };
  const onPath = (name: string): boolean =>
    path.split(delimiter).some((folder) => {
      try {
        accessSync(join(folder, name), fsConstants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  return { chrt: onPath('chrt'), ionice: onPath('ionice') };
}

export interface EncodeProgress {
  framesDone: number;
  framesTotal: number;
  /** Why the encode is paused now, in words; null while it runs. */
  pausedBecause: string | null;
}

export interface EncodeRequest {
  /** The day's snapshot folder. */
  folder: string;
  framesTotal: number;
  args: TimelapseEncodeArgs;
}

export type EncodeOutcome =
  { ok: true; frames: number; pauses: number } | { ok: false; reason: string; pauses: number };

export interface TimelapseEncoderOptions {
  clock: Clock;
  logger: Logger;
  ffmpeg?: string;
  idleTools?: IdleTools;
  /** Why the show cannot spare the machine now (degraded, switching, symptoms); null: it can. */
  pressure: () => string | null;
  host?: ProcessHost;
}

/** Runs one encode at a time at the lowest priority, pausing it while the show is under pressure. */
export class TimelapseEncoder {
  private readonly log: Logger;
  private readonly tools: IdleTools;

  constructor(private readonly options: TimelapseEncoderOptions) {
    this.log = options.logger.child({ part: 'timelapse' });
    this.tools = options.idleTools ?? findIdleTools();
  }

  encode(request: EncodeRequest, onProgress: (progress: EncodeProgress) => void): Promise<EncodeOutcome> {
    const host = this.options.host ?? nodeProcessHost;
    const line = idlePriorityCommand(
      this.options.ffmpeg ?? 'ffmpeg',
      timelapseEncodeArgs(request.args),
      this.tools,
    );
    const run: ShortRun = startShortRun(
      {
        command: line.command,
        args: line.args,
        cwd: request.folder,
        stdio: ['ignore', 'pipe', 'pipe'],
        nice: TIMELAPSE_NICE,
      },
      {
        label: 'timelapse-encode',
        timeoutMs: ENCODE_TIME_LIMIT_MS,
        clock: this.options.clock,
        logger: this.log,
        host,
      },
    );
    const progress: EncodeProgress = { framesDone: 0, framesTotal: request.framesTotal, pausedBecause: null };
    let pauses = 0;
    let ended = false;
    let stderr = '';
    const stdout = run.readable(1);
    if (stdout) {
      readLines(stdout, (text) => {
        const match = /^frame=(\d+)/.exec(text);
        if (match) {
          progress.framesDone = Number(match[1]);
          onProgress({ ...progress });
        }
      });
    }
    run
      .readable(2)
      ?.setEncoding('utf8')
      .on('data', (chunk: string) => {
        if (stderr.length < 4000) stderr += chunk;
      });
    const signal = (sig: NodeJS.Signals): void => {
      if (ended || run.pid === undefined) return;
      try {
        host.killGroup(run.pid, sig);
      } catch (error) {
        this.log.warn({ err: messageOf(error), signal: sig }, 'could not signal the time-lapse encode');
      }
    };
    let timer: TimerHandle | null = null;
    const watch = (): void => {
      timer = this.options.clock.setTimeout(() => {
        timer = null;
        if (ended) return;
        const why = this.options.pressure();
        if (why !== null && progress.pausedBecause === null) {
          signal('SIGSTOP');
          pauses++;
          progress.pausedBecause = why;
          this.log.info({ why }, 'time-lapse encode paused: the show needs the machine');
          onProgress({ ...progress });
        } else if (why === null && progress.pausedBecause !== null) {
          signal('SIGCONT');
          progress.pausedBecause = null;
          this.log.info('time-lapse encode continues: the show is calm');
          onProgress({ ...progress });
        }
        watch();
      }, PRESSURE_CHECK_MS);
    };
    watch();
    return run.ended.then((end) => {
      ended = true;
      timer?.cancel();
      if (end.spawnError)
        return { ok: false, reason: `ffmpeg could not start: ${end.spawnError.message}`, pauses };
      if (end.timedOut) return { ok: false, reason: 'the encode took too long and was stopped', pauses };
      if (end.code !== 0)
        return {
          ok: false,
          reason: `ffmpeg failed (${end.signal ?? `exit ${end.code}`}): ${stderr.trim().split('\n').slice(-2).join(' ') || 'no message'}`,
          pauses,
        };
      return { ok: true, frames: progress.framesDone, pauses };
    });
  }
}
