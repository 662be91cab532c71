// Where anything that must tell the operator something raises it: the alert center has this
// shape (src/alerts/alert-center.ts), and the engine, PTZ moves, the recordings' housekeeper and
// the scheduler take it without depending on the alert center itself.
import type { AlertCode, AlertSeverity } from './registry.ts';

export interface AlertInput {
  /** Stable name of the condition ("camera:2:offline"): raising it again updates the open alert. */
  key: string;
  severity: AlertSeverity;
  /** A code of the registry; its remediation comes from there too (alert-messages.ts). */
  code: AlertCode;
  message: string;
  remediation: string;
  source?: string;
}

export interface AlertSink {
  raise(alert: AlertInput): void;
  clear(key: string): void;
}
