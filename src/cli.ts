// The command line: scripting and unattended use without the web UI.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type AppConfig, type Variables } from './config.ts';
import { configureLogging } from './core/logger.ts';
import { AppError, isAppError, type FieldIssue } from './errors/registry.ts';
import { openStore, type Store } from './store/store.ts';
import { diskMediaLibrary, findMissingMedia, mediaReferences } from './timeline/media-paths.ts';
import { findBedAssetProblems, findUnknownReferences } from './timeline/references.ts';
import type { Timeline } from './timeline/schema.ts';
import { validateTimelineDocument, validateTimelineJson, type TimelineIssue } from './timeline/validate.ts';
import { messageOf } from './core/message-of.ts';

const USAGE = `Usage: vistter <command> [options]

Shows:
  show start --timeline ID --dest ID       Run a stored timeline to stored destinations, resumed after
                                           a crash (see: vistter show start --help)
  show run <file.json> --camera 1=rtsp://… --dest rtmp://…   Run a timeline file (see: vistter show run --help)

Timelines:
  timeline validate <file.json>            Check a timeline file; lists every problem with its JSON path.
  timeline import <file.json> [--replace ID]
                                           Store a timeline (or replace timeline ID with it).
  timeline export <ID> [--out file.json]   Write a stored timeline as JSON (stdout by default).
  timeline list                            List stored timelines.
  timeline clone <ID> [--name NAME]        Copy a stored timeline.

Administration:
  admin reset-password [--user NAME]      Set a new password for a web UI user (default: the first
                                           admin); reads it from standard input; signs out every session.

Options:
  --data-dir DIR   Where the database lives (default: $VISTTER_DATA_DIR or ./data)
  --json           Machine-readable output
  -h, --help       Show this help`;

class UsageError extends Error {}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

function readTimelineFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    throw new AppError(
      'FILE_NOT_FOUND',
      code === 'ENOENT' ? `${file} does not exist` : `${file} cannot be read (${code})`,
    );
  }
}

function printIssues(io: Io, issues: readonly FieldIssue[], prefix = '  ') {
  for (const issue of issues) io.err(`${prefix}${issue.path}: ${issue.message}`);
}

/** What went wrong, where, and what to do: exit code 1. */
function reportAppError(io: Io, error: AppError): number {
  io.err(`✗ ${error.message}`);
  printIssues(io, error.issues);
  io.err(error.remediation);
  return 1;
}

function describe(timeline: Timeline): string {
  const cues =
    timeline.tracks.video.cues.length + timeline.tracks.overlays.reduce((n, t) => n + t.cues.length, 0);
  return `"${timeline.name}", ${timeline.duration} s at ${timeline.fps} fps${timeline.loop ? ', looping' : ''}, 1 video + ${timeline.tracks.overlays.length} overlay tracks, ${cues} cues`;
}

function parseId(value: string | undefined, what: string): number {
  const id = Number(value);
  if (!value || !Number.isInteger(id) || id <= 0)
    throw new UsageError(`${what} must be a timeline number, got "${value ?? ''}"`);
  return id;
}

function referenceWarnings(store: Store, timeline: Timeline) {
  return findUnknownReferences(timeline, {
    cameraIds: new Set(store.cameras.list().map((c) => c.id)),
    assetIds: new Set(store.assets.list().map((a) => a.id)),
  });
}

/** Media paths of the timeline that will find no file on this appliance. */
function mediaWarnings(store: Store, dataDir: string, timeline: Timeline): TimelineIssue[] {
  return findMissingMedia(timeline, diskMediaLibrary(dataDir, store.assets.list()));
}

/** One paragraph for a failure outside the timeline's contents (a data folder that cannot be
 *  opened, a full disk, a fault of ours): what failed, never a stack trace. */
function reportUnexpected(io: Io, error: unknown): number {
  const message = messageOf(error);
  io.err(
    `✗ vistter could not finish: ${message.split('\n')[0] ?? ''}. Check the files and the data folder named (--data-dir, VISTTER_DATA_DIR) exist and are writable; if it keeps happening, send this message to support.`,
  );
  return 1;
}

/** The configuration, loaded once when a command first needs it (a command that needs none runs
 *  whatever the configuration says). */
function configurationOnce(env: Variables | undefined): () => AppConfig {
  let config: AppConfig | undefined;
  return () => (config ??= loadConfig(env));
}

/** `env`: the variables the configuration is read from (undefined: this process's). */
export function runCli(argv: string[], io: Io, env?: Variables): number {
  let store: Store | null = null;
  const configuration = configurationOnce(env);
  const dataDirOf = (dataDir: string | undefined) => dataDir ?? configuration().dataDir;
  const openConfiguredStore = (dataDir: string | undefined) => {
    store = openStore({ dataDir: dataDirOf(dataDir), configuredSecretKey: configuration().secretKey });
    return store;
  };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        replace: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [group, command, argument] = positionals;
    if (values.help || !group) {
      io.out(USAGE);
      return values.help ? 0 : 2;
    }
    if (group !== 'timeline') throw new UsageError(`unknown command "${group}"`);
    const json = values.json;

    switch (command) {
      case 'validate': {
        if (!argument) throw new UsageError('timeline validate needs a file');
        const result = validateTimelineJson(readTimelineFile(argument));
        // Media paths are checked against this appliance's data folder when there is one.
        let mediaNote: string | null = null;
        if (result.ok && mediaReferences(result.document.timeline).length > 0) {
          const dataDir = dataDirOf(values['data-dir']);
          if (existsSync(join(dataDir, 'vistterstream.db'))) {
            const db = openConfiguredStore(values['data-dir']);
            result.warnings.push(...mediaWarnings(db, dataDir, result.document.timeline));
          } else
            mediaNote = `Media paths were not checked: there is no appliance data folder at ${dataDir} (use --data-dir).`;
        }
        if (json)
          io.out(JSON.stringify(result.ok ? { ok: true, warnings: result.warnings } : result, null, 2));
        if (!result.ok) {
          if (!json) {
            io.err(
              `✗ ${argument} is not a valid timeline (${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}):`,
            );
            printIssues(io, result.errors);
            io.err('Fix each field named above and run validate again.');
          }
          return 1;
        }
        if (!json) {
          io.out(`✓ ${argument} is a valid timeline: ${describe(result.document.timeline)}`);
          if (result.warnings.length > 0) io.out('Warnings:');
          for (const w of result.warnings) io.out(`  ${w.path}: ${w.message}`);
          if (mediaNote) io.out(mediaNote);
        }
        return 0;
      }
      case 'import': {
        if (!argument) throw new UsageError('timeline import needs a file');
        const text = readTimelineFile(argument);
        let input: unknown;
        try {
          input = JSON.parse(text);
        } catch {
          const result = validateTimelineJson(text); // reports the line and column
          throw new AppError(
            'JSON_MALFORMED',
            `${argument} is not valid JSON`,
            result.ok ? [] : result.errors,
          );
        }
        const db = openConfiguredStore(values['data-dir']);
        // The audio bed's playlist must name uploaded audio here too, as the API requires.
        const checked = validateTimelineDocument(input);
        const bed = checked.ok ? findBedAssetProblems(checked.document.timeline, db.assets.list()) : [];
        if (bed.length > 0)
          throw new AppError('TIMELINE_INVALID', `${argument} names files the audio bed cannot play`, bed);
        let id: number;
        let warnings: FieldIssue[];
        if (values.replace !== undefined) {
          id = parseId(values.replace, '--replace');
          warnings = db.timelines.replace(id, input).warnings;
        } else {
          ({ id, warnings } = db.timelines.create(input));
        }
        const timeline = db.timelines.export(id).timeline;
        const unknown = referenceWarnings(db, timeline);
        const media = mediaWarnings(db, dataDirOf(values['data-dir']), timeline);
        if (json) io.out(JSON.stringify({ id, warnings: [...warnings, ...unknown, ...media] }, null, 2));
        else {
          io.out(
            `${values.replace !== undefined ? 'Replaced' : 'Imported'} timeline ${id}: ${describe(timeline)}`,
          );
          for (const w of warnings) io.out(`  warning: ${w.path}: ${w.message}`);
          for (const w of unknown) io.out(`  warning: ${w.path}: ${w.message} (add it before going live)`);
          for (const w of media) io.out(`  warning: ${w.path}: ${w.message}`);
        }
        return 0;
      }
      case 'export': {
        const id = parseId(argument, 'timeline export');
        const text = `${JSON.stringify(openConfiguredStore(values['data-dir']).timelines.export(id), null, 2)}\n`;
        if (values.out) {
          // Write beside the target, then rename: an interrupted export never leaves half a file.
          const temporary = `${values.out}.partial`;
          writeFileSync(temporary, text);
          renameSync(temporary, values.out);
          if (!json) io.err(`Exported timeline ${id} to ${values.out}`);
        } else io.out(text.trimEnd());
        return 0;
      }
      case 'list': {
        const rows = openConfiguredStore(values['data-dir']).timelines.list();
        if (json) io.out(JSON.stringify(rows, null, 2));
        else if (rows.length === 0)
          io.out('No timelines yet. Import one with: vistter timeline import <file.json>');
        else {
          io.out(['ID', 'NAME', 'DURATION', 'FPS', 'LOOP', 'TRACKS', 'CUES', 'MODIFIED'].join('\t'));
          for (const r of rows) {
            io.out(
              [
                r.id,
                r.name,
                `${r.duration}s`,
                r.fps,
                r.loop ? 'yes' : 'no',
                1 + r.overlay_tracks,
                r.cues,
                r.modified_at,
              ].join('\t'),
            );
          }
        }
        return 0;
      }
      case 'clone': {
        const id = parseId(argument, 'timeline clone');
        const newId = openConfiguredStore(values['data-dir']).timelines.clone(id, values.name);
        if (json) io.out(JSON.stringify({ id: newId }));
        else io.out(`Cloned timeline ${id} as ${newId}`);
        return 0;
      }
      default:
        throw new UsageError(command ? `unknown timeline command "${command}"` : 'timeline needs a command');
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      io.err(`vistter: ${error.message}`);
      io.err('Run "vistter --help" for the commands.');
      return 2;
    }
    if (isAppError(error)) return reportAppError(io, error);
    return reportUnexpected(io, error);
  } finally {
    (store as Store | null)?.close();
  }
}

/** Reads the new password: one line of standard input (typed, or piped from a script). */
async function readPasswordLine(io: Io): Promise<string> {
  if (process.stdin.isTTY) io.err('New password (at least 10 characters), then Enter:');
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

/** `vistter admin reset-password`: the way back in when the admin password is forgotten. */
export async function resetPassword(
  argv: string[],
  io: Io,
  readPassword: () => Promise<string> = () => readPasswordLine(io),
  env?: Variables,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { user: { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  if (positionals[0] !== 'reset-password') {
    io.err('vistter admin: the only command is "reset-password"');
    return 2;
  }
  const { hashPassword, passwordProblem } = await import('./api/auth/passwords.ts');
  const config = loadConfig(env);
  const store = openStore({
    dataDir: values['data-dir'] ?? config.dataDir,
    configuredSecretKey: config.secretKey,
  });
  try {
    const users = store.users.list();
    const user = values.user
      ? users.find((u) => u.username.toLowerCase() === values.user?.toLowerCase())
      : users[0];
    if (!user) {
      io.err(
        users.length === 0
          ? '✗ there is no user yet: open the web UI and choose the admin password there.'
          : `✗ there is no user "${values.user}" (users: ${users.map((u) => u.username).join(', ')})`,
      );
      return 1;
    }
    const password = (await readPassword()).replace(/\r$/, '');
    const problem = passwordProblem(password, user.username);
    if (problem) {
      io.err(`✗ the password ${problem}; nothing was changed.`);
      return 1;
    }
    store.users.setPassword(user.username, await hashPassword(password));
    const ended = store.sessions.deleteForUser(user.id);
    io.out(`Password of "${user.username}" changed; ${ended} session(s) signed out.`);
    return 0;
  } finally {
    store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const io: Io = { out: (line) => console.log(line), err: (line) => console.error(line) };
  if (argv[0] === 'admin') return resetPassword(argv.slice(1), io);
  if (argv[0] !== 'show') return runCli(argv, io);
  // Loaded only here: the engine pulls in ffmpeg, canvas and WASM, which timeline commands do not need.
  if (argv[1] === 'start') return showStart(argv.slice(2), io);
  const { parseShowRun, runShow, SHOW_USAGE } = await import('./engine/show-cli.ts');
  if (argv[1] !== 'run' || argv.includes('--help') || argv.includes('-h')) {
    io.out(SHOW_USAGE);
    return argv[1] === 'run' ? 0 : 2;
  }
  try {
    const config = loadConfig();
    configureLogging(config);
    // The configuration's data folder is where relative media paths are found by default.
    const { plan, durationSeconds } = parseShowRun(argv.slice(2), { VISTTER_DATA_DIR: config.dataDir });
    await runShow({ plan: { ...plan, recordingLimits: config.recordings }, durationSeconds }, io.err);
    return 0;
  } catch (error) {
    if (isAppError(error)) return reportAppError(io, error);
    io.err(`vistter show: ${messageOf(error)}`);
    return 1;
  }
}

/** `vistter show start`: exit 0 when the show completed or was stopped, 1 bad input, 2 usage. */
async function showStart(argv: string[], io: Io): Promise<number> {
  const { parseShowStart, runShowStart, SHOW_START_USAGE, ShowUsageError } =
    await import('./app/show-start-cli.ts');
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(SHOW_START_USAGE);
    return 0;
  }
  try {
    const args = parseShowStart(argv, undefined); // wrong usage first, as before
    const config = loadConfig();
    configureLogging(config);
    return await runShowStart(args, io, config);
  } catch (error) {
    if (error instanceof ShowUsageError) {
      io.err(`vistter show start: ${error.message}`);
      io.err('Run "vistter show start --help" for the options.');
      return 2;
    }
    if (isAppError(error)) return reportAppError(io, error);
    io.err(`✗ the show could not run: ${messageOf(error)}`);
    return 1;
  }
}

/** The last line of defence: whatever escapes a command is a paragraph, not a stack trace. */
async function mainWithoutTraces(argv: string[]): Promise<number> {
  const io: Io = { out: (line) => console.log(line), err: (line) => console.error(line) };
  try {
    return await main(argv);
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      io.err(`vistter: ${error.message}`);
      io.err('Run "vistter --help" for the commands.');
      return 2;
    }
    return reportUnexpected(io, error);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Files a `show start` run writes (recordings, preview) are private, as the appliance's are.
  process.umask(0o077);
  process.exitCode = await mainWithoutTraces(process.argv.slice(2));
}
