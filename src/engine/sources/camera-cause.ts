// Why a camera's decoder gave up, in the camera test's words (src/cameras/classify.ts), for the
// alert of a camera off air. Pure.
import { classifyCameraFailure, urlSecrets } from '../../cameras/classify.ts';
import type { CameraCauseCode } from '../../errors/alert-messages.ts';
import type { DecoderExit } from './decoded-source.ts';

/** The camera decoder's socket timeout (ffmpeg -timeout), seconds. */
export const CAMERA_IO_TIMEOUT_SECONDS = 5;

export interface CameraCause {
  code: CameraCauseCode;
  /** One sentence; never the URL or the credentials. */
  reason: string;
}

/** The cause a decoder's exit names, or null when it names none the operator can act on. */
export function cameraExitCause(url: string, exit: DecoderExit): CameraCause | null {
  // A stall is what failover already says ("stopped sending video"); an end of stream is no cause.
  if (exit.timedOut || exit.code === 0) return null;
  const failure = classifyCameraFailure({
    stderr: exit.stderrTail.join('\n'),
    exitCode: exit.code,
    timedOut: false,
    elapsedMs: exit.runMs,
    timeoutMs: exit.runMs,
    ioTimeoutSeconds: CAMERA_IO_TIMEOUT_SECONDS,
    secrets: urlSecrets(url),
  });
  if (failure.code === 'CAMERA_TEST_FAILED') return null; // "a reason the appliance does not recognise"
  return { code: failure.code, reason: failure.reason };
}
