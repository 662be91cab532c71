// Structured logs (pino), one child logger per component. Log ids and names, not URLs with
// credentials or stream keys; and because a URL still reaches a line through an error message
// or an ffmpeg stderr line that echoes it, every line is redacted as it is written
// (src/core/redact.ts): no module has to remember to.
//
// The level is the configuration's (configureLogging, called by the entry point with the loaded
// configuration); until then nothing is written, so a module loaded by a test or a tool is quiet.
// Component loggers made before that follow the change: pino children inherit the root's level
// unless given their own.
//
// Every line written is also kept, as written (redacted), in a ring of recent lines for the Log
// page (src/core/recent-logs.ts).
import { pino, type DestinationStream, type Logger } from 'pino';
import { RecentLogLines } from './recent-logs.ts';
import { redactLogLine } from './redact.ts';

export type { Logger };

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RootLoggerOptions {
  /** Default: info. */
  level?: LogLevel;
  /** Where lines go; default stdout. */
  destination?: DestinationStream;
  /** Also keep every line written here (for the Log page). */
  recent?: RecentLogLines;
}

/** A root logger with the appliance's redaction; tests pass a destination to read what is written. */
export function createRootLogger(options: RootLoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    base: { app: 'vistterstream' },
    redact: { paths: ['*.password', '*.stream_key', '*.streamKey', '*.secret'], censor: '[redacted]' },
    hooks: { streamWrite: redactLogLine },
  };
  const destination = options.recent
    ? keepingRecent(options.destination ?? pino.destination(1), options.recent)
    : options.destination;
  return destination ? pino(settings, destination) : pino(settings);
}

/** A destination that keeps every line in `recent` and passes it on to `out` (flush included). */
function keepingRecent(out: DestinationStream, recent: RecentLogLines): DestinationStream {
  const flushable = out as DestinationStream & { flush?: (done: (error?: Error) => void) => void };
  return Object.assign(
    {
      write(line: string): void {
        recent.push(line);
        out.write(line);
      },
    },
    flushable.flush ? { flush: (done: (error?: Error) => void) => flushable.flush!(done) } : {},
  );
}

/** The process's recent log lines (the Log page reads them through GET /api/logs). */
export const recentLogLines = new RecentLogLines();

const root = createRootLogger({ level: 'silent', recent: recentLogLines });

/** Sets how much every component logger writes (and the Log page keeps), from the configuration. */
export function configureLogging(settings: { logLevel: LogLevel }): void {
  root.level = settings.logLevel;
}

export function createLogger(component: string): Logger {
  return root.child({ component });
}
