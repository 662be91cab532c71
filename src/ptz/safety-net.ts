// The safety net under the `onvif` library: it parses camera answers inside its own HTTP
// callbacks, where a malformed answer can throw past every try/catch (an uncaught exception that
// would end the appliance, and every stream with it). Only such errors are caught here: the first
// frame of the stack that names a file must be inside node_modules/onvif/. Every other uncaught
// error still ends the process as Node would (its stack on stderr, exit code 1), so real bugs are
// not hidden.
import type { Logger } from '../core/logger.ts';

const FILE_FRAME = /\((?:file:\/\/)?(\/[^)]+)\)\s*$|^\s*at (?:file:\/\/)?(\/\S+)\s*$/;

/** The error was thrown from the onvif library's own code. */
export function isOnvifLibraryError(error: unknown): boolean {
  const stack = error instanceof Error ? error.stack : undefined;
  if (typeof stack !== 'string') return false;
  for (const line of stack.split('\n').slice(1)) {
    const match = FILE_FRAME.exec(line);
    const file = match?.[1] ?? match?.[2];
    if (file === undefined) continue; // native frames ("<anonymous>") and node: internals
    if (file.startsWith('node:')) continue;
    return /[/\\]node_modules[/\\]onvif[/\\]/.test(file);
  }
  return false;
}

export interface SafetyNetTarget {
  on(event: 'uncaughtException', listener: (error: Error, origin: string) => void): unknown;
  exit(code: number): never;
}

/**
 * Installs the process-level handler. `onCaught` is told of each swallowed library error (a
 * camera's answer the library could not read); everything else is fatal, as without the handler.
 */
export function installOnvifSafetyNet(
  target: SafetyNetTarget,
  log: Pick<Logger, 'error' | 'fatal'>,
  writeStderr: (text: string) => void = (text) => process.stderr.write(text),
): void {
  target.on('uncaughtException', (error, origin) => {
    if (isOnvifLibraryError(error)) {
      log.error(
        { err: error.message, origin },
        'the ONVIF library failed on a camera’s answer; ignored (the PTZ call it belonged to times out)',
      );
      return;
    }
    log.fatal({ err: error, origin }, 'uncaught exception');
    writeStderr(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    target.exit(1);
  });
}
