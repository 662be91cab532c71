// Structured logs (pino), one child logger per component. Log ids and names, not URLs with
// credentials or stream keys; and because a URL still reaches a line through an error message
// or an ffmpeg stderr line that echoes it, every line is redacted as it is written
// (src/core/redact.ts): no module has to remember to.
import { pino, type DestinationStream, type Logger } from 'pino';
import { redactLogLine } from './redact.ts';

export type { Logger };

export interface RootLoggerOptions {
  level?: string;
  /** Where lines go; default stdout. */
  destination?: DestinationStream;
}

/** A root logger with the appliance's redaction; tests pass a destination to read what is written. */
export function createRootLogger(options: RootLoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? defaultLevel(),
    base: { app: 'vistterstream' },
    redact: { paths: ['*.password', '*.stream_key', '*.streamKey', '*.secret'], censor: '[redacted]' },
    hooks: { streamWrite: redactLogLine },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

function defaultLevel(): string {
  return process.env['VISTTER_LOG_LEVEL'] ?? (process.env['NODE_ENV'] === 'test' ? 'silent' : 'info');
}

const root = createRootLogger();

export function createLogger(component: string): Logger {
  return root.child({ component });
}
