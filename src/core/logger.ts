// Structured logs (pino), one child logger per component. Log ids and names, not URLs with
// credentials or stream keys; and because a URL still reaches a line through an error message
// or an ffmpeg stderr line that echoes it, every line is redacted as it is written
// (src/core/redact.ts): no module has to remember to.
//
// The level is the configuration's (configureLogging, called by the entry point with the loaded
// configuration); until then nothing is written, so a module loaded by a test or a tool is quiet.
// Component loggers made before that follow the change: pino children inherit the root's level
// unless given their own.
import { pino, type DestinationStream, type Logger } from 'pino';
import { redactLogLine } from './redact.ts';

export type { Logger };

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RootLoggerOptions {
  /** Default: info. */
  level?: LogLevel;
  /** Where lines go; default stdout. */
  destination?: DestinationStream;
}

/** A root logger with the appliance's redaction; tests pass a destination to read what is written. */
export function createRootLogger(options: RootLoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    base: { app: 'vistterstream' },
    redact: { paths: ['*.password', '*.stream_key', '*.streamKey', '*.secret'], censor: '[redacted]' },
    hooks: { streamWrite: redactLogLine },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

const root = createRootLogger({ level: 'silent' });

/** Sets how much every component logger writes, from the loaded configuration. */
export function configureLogging(settings: { logLevel: LogLevel }): void {
  root.level = settings.logLevel;
}

export function createLogger(component: string): Logger {
  return root.child({ component });
}
