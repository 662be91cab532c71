// Where the engine reports what an operator must know (persisted and notified by the app layer's
// alert center, which has this shape); parts of the engine take it without the engine itself.

export interface EngineAlerts {
  raise(alert: {
    key: string;
    severity: 'info' | 'warning' | 'error' | 'critical';
    code: string;
    message: string;
    remediation: string;
    source?: string;
  }): void;
  clear(key: string): void;
}
