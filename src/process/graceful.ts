import type { Clock } from '../core/clock.ts';
import type { Supervisor } from './supervisor.ts';

/**
 * Stops a child whose input the caller has just ended: it may first finish on its own (ffmpeg
 * encodes, sends or writes what it already read, then exits at end of input), and a signal would
 * cut that short. After graceMs it is stopped regardless.
 */
export async function stopAfterEndOfInput(
  supervisor: Supervisor,
  clock: Clock,
  graceMs = 3000,
): Promise<void> {
  if (supervisor.state === 'running') {
    supervisor.expectExit();
    await new Promise<void>((resolve) => {
      const timer = clock.setTimeout(resolve, graceMs);
      supervisor.once('exit', () => {
        timer.cancel();
        resolve();
      });
    });
  }
  await supervisor.stop();
}
