// History: the shows this appliance ran (newest first) and the alerts it raised, with what to do
// about each and a way to mark them as seen.
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useCan } from '../../app/session.ts';
import { DataTable, ListStates } from '../../components/ListPage.tsx';
import {
  Button,
  ErrorNotice,
  PageHeader,
  SelectField,
  formatDuration,
  useAction,
  useLoad,
} from '../../components/ui.tsx';
import './history.css';

/** GET /api/executions (src/store/repositories/records.ts Execution, without plan and owner). */
interface Execution {
  id: number;
  timeline_id: number | null;
  started_at: string;
  completed_at: string | null;
  status: 'running' | 'completed' | 'stopped' | 'error';
  error_message: string | null;
  resume_count: number;
  note: string | null;
}

type Severity = 'info' | 'warning' | 'error' | 'critical';

/** GET /api/alerts (src/store/repositories/alerts.ts Alert). */
interface Alert {
  id: number;
  severity: Severity;
  code: string;
  message: string;
  remediation: string;
  source: string | null;
  created_at: string;
  cleared_at: string | null;
  acknowledged: boolean;
  acknowledged_at: string | null;
}

const PAGE = 25;
/** The API's largest page. */
const MAX_ROWS = 500;

function formatWhen(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
}

const STATUS: Record<Execution['status'], { label: string; badge: string }> = {
  running: { label: 'On air', badge: 'badge-live' },
  completed: { label: 'Finished', badge: 'badge-ok' },
  stopped: { label: 'Stopped', badge: 'badge-idle' },
  error: { label: 'Failed', badge: 'badge-error' },
};

const SEVERITY_BADGE: Record<Severity, string> = {
  info: 'badge-idle',
  warning: 'badge-warn',
  error: 'badge-error',
  critical: 'badge-live',
};

function Executions() {
  const [limit, setLimit] = useState(PAGE);
  const runs = useLoad((signal) => api.get<Execution[]>(`/api/executions?limit=${limit}`, signal), [limit]);
  const names = useLoad((signal) => api.get<Array<{ id: number; name: string }>>('/api/timelines', signal));
  const nameOf = (id: number | null): string => {
    if (id === null) return 'Deleted timeline';
    return names.data?.find((t) => t.id === id)?.name ?? `Timeline ${id} (deleted)`;
  };
  const rows = runs.data;
  const more = rows !== null && rows.length >= limit && limit < MAX_ROWS;
  return (
    <section className="history-block" aria-labelledby="runs-title">
      <div className="history-head">
        <h2 id="runs-title">Shows run</h2>
        <Button variant="plain" onClick={runs.reload} busy={runs.loading && rows !== null}>
          Refresh
        </Button>
      </div>
      <ErrorNotice error={runs.error} />
      <ListStates
        rows={rows}
        loading={runs.loading}
        loadingLabel="Loading the shows…"
        empty={
          <p className="card history-empty">
            No show has run yet. When you GO LIVE from the control room, each show is listed here with when it
            started and ended and how it finished.
          </p>
        }
      >
        {(shows) => (
          <>
            <DataTable
              className="history-table"
              label="Shows run"
              columns={['Timeline', 'Started', 'Ended', 'Length', 'Result', 'Details']}
            >
              {shows.map((run) => {
                const end = run.completed_at ? Date.parse(run.completed_at) : Date.now();
                const seconds = (end - Date.parse(run.started_at)) / 1000;
                const status = STATUS[run.status];
                const details = [
                  run.error_message ? sentence(run.error_message) : null,
                  run.resume_count > 0
                    ? `Resumed ${run.resume_count} time${run.resume_count === 1 ? '' : 's'} after a restart.`
                    : null,
                  run.note,
                ].filter((part): part is string => Boolean(part));
                return (
                  <tr key={run.id}>
                    <td className="history-strong">{nameOf(run.timeline_id)}</td>
                    <td>{formatWhen(run.started_at)}</td>
                    <td>{run.completed_at ? formatWhen(run.completed_at) : 'still running'}</td>
                    <td>{Number.isFinite(seconds) ? formatDuration(seconds) : '—'}</td>
                    <td>
                      <span className={`badge ${status.badge}`}>{status.label}</span>
                    </td>
                    <td className={run.status === 'error' ? 'history-error' : 'hint'}>
                      {details.length > 0 ? details.join(' ') : '—'}
                    </td>
                  </tr>
                );
              })}
            </DataTable>
            {more ? (
              <Button
                className="history-more"
                onClick={() => setLimit((n) => Math.min(MAX_ROWS, n + PAGE))}
                busy={runs.loading}
              >
                Show older shows
              </Button>
            ) : null}
          </>
        )}
      </ListStates>
    </section>
  );
}

function Alerts() {
  const [which, setWhich] = useState<'open' | 'unacknowledged' | 'all'>('open');
  const [severity, setSeverity] = useState<'' | Severity>('');
  const [limit, setLimit] = useState(PAGE * 2);
  const alerts = useLoad(
    (signal) =>
      api.get<Alert[]>(
        `/api/alerts?limit=${limit}${which === 'open' ? '&open=true' : which === 'unacknowledged' ? '&unacknowledged=true' : ''}`,
        signal,
      ),
    [which, limit],
  );
  const ack = useAction();
  const [acking, setAcking] = useState<number | null>(null);
  /** Acknowledging is show work (operator); a viewer reads the alerts. */
  const canAcknowledge = useCan('operator');
  const acknowledge = async (alert: Alert): Promise<void> => {
    setAcking(alert.id);
    await ack.run(() => api.post(`/api/alerts/${alert.id}/acknowledge`));
    setAcking(null);
    alerts.reload();
  };
  const rows = alerts.data?.filter((alert) => severity === '' || alert.severity === severity) ?? null;
  const more = alerts.data !== null && alerts.data.length >= limit && limit < MAX_ROWS;
  return (
    <section className="history-block" aria-labelledby="alerts-title">
      <div className="history-head">
        <h2 id="alerts-title">Alerts</h2>
        <div className="history-filters">
          <SelectField
            label="Which alerts"
            value={which}
            onChange={(event) => setWhich(event.target.value as typeof which)}
          >
            <option value="open">Open alerts</option>
            <option value="unacknowledged">Not yet acknowledged</option>
            <option value="all">All alerts</option>
          </SelectField>
          <SelectField
            label="Severity"
            value={severity}
            onChange={(event) => setSeverity(event.target.value as '' | Severity)}
          >
            <option value="">Any severity</option>
            <option value="critical">Critical</option>
            <option value="error">Error</option>
            <option value="warning">Warning</option>
            <option value="info">Info</option>
          </SelectField>
        </div>
      </div>
      <ErrorNotice error={alerts.error} />
      <ErrorNotice error={ack.error} onDismiss={ack.clearError} />
      <ListStates
        rows={rows}
        loading={alerts.loading}
        loadingLabel="Loading the alerts…"
        empty={
          <p className="card history-empty">
            {which === 'all' && severity === ''
              ? 'No alerts yet. When something needs your attention — a camera offline, a destination refusing the stream — it is listed here with what to do.'
              : 'Nothing needs your attention. Choose “All alerts” to see earlier ones.'}
          </p>
        }
      >
        {(shown) => (
          <>
            <ul className="alert-list" aria-label="Alerts">
              {shown.map((alert) => (
                <li key={alert.id} className={`alert-item alert-${alert.severity}`}>
                  <div className="alert-main">
                    <div className="alert-title">
                      <span className={`badge ${SEVERITY_BADGE[alert.severity]}`}>
                        {alert.severity.toUpperCase()}
                      </span>
                      <strong>{sentence(alert.message)}</strong>
                    </div>
                    <p className="alert-remediation">{alert.remediation}</p>
                    <p className="hint alert-meta">
                      {formatWhen(alert.created_at)} · <code>{alert.code}</code>
                      {alert.source ? ` · ${alert.source}` : ''}
                      {alert.cleared_at ? ` · resolved ${formatWhen(alert.cleared_at)}` : ''}
                    </p>
                  </div>
                  <div className="alert-side">
                    {alert.acknowledged ? (
                      <span className="hint">Acknowledged {formatWhen(alert.acknowledged_at)}</span>
                    ) : !canAcknowledge ? (
                      <span className="hint">Not acknowledged</span>
                    ) : (
                      <Button
                        onClick={() => void acknowledge(alert)}
                        busy={acking === alert.id}
                        disabled={acking !== null}
                        aria-label={`Acknowledge: ${alert.message}`}
                      >
                        Acknowledge
                      </Button>
                    )}
                  </div>
                </li>
              ))}
            </ul>
            {more ? (
              <Button
                className="history-more"
                onClick={() => setLimit((n) => Math.min(MAX_ROWS, n + PAGE * 2))}
                busy={alerts.loading}
              >
                Show older alerts
              </Button>
            ) : null}
          </>
        )}
      </ListStates>
    </section>
  );
}

export function History() {
  return (
    <section className="history">
      <PageHeader title="History" />
      {/* Alerts first: an open one asks for something to be done. */}
      <Alerts />
      <Executions />
    </section>
  );
}
