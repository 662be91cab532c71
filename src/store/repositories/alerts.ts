// Alerts: what went wrong, in words a venue manager can act on. A keyed alert ("camera:2:offline")
// stays open while its condition lasts and is cleared when it ends; raising an open key again
// updates that row instead of adding another. A keyless alert is a one-off event: it stays open
// until someone acknowledges it.
import { AlertCreateSchema, type AlertSeverity, ALERT_SEVERITIES } from '../../domain/schemas.ts';
import { AppError } from '../../errors/registry.ts';
import { nowIso, type Db } from '../database.ts';
import { parseInput } from './shared.ts';

export interface Alert {
  id: number;
  key: string | null;
  severity: AlertSeverity;
  code: string;
  message: string;
  remediation: string;
  source: string | null;
  created_at: string;
  /** Last time the open alert was raised again with different content; null if never. */
  updated_at: string | null;
  /** When its condition ended; null while it lasts (always null for keyless alerts). */
  cleared_at: string | null;
  acknowledged: boolean;
  acknowledged_at: string | null;
}

/** What a raise did: a new row, a changed open row, or nothing (same content already open). */
export type RaiseOutcome = 'opened' | 'updated' | 'unchanged';

export type AlertCounts = Record<AlertSeverity, number>;

type AlertRow = Omit<Alert, 'acknowledged'> & { acknowledged: number };

const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, error: 2, critical: 3 };

// Open = a keyed alert whose condition lasts, or a keyless one nobody has acknowledged yet.
const OPEN = '(cleared_at IS NULL AND (key IS NOT NULL OR acknowledged = 0))';

export class AlertRepository {
  constructor(private readonly db: Db) {}

  /** Records an alert (see upsert) and returns its row. */
  raise(input: unknown, at: string = nowIso()): Alert {
    return this.upsert(input, at).alert;
  }

  /**
   * Records an alert. With a key that is already open, the open row takes the new content
   * (message, remediation, severity, code, source); a rise in severity un-acknowledges it so the
   * operator sees the escalation. Throws VALIDATION_FAILED on bad input.
   */
  upsert(input: unknown, at: string = nowIso()): { alert: Alert; outcome: RaiseOutcome } {
    const value = parseInput(AlertCreateSchema, input, 'alert');
    const key = value.key ?? null;
    const source = value.source ?? null;
    return this.db.transaction(() => {
      const current = key === null ? null : this.openByKey(key);
      if (current === null) {
        const { lastInsertRowid } = this.db
          .prepare(
            `INSERT INTO alerts (key, severity, code, message, remediation, source, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(key, value.severity, value.code, value.message, value.remediation, source, at);
        return { alert: this.get(Number(lastInsertRowid)), outcome: 'opened' as const };
      }
      if (
        current.severity === value.severity &&
        current.code === value.code &&
        current.message === value.message &&
        current.remediation === value.remediation &&
        current.source === source
      ) {
        return { alert: current, outcome: 'unchanged' as const };
      }
      const escalated = SEVERITY_RANK[value.severity] > SEVERITY_RANK[current.severity];
      this.db
        .prepare(
          `UPDATE alerts SET severity = ?, code = ?, message = ?, remediation = ?, source = ?, updated_at = ?,
             acknowledged = CASE WHEN ? THEN 0 ELSE acknowledged END,
             acknowledged_at = CASE WHEN ? THEN NULL ELSE acknowledged_at END
           WHERE id = ?`,
        )
        .run(
          value.severity,
          value.code,
          value.message,
          value.remediation,
          source,
          at,
          escalated ? 1 : 0,
          escalated ? 1 : 0,
          current.id,
        );
      return { alert: this.get(current.id), outcome: 'updated' as const };
    })();
  }

  /** Ends the open alert with this key; returns it, or null when none was open. */
  clear(key: string, at: string = nowIso()): Alert | null {
    const current = this.openByKey(key);
    if (current === null) return null;
    this.db.prepare('UPDATE alerts SET cleared_at = ? WHERE id = ?').run(at, current.id);
    return this.get(current.id);
  }

  openByKey(key: string): Alert | null {
    const row = this.db.prepare('SELECT * FROM alerts WHERE key = ? AND cleared_at IS NULL').get(key) as
      AlertRow | undefined;
    return row ? toAlert(row) : null;
  }

  get(id: number): Alert {
    const row = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as AlertRow | undefined;
    if (!row) throw new AppError('ALERT_NOT_FOUND', `there is no alert ${id}`);
    return toAlert(row);
  }

  /** Newest first. */
  list(options: { unacknowledgedOnly?: boolean; openOnly?: boolean; limit?: number } = {}): Alert[] {
    const where = [
      ...(options.unacknowledgedOnly ? ['acknowledged = 0'] : []),
      ...(options.openOnly ? [OPEN] : []),
    ];
    const rows = this.db
      .prepare(
        `SELECT * FROM alerts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(options.limit ?? 200) as AlertRow[];
    return rows.map(toAlert);
  }

  /** Every open alert, newest first. */
  open(): Alert[] {
    return (this.db.prepare(`SELECT * FROM alerts WHERE ${OPEN} ORDER BY id DESC`).all() as AlertRow[]).map(
      toAlert,
    );
  }

  /** Open alerts per severity (every severity present, 0 when none). */
  countOpen(): AlertCounts {
    const counts = Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, 0])) as AlertCounts;
    const rows = this.db
      .prepare(`SELECT severity, COUNT(*) AS n FROM alerts WHERE ${OPEN} GROUP BY severity`)
      .all() as Array<{ severity: AlertSeverity; n: number }>;
    for (const row of rows) counts[row.severity] = row.n;
    return counts;
  }

  acknowledge(id: number, at: string = nowIso()): Alert {
    this.get(id);
    this.db
      .prepare('UPDATE alerts SET acknowledged = 1, acknowledged_at = ? WHERE id = ? AND acknowledged = 0')
      .run(at, id);
    return this.get(id);
  }

  /** Deletes closed alerts created before `before` (ISO time), so a 24/7 appliance's table stays small. */
  prune(before: string): number {
    return this.db.prepare(`DELETE FROM alerts WHERE NOT ${OPEN} AND created_at < ?`).run(before).changes;
  }
}

function toAlert(row: AlertRow): Alert {
  return { ...row, acknowledged: row.acknowledged === 1 };
}
