// `vistter show start`: runs a stored timeline to stored destinations in the foreground, as an
// execution row the appliance resumes after a crash. Ctrl-C / SIGTERM stops it ('stopped').
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type AppConfig, type Variables } from '../config.ts';
import { createLogger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';
import { AppError, isAppError } from '../errors/registry.ts';
import { killAllSupervised, stopAllSupervised } from '../process/supervisor.ts';
import { openStore } from '../store/store.ts';
import { trackChildProcesses } from './child-cleanup.ts';
import type { ShowRequest } from './execution-plan.ts';
import { formatPosition } from './resume-position.ts';
import { ShowRunner } from './show-runner.ts';

export const SHOW_START_USAGE = `Usage: vistter show start --timeline ID --dest ID [--dest ID …] [options]

Runs a stored timeline to stored destinations until it ends (a looping one: until Ctrl-C or
SIGTERM). The run is an execution: if the machine dies mid-show, the appliance resumes it at
the right position when it starts again.

  --timeline ID        Stored timeline (vistter timeline list)
  --dest ID            Stored destination (repeat for several)
  --preview DIR        Also write an HLS preview (DIR/index.m3u8)
  --record FILE        Also record locally (.mp4 or .flv); a resumed run records to FILE-resumeN
  --preset NAME        x264 preset (e.g. veryfast for small machines)
  --profile NAME       reliability (default) or quality
  --bitrate KBPS       Video bitrate
  --data-dir DIR       Where the database lives (default: $VISTTER_DATA_DIR or ./data)
  --json               Print the execution row as JSON when the show ends

Exit codes: 0 the show completed or was stopped, 1 bad input (the message names it) or the
show could not run, 2 wrong usage.`;

/** Wrong usage (exit 2). */
export class ShowUsageError extends Error {
  override readonly name = 'ShowUsageError';
}

export interface ShowStartArgs {
  request: ShowRequest;
  dataDir: string;
  json: boolean;
}

function positiveId(value: string, option: string): number {
  const id = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(id) || id <= 0)
    throw new ShowUsageError(`${option} must be a number, got "${value}"`);
  return id;
}

/** `env`: variables for the configuration (undefined: this process's, read by src/config.ts). */
export function parseShowStart(
  argv: string[],
  env: Variables | undefined,
  cwd = process.cwd(),
): ShowStartArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        timeline: { type: 'string' },
        dest: { type: 'string', multiple: true },
        preview: { type: 'string' },
        record: { type: 'string' },
        preset: { type: 'string' },
        profile: { type: 'string' },
        bitrate: { type: 'string' },
        'data-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new ShowUsageError(messageOf(error));
  }
  const { values } = parsed;
  if (values.timeline === undefined) throw new ShowUsageError('show start needs --timeline ID');
  const timelineId = positiveId(values.timeline, '--timeline');
  const destinationIds = (values.dest ?? []).map((d) => positiveId(d, '--dest'));
  if (destinationIds.length === 0 && !values.preview && !values.record)
    throw new ShowUsageError(
      'give at least one --dest, --preview or --record: the show needs somewhere to go',
    );
  const profile = values.profile;
  if (profile !== undefined && profile !== 'reliability' && profile !== 'quality')
    throw new ShowUsageError(`--profile must be reliability or quality, got "${profile}"`);
  const encoder: NonNullable<ShowRequest['encoder']> = {};
  const bitrate = values.bitrate === undefined ? undefined : positiveId(values.bitrate, '--bitrate');
  if (values.preset) encoder.preset = values.preset;
  if (profile) encoder.profile = profile;
  if (bitrate) encoder.bitrateKbps = bitrate;
  // Absolute paths: the appliance may resume this run from another working directory.
  return {
    request: {
      timelineId,
      destinationIds,
      ...(values.preview ? { previewDir: resolve(cwd, values.preview) } : {}),
      ...(values.record ? { recordPath: resolve(cwd, values.record) } : {}),
      ...(Object.keys(encoder).length > 0 ? { encoder } : {}),
    },
    dataDir: resolve(cwd, values['data-dir'] ?? loadConfig(env).dataDir),
    json: values.json,
  };
}

/** Runs the show until it ends or SIGINT/SIGTERM; returns the exit code. Bad input throws AppError. */
export async function runShowStart(
  args: ShowStartArgs,
  io: { out: (line: string) => void; err: (line: string) => void },
  config: Pick<AppConfig, 'secretKey' | 'recordings'>,
): Promise<number> {
  const log = createLogger('show-start');
  const store = openStore({ dataDir: args.dataDir, configuredSecretKey: config.secretKey });
  // Whatever happens, never leave a decoder or encoder behind (by process group, never by name).
  const onExit = () => killAllSupervised();
  process.once('exit', onExit);
  const children = await trackChildProcesses(args.dataDir, log);
  try {
    if (args.request.previewDir) mkdirSync(args.request.previewDir, { recursive: true });
    if (args.request.recordPath) mkdirSync(dirname(args.request.recordPath), { recursive: true });
    const runner = new ShowRunner({
      store,
      mediaRoot: args.dataDir,
      recordingLimits: config.recordings,
      logger: log,
    });
    const show = await runner.start(args.request).catch((error: unknown) => {
      throw isAppError(error) ? inOptionTerms(error, args.request) : error;
    });
    for (const warning of show.warnings) io.err(`warning: ${warning}`);
    io.err(
      `On air: "${show.timeline.name}" (execution ${show.executionId}), ${formatPosition(show.durationFrames, show.fps)} long` +
        `${show.timeline.loop ? ', looping' : ''}. Ctrl-C stops.`,
    );
    const stop = () => void show.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const outcome = await show.finished;
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    const metrics = outcome.execution.metrics ?? {};
    if (args.json) io.out(JSON.stringify(outcome.execution, null, 2));
    io.err(
      `Show ${outcome.status} (execution ${show.executionId}): ${String(metrics['frames'] ?? 0)} frames, ` +
        `${String(metrics['lateTicks'] ?? 0)} late, ${String(metrics['droppedFrames'] ?? 0)} dropped, ` +
        `${String(metrics['encoderRestarts'] ?? 0)} encoder restarts.`,
    );
    return outcome.status === 'error' ? 1 : 0;
  } finally {
    await stopAllSupervised();
    children.close();
    process.off('exit', onExit);
    store.close();
  }
}

/** Issue paths in the terms the user typed: "destinationIds[1]" → "--dest 7". */
function inOptionTerms(error: AppError, request: ShowRequest): AppError {
  const issues = error.issues.map((issue) => {
    const index = /^destinationIds\[(\d+)\]$/.exec(issue.path)?.[1];
    if (index !== undefined)
      return { ...issue, path: `--dest ${request.destinationIds?.[Number(index)] ?? '?'}` };
    if (issue.path === 'timelineId') return { ...issue, path: '--timeline' };
    if (issue.path === 'destinationIds') return { ...issue, path: '--dest' };
    return issue;
  });
  return new AppError(error.code, error.message, issues, { cause: error });
}
