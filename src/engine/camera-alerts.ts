// Cameras off air become alerts an operator can act on: what is on air instead (its backup or the
// slate), how it went off air, and the reason its decoder gave when it gave one; a recovery clears
// the alert. The sentences are the registry's (src/errors/alert-messages.ts).
import type { Logger } from '../core/logger.ts';
import { cameraOffAirAlert } from '../errors/alert-messages.ts';
import type { EngineAlerts } from './engine-alerts.ts';
import type { FailoverEvent, Replacement } from './failover.ts';
import { cameraExitCause, type CameraCause } from './sources/camera-cause.ts';
import type { DecoderExit } from './sources/decoded-source.ts';

export interface CameraAlertsDeps {
  alerts: EngineAlerts | undefined;
  logger: Logger;
  /** "Camera 2 (Pier)". */
  cameraName(cameraId: number): string;
  /** What stands in for a camera now failed; null while it is not. */
  replacementOf(cameraId: number): Replacement | null;
}

export class CameraAlerts {
  /** Why each failed camera's decoder last gave up, in the camera test's words. */
  private readonly causes = new Map<number, CameraCause>();
  /** How each failed camera went off air. */
  private readonly symptoms = new Map<number, 'no-signal' | 'stalled'>();

  constructor(private readonly deps: CameraAlertsDeps) {}

  onFailover(event: FailoverEvent): void {
    if (event.type === 'recovered') {
      this.deps.logger.info({ camera: event.cameraId, downMs: event.downMs }, 'camera is back on air');
      this.causes.delete(event.cameraId);
      this.symptoms.delete(event.cameraId);
      this.deps.alerts?.clear(cameraAlertKey(event.cameraId));
      return;
    }
    if (event.type === 'failed') this.symptoms.set(event.cameraId, event.reason);
    this.raise(event.cameraId, event.replacement);
  }

  /** A camera decoder gave up: keep why (only a reason it can name); a camera already off air
   *  has its alert told the cause. */
  noteExit(cameraId: number, url: string, exit: DecoderExit): void {
    const cause = cameraExitCause(url, exit);
    if (cause === null) return;
    const known = this.causes.get(cameraId);
    this.causes.set(cameraId, cause);
    const replacement = this.deps.replacementOf(cameraId);
    if (replacement && (known?.reason !== cause.reason || known.code !== cause.code))
      this.raise(cameraId, replacement);
  }

  /** The camera is decoded anew (its address changed): what its old decoder said no longer holds. */
  forgetCause(cameraId: number): void {
    this.causes.delete(cameraId);
  }

  private raise(cameraId: number, replacement: Replacement): void {
    const cause = this.causes.get(cameraId) ?? null;
    const alert = cameraOffAirAlert({
      camera: this.deps.cameraName(cameraId),
      cause,
      symptom: this.symptoms.get(cameraId) ?? null,
      replacement:
        replacement.kind === 'backup'
          ? { kind: 'backup', camera: this.deps.cameraName(replacement.cameraId) }
          : { kind: 'slate' },
    });
    this.deps.logger.warn({ camera: cameraId, replacement, cause: cause?.code }, alert.message);
    this.deps.alerts?.raise({ key: cameraAlertKey(cameraId), source: `camera:${cameraId}`, ...alert });
  }
}

function cameraAlertKey(cameraId: number): string {
  return `camera:${cameraId}:offline`;
}
