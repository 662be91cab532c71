// Structured logs (pino), one child logger per component. Secrets never go in here:
// log ids and names, not URLs with credentials or stream keys.
import { pino, type Logger } from 'pino';

const root = pino({
  level: process.env['VISTTER_LOG_LEVEL'] ?? (process.env['NODE_ENV'] === 'test' ? 'silent' : 'info'),
  base: { app: 'vistterstream' },
  redact: { paths: ['*.password', '*.stream_key', '*.streamKey', '*.secret'], censor: '[redacted]' },
});

export type { Logger };

export function createLogger(component: string): Logger {
  return root.child({ component });
}
