// The alerts one show raises. Its problems (a camera off air, a destination down, degraded mode)
// end with it: when the show stops, whatever it left open is cleared, so the control room and
// the webhook never report a stopped show's trouble as current. History keeps every alert.
import type { EngineAlerts } from '../engine/index.ts';

export class ShowAlerts implements EngineAlerts {
  private readonly open = new Set<string>();

  constructor(private readonly sink: EngineAlerts) {}

  raise(alert: Parameters<EngineAlerts['raise']>[0]): void {
    this.open.add(alert.key);
    this.sink.raise(alert);
  }

  clear(key: string): void {
    this.open.delete(key);
    this.sink.clear(key);
  }

  /** Clears everything still open; returns how many. */
  clearAll(): number {
    const keys = [...this.open];
    for (const key of keys) this.clear(key);
    return keys.length;
  }
}
