// The alert center: the one place the engine reports problems to. It persists alerts, logs them,
// and forwards them to notifiers (webhook). The engine may call raise/clear on every tick, so a
// repeat of what is already open costs a map lookup, and nothing here ever throws into the caller:
// a full disk or a broken notifier must not stop the show.
import { systemClock, type Clock } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { ALERT_TEXT_MAX } from '../domain/schemas.ts';
import type { AlertInput, AlertSink } from '../errors/alert-sink.ts';
import { isAppError, type AlertSeverity } from '../errors/registry.ts';
import type { Alert, AlertCounts, AlertRepository } from '../store/repositories/alerts.ts';

export type { AlertSeverity } from '../errors/registry.ts';
export type { AlertInput, AlertSink } from '../errors/alert-sink.ts';

/** An alert as the API and notifiers see it; id is null only when the database could not store it. */
export type AlertRecord = Omit<Alert, 'id'> & { id: number | null };

export type AlertEventType = 'alert.raised' | 'alert.cleared';

/** What a notifier receives (and the webhook POSTs as JSON). */
export interface AlertEvent {
  event: AlertEventType;
  alert: AlertRecord;
}

/** Must return quickly and never block: queue and deliver in the background. */
export interface AlertNotifier {
  notify(event: AlertEvent): void;
}

/** The part of the store the alert center needs (a fake in tests can fail on purpose). */
export type AlertStore = Pick<
  AlertRepository,
  'upsert' | 'clear' | 'open' | 'list' | 'acknowledge' | 'countOpen'
>;

export interface AlertCenterOptions {
  store: AlertStore;
  clock?: Clock;
  logger?: Logger;
  notifiers?: readonly AlertNotifier[];
}

interface OpenEntry {
  record: AlertRecord;
  /** Raised by this process (false for alerts still open from before a restart). */
  raisedThisRun: boolean;
}

const MAX_REJECTED_KEYS = 100;

const LOG_LEVEL: Record<AlertSeverity, 'info' | 'warn' | 'error'> = {
  info: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'error',
};

export class AlertCenter implements AlertSink {
  private readonly store: AlertStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly notifiers: AlertNotifier[];
  /** Open keyed alerts: the source of truth for "is this already open?" on the hot path. */
  private readonly openByKey = new Map<string, OpenEntry>();
  /** Keys already reported as invalid, so a bad raise repeated every tick logs once (bounded). */
  private readonly rejected = new Set<string>();

  constructor(options: AlertCenterOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? createLogger('alerts');
    this.notifiers = [...(options.notifiers ?? [])];
    try {
      // Alerts still open from before a restart: a repeat raise must not duplicate them.
      for (const alert of this.store.open()) {
        if (alert.key !== null) this.openByKey.set(alert.key, { record: alert, raisedThisRun: false });
      }
    } catch (error) {
      this.log.error({ err: error }, 'could not read the open alerts; starting with none');
    }
  }

  addNotifier(notifier: AlertNotifier): void {
    this.notifiers.push(notifier);
  }

  raise(input: AlertInput): void {
    try {
      this.raiseUnsafe(input);
    } catch (error) {
      this.log.error({ err: error, key: safeKey(input) }, 'raising an alert failed');
    }
  }

  clear(key: string): void {
    try {
      this.clearUnsafe(key);
    } catch (error) {
      this.log.error({ err: error, key }, 'clearing an alert failed');
    }
  }

  /** Open alerts, newest first (keyed ones whose condition lasts, keyless ones not yet acknowledged). */
  open(): AlertRecord[] {
    try {
      return this.store.open();
    } catch (error) {
      this.log.error({ err: error }, 'could not read the open alerts; answering from memory');
      return [...this.openByKey.values()].map((entry) => entry.record).reverse();
    }
  }

  /** The latest alerts, open or not, newest first. */
  recent(limit = 50): AlertRecord[] {
    try {
      return this.store.list({ limit });
    } catch (error) {
      this.log.error({ err: error }, 'could not read the alerts; answering from memory');
      return [...this.openByKey.values()]
        .map((entry) => entry.record)
        .reverse()
        .slice(0, limit);
    }
  }

  /** Open alerts per severity, for the health check. */
  counts(): AlertCounts {
    try {
      return this.store.countOpen();
    } catch (error) {
      this.log.error({ err: error }, 'could not count the open alerts; answering from memory');
      const counts: AlertCounts = { info: 0, warning: 0, error: 0, critical: 0 };
      for (const entry of this.openByKey.values()) counts[entry.record.severity] += 1;
      return counts;
    }
  }

  /** The operator has seen it (API). Throws ALERT_NOT_FOUND for an unknown id. */
  acknowledge(id: number): Alert {
    const alert = this.store.acknowledge(id, this.isoNow());
    if (alert.key !== null) {
      const entry = this.openByKey.get(alert.key);
      if (entry?.record.id === id) entry.record = alert;
    }
    this.log.info({ alert: { id, key: alert.key, code: alert.code } }, 'alert acknowledged');
    return alert;
  }

  /**
   * Clears the alerts left open by a previous run that this run has not raised again. Call it once
   * the engine has looked at everything (a few seconds after start): conditions that still hold
   * were raised again by then, the rest ended while the appliance was down.
   */
  clearCarriedOver(): number {
    const stale = [...this.openByKey].filter(([, entry]) => !entry.raisedThisRun).map(([key]) => key);
    for (const key of stale) this.clear(key);
    return stale.length;
  }

  private raiseUnsafe(input: AlertInput): void {
    const wanted = {
      key: input.key,
      severity: input.severity,
      code: input.code,
      // Cut rather than lose a long alert to validation.
      message: clip(input.message),
      remediation: clip(input.remediation),
      source: input.source ?? null,
    };
    const known = this.openByKey.get(wanted.key);
    if (known && sameContent(known.record, wanted)) {
      known.raisedThisRun = true;
      return;
    }
    const at = this.isoNow();
    let record: AlertRecord;
    let outcome: 'opened' | 'updated' | 'unchanged';
    try {
      ({ alert: record, outcome } = this.store.upsert(wanted, at));
    } catch (error) {
      if (isValidationError(error)) {
        if (!this.rejected.has(wanted.key) && this.rejected.size < MAX_REJECTED_KEYS) {
          this.rejected.add(wanted.key);
          this.log.error({ err: error, key: wanted.key, code: wanted.code }, 'alert is not valid; dropped');
        }
        return;
      }
      // Not stored (disk full, database locked): still log and notify, the webhook may work.
      this.log.error({ err: error, key: wanted.key }, 'could not store the alert; notifying anyway');
      record = {
        id: known?.record.id ?? null,
        ...wanted,
        created_at: known?.record.created_at ?? at,
        updated_at: known ? at : null,
        cleared_at: null,
        acknowledged: false,
        acknowledged_at: null,
      };
      outcome = known ? 'updated' : 'opened';
    }
    this.openByKey.set(wanted.key, { record, raisedThisRun: true });
    if (outcome === 'unchanged') return;
    this.log[LOG_LEVEL[record.severity]](
      { alert: alertFields(record), event: 'alert.raised', outcome },
      `${record.message} ${record.remediation}`,
    );
    this.emit({ event: 'alert.raised', alert: record });
  }

  private clearUnsafe(key: string): void {
    const known = this.openByKey.get(key);
    if (!known) return;
    this.openByKey.delete(key);
    const at = this.isoNow();
    let record: AlertRecord;
    try {
      record = this.store.clear(key, at) ?? { ...known.record, cleared_at: at };
    } catch (error) {
      this.log.error({ err: error, key }, 'could not store the alert clearing; notifying anyway');
      record = { ...known.record, cleared_at: at };
    }
    this.log.info({ alert: alertFields(record), event: 'alert.cleared' }, `cleared: ${record.message}`);
    this.emit({ event: 'alert.cleared', alert: record });
  }

  private emit(event: AlertEvent): void {
    for (const notifier of this.notifiers) {
      try {
        notifier.notify(event);
      } catch (error) {
        this.log.error({ err: error, event: event.event }, 'alert notifier failed');
      }
    }
  }

  private isoNow(): string {
    return new Date(this.clock.wallNow()).toISOString();
  }
}

/** An AlertSink for tests: records every call and keeps what is open. */
export class MemoryAlertSink implements AlertSink {
  readonly calls: Array<{ op: 'raise'; alert: AlertInput } | { op: 'clear'; key: string }> = [];
  readonly openAlerts = new Map<string, AlertInput>();

  raise(alert: AlertInput): void {
    this.calls.push({ op: 'raise', alert: { ...alert } });
    this.openAlerts.set(alert.key, { ...alert });
  }

  clear(key: string): void {
    this.calls.push({ op: 'clear', key });
    this.openAlerts.delete(key);
  }

  isOpen(key: string): boolean {
    return this.openAlerts.has(key);
  }
}

function clip(text: string): string {
  return text.length <= ALERT_TEXT_MAX ? text : `${text.slice(0, ALERT_TEXT_MAX - 1)}…`;
}

function sameContent(
  record: AlertRecord,
  wanted: Pick<AlertRecord, 'severity' | 'code' | 'message' | 'remediation' | 'source'>,
): boolean {
  return (
    record.severity === wanted.severity &&
    record.code === wanted.code &&
    record.message === wanted.message &&
    record.remediation === wanted.remediation &&
    record.source === wanted.source
  );
}

function alertFields(record: AlertRecord): Record<string, unknown> {
  return {
    id: record.id,
    key: record.key,
    severity: record.severity,
    code: record.code,
    source: record.source,
  };
}

function isValidationError(error: unknown): boolean {
  return isAppError(error) && error.code === 'VALIDATION_FAILED';
}

function safeKey(input: unknown): unknown {
  return typeof input === 'object' && input !== null && 'key' in input ? input.key : undefined;
}
