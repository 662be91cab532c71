// GO LIVE: choose the timeline, the destinations and recording; run the pre-flight checklist;
// then start at once or after a countdown. A failed check refuses; "Start anyway" is behind a
// confirmation (the API's `force`).
import { useEffect, useId, useMemo, useState } from 'react';
import { api, ApiError } from '../../api/client.ts';
import {
  Button,
  Dialog,
  ErrorNotice,
  Link,
  Notice,
  SelectField,
  Spinner,
  useAction,
  useLoad,
} from '../../components/ui.tsx';
import type { TimelineSummary } from '../../../../src/domain/views.ts';
import { CapacityProgress } from './CapacityProgress.tsx';
import { RemediationText } from '../log/RemediationText.tsx';

interface DestinationSummary {
  id: number;
  name: string;
  platform: string;
  enabled: boolean;
}

type CheckStatus = 'ok' | 'warn' | 'fail';

export interface PreflightReport {
  ok: boolean;
  checks: Array<{
    id: string;
    label: string;
    status: CheckStatus;
    summary: string;
    remediation: string | null;
    items: Array<{ name: string; status: CheckStatus; detail: string }>;
  }>;
  checkedAt: string;
  durationMs: number;
}

const STATUS_WORD: Record<CheckStatus, string> = { ok: 'OK', warn: 'Warning', fail: 'Failed' };
const STATUS_ICON: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗' };

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export function PreflightChecklist({ report }: { report: PreflightReport }) {
  return (
    <ol className="cr-checklist" aria-label="Pre-flight checklist">
      {report.checks.map((check) => (
        <li key={check.id} className={`cr-check cr-check-${check.status}`} data-status={check.status}>
          <span className="cr-check-icon" aria-hidden="true">
            {STATUS_ICON[check.status]}
          </span>
          <div>
            <div>
              <strong>{check.label}</strong>{' '}
              <span className={`badge badge-${check.status === 'fail' ? 'error' : check.status}`}>
                {STATUS_WORD[check.status]}
              </span>
            </div>
            <div>{sentence(check.summary)}</div>
            {check.remediation ? (
              <div className="cr-remedy">
                <RemediationText text={check.remediation} />
              </div>
            ) : null}
            {check.status !== 'ok' && check.items.some((item) => item.status !== 'ok') ? (
              <ul className="cr-check-items">
                {check.items
                  .filter((item) => item.status !== 'ok')
                  .map((item) => (
                    <li key={item.name}>
                      {item.name}: {item.detail}
                    </li>
                  ))}
              </ul>
            ) : null}
          </div>
        </li>
      ))}
    </ol>
  );
}

export function GoLivePanel({ demoRunning }: { demoRunning: boolean }) {
  const timelines = useLoad((signal) => api.get<TimelineSummary[]>('/api/timelines', signal));
  const destinations = useLoad((signal) => api.get<DestinationSummary[]>('/api/destinations', signal));
  const [timelineId, setTimelineId] = useState<number | null>(null);
  // null until the operator changes the choice: the default is derived, never set by an effect,
  // so a box never shows unticked for a frame after the list arrives.
  const [picked, setPicked] = useState<Set<number> | null>(null);
  const [record, setRecord] = useState(false);
  const [report, setReport] = useState<{ key: string; report: PreflightReport } | null>(null);
  const [countdown, setCountdown] = useState('10');
  const [confirmForce, setConfirmForce] = useState(false);
  const checks = useAction();
  const start = useAction();
  const destinationsId = useId();
  const countdownId = useId();

  // Sane defaults: the most recently changed timeline, every enabled destination.
  useEffect(() => {
    if (timelineId !== null || !timelines.data || timelines.data.length === 0) return;
    const newest = [...timelines.data].sort((a, b) => b.modified_at.localeCompare(a.modified_at))[0]!;
    setTimelineId(newest.id);
  }, [timelines.data, timelineId]);
  const chosen = useMemo(
    () =>
      picked ??
      (destinations.data ? new Set(destinations.data.filter((d) => d.enabled).map((d) => d.id)) : null),
    [picked, destinations.data],
  );

  const destinationIds = useMemo(() => [...(chosen ?? [])].sort((a, b) => a - b), [chosen]);
  const key = JSON.stringify([timelineId, destinationIds, record]);
  const current = report && report.key === key ? report.report : null;
  const seconds = Number(countdown);
  const countdownError =
    countdown.trim() === '' || !Number.isInteger(seconds) || seconds < 1 || seconds > 60
      ? 'must be a whole number of seconds from 1 to 60'
      : undefined;

  const runChecks = async (): Promise<void> => {
    if (timelineId === null) return;
    const answer = await checks.run(() =>
      api.post<PreflightReport>('/api/show/preflight', { timelineId, destinationIds, record }),
    );
    if (answer) setReport({ key, report: answer });
  };

  const goLive = async (options: { countdownSeconds: number; force: boolean }): Promise<void> => {
    if (timelineId === null) return;
    setConfirmForce(false);
    await start.run(() =>
      api.post('/api/show/go-live', {
        timelineId,
        destinationIds,
        record,
        countdownSeconds: options.countdownSeconds,
        force: options.force,
      }),
    );
    // Accepted: the live feed switches the page to the countdown / the show on air.
  };

  const toggle = (id: number, on: boolean): void =>
    setPicked((previous) => {
      const next = new Set(previous ?? chosen ?? []);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const enabled = destinations.data?.filter((d) => d.enabled) ?? [];
  const disabledCount = (destinations.data?.length ?? 0) - enabled.length;
  const failed = current?.checks.filter((check) => check.status === 'fail') ?? [];
  const startError = start.error instanceof ApiError ? start.error : null;

  return (
    <section className="card cr-golive" aria-labelledby="cr-golive-title">
      <h2 id="cr-golive-title">GO LIVE</h2>
      {demoRunning ? (
        <p className="hint">The demo show is on air now; GO LIVE stops it and puts your show on air.</p>
      ) : null}
      <ErrorNotice error={timelines.error} />
      <ErrorNotice error={destinations.error} />
      {timelines.loading && !timelines.data ? <Spinner label="Loading the timelines…" /> : null}
      {timelines.data && timelines.data.length === 0 ? (
        <Notice kind="info">
          There is no timeline yet. <Link to="/timelines/new">Build one</Link> first.
        </Notice>
      ) : null}
      {timelines.data && timelines.data.length > 0 ? (
        <SelectField
          label="Timeline"
          value={timelineId ?? ''}
          onChange={(event) => setTimelineId(Number(event.target.value))}
        >
          {timelines.data.map((timeline) => (
            <option key={timeline.id} value={timeline.id}>
              {timeline.name}
            </option>
          ))}
        </SelectField>
      ) : null}

      <fieldset className="cr-fieldset" aria-describedby={`${destinationsId}-hint`}>
        <legend>Destinations</legend>
        {destinations.data && enabled.length === 0 ? (
          <p className="hint">
            No destination is set up. <Link to="/destinations">Add one</Link> to stream to YouTube, Facebook
            or Twitch.
          </p>
        ) : null}
        {enabled.map((destination) => (
          <label key={destination.id} className="cr-check-label">
            <input
              type="checkbox"
              checked={chosen?.has(destination.id) ?? false}
              onChange={(event) => toggle(destination.id, event.target.checked)}
            />
            {destination.name} <span className="hint">({destination.platform})</span>
          </label>
        ))}
        {disabledCount > 0 ? (
          <p className="hint cr-small">
            {disabledCount} switched-off destination{disabledCount === 1 ? '' : 's'} not listed.
          </p>
        ) : null}
        <p id={`${destinationsId}-hint`} className="hint cr-small">
          {destinationIds.length === 0
            ? 'No destination chosen: the show goes on air as a preview only — nothing is streamed.'
            : `Streams to ${destinationIds.length} destination${destinationIds.length === 1 ? '' : 's'}.`}
        </p>
      </fieldset>

      <label className="cr-check-label">
        <input type="checkbox" checked={record} onChange={(event) => setRecord(event.target.checked)} />
        Also record the show to a file on the appliance
      </label>

      <div className="cr-row cr-gap-top">
        <Button
          variant={current ? 'plain' : 'golive'}
          className={current ? 'cr-secondary' : undefined}
          busy={checks.busy}
          disabled={timelineId === null || start.busy}
          onClick={() => void runChecks()}
        >
          {current ? 'Run the checks again' : 'GO LIVE'}
        </Button>
        {!current && !checks.busy ? <span className="hint">Runs the pre-flight checks first.</span> : null}
      </div>
      <ErrorNotice error={checks.error} />

      {checks.busy ? (
        <div className="cr-progress">
          <Spinner label="Running the pre-flight checks — testing the cameras, destinations and encoder…" />
          <progress aria-label="Pre-flight checks in progress" />
          <CapacityProgress />
        </div>
      ) : null}

      {current && !checks.busy ? (
        <div className="cr-preflight">
          <h3>Pre-flight checklist</h3>
          <PreflightChecklist report={current} />
          {current.ok ? (
            <div className="cr-start">
              <Notice kind="success">
                All checks passed{current.checks.some((c) => c.status === 'warn') ? ' (with warnings)' : ''}.
                Ready to go live.
              </Notice>
              <div className="cr-row">
                <Button
                  variant="golive"
                  busy={start.busy}
                  onClick={() => void goLive({ countdownSeconds: 0, force: false })}
                >
                  Start immediately
                </Button>
              </div>
              <div className="cr-countdown-row">
                <label htmlFor={countdownId}>Or count down</label>
                <input
                  id={countdownId}
                  className="cr-input cr-seconds"
                  type="number"
                  min={1}
                  max={60}
                  inputMode="numeric"
                  aria-label="Countdown (seconds)"
                  aria-invalid={countdownError ? true : undefined}
                  aria-describedby={countdownError ? `${countdownId}-error` : undefined}
                  value={countdown}
                  onChange={(event) => setCountdown(event.target.value)}
                />
                <span>seconds</span>
                <Button
                  variant="primary"
                  disabled={countdownError !== undefined || start.busy}
                  onClick={() => void goLive({ countdownSeconds: seconds, force: false })}
                >
                  Start after the countdown
                </Button>
              </div>
              {countdownError ? (
                <small id={`${countdownId}-error`} className="field-error">
                  Countdown {countdownError}
                </small>
              ) : null}
            </div>
          ) : (
            <div className="cr-start">
              <div className="notice notice-error" role="alert">
                <div>
                  <strong>
                    GO LIVE refused: {failed.length} check{failed.length === 1 ? '' : 's'} failed (
                    {failed.map((check) => check.label).join(', ')}).
                  </strong>
                  <p>Fix what the checklist says, then run the checks again.</p>
                </div>
              </div>
              <Button variant="danger" disabled={start.busy} onClick={() => setConfirmForce(true)}>
                Start anyway…
              </Button>
            </div>
          )}
        </div>
      ) : null}

      {start.busy ? <Spinner label="Starting the show…" /> : null}
      <ErrorNotice error={start.error} onDismiss={start.clearError} />
      {startError && startError.issues.length > 0 ? (
        <ul className="cr-issues">
          {startError.issues.map((issue) => (
            <li key={issue.path}>{issue.message}</li>
          ))}
        </ul>
      ) : null}

      <Dialog
        title="Start although checks failed?"
        open={confirmForce}
        onClose={() => setConfirmForce(false)}
      >
        <p>
          These checks failed: <strong>{failed.map((check) => check.label).join(', ')}</strong>. The show may
          go on air with the test pattern instead of a camera, or not reach a destination.
        </p>
        <div className="cr-row">
          <Button variant="danger" onClick={() => void goLive({ countdownSeconds: 0, force: true })}>
            Start anyway
          </Button>
          <Button className="cr-secondary" onClick={() => setConfirmForce(false)}>
            Cancel
          </Button>
        </div>
      </Dialog>
    </section>
  );
}
