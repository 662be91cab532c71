// Where the engine reports what an operator must know (persisted and notified by the app layer's
// alert center, which has this shape); parts of the engine take it without the engine itself.
import type { AlertCode, AlertSeverity } from '../errors/registry.ts';

export interface EngineAlerts {
  raise(alert: {
    key: string;
    severity: AlertSeverity;
    /** A code of the registry; its remediation comes from there too (src/errors/alert-messages.ts). */
    code: AlertCode;
    message: string;
    remediation: string;
    source?: string;
  }): void;
  clear(key: string): void;
}
