// The control room (route "/"): what is on air and its preview, GO LIVE with the pre-flight
// checklist and a countdown, the live controls and overrides, and the open alerts. Everything
// follows the live feed (/api/live); nothing here polls.
import { useState } from 'react';
import type { LiveState } from '../../../../src/domain/live.ts';
import { api } from '../../api/client.ts';
import { useLive } from '../../app/live-context.ts';
import { useCan } from '../../app/session.ts';
import { AudioMeters } from './AudioMeters.tsx';
import {
  Button,
  Dialog,
  ErrorNotice,
  Link,
  Notice,
  PageHeader,
  Spinner,
  useAction,
} from '../../components/ui.tsx';
import './control-room.css';
import { DegradedBanner } from './DegradedBanner.tsx';
import { GoLivePanel } from './GoLive.tsx';
import { HealthGraphs } from './HealthGraphs.tsx';
import { OverridesPanel } from './Overrides.tsx';
import { Playhead, ProgramPreview } from './Preview.tsx';
import { ControlRoomShortcuts } from './Shortcuts.tsx';
import { useShowInfo } from './show-info.ts';
import { StatusPanel } from './Status.tsx';
import { StatusLine } from './StatusLine.tsx';
import { YouTubeBroadcasts } from './YouTubeBroadcasts.tsx'; // issue 17
import { RemediationText } from '../log/RemediationText.tsx';

type Alert = LiveState['alerts'][number];

function Alerts({ alerts }: { alerts: Alert[] }) {
  const action = useAction();
  const canOperate = useCan('operator');
  const open = alerts.filter((alert) => !alert.acknowledged);
  if (open.length === 0) return null;
  return (
    <section className="card cr-alerts" aria-labelledby="cr-alerts-title">
      <h2 id="cr-alerts-title">Alerts ({open.length})</h2>
      <ErrorNotice error={action.error} onDismiss={action.clearError} />
      <ul className="cr-list">
        {open.map((alert, index) => (
          <li key={alert.id ?? `${alert.code}-${index}`} className={`cr-alert cr-alert-${alert.severity}`}>
            <div>
              <span
                className={`badge ${alert.severity === 'info' ? 'badge-idle' : alert.severity === 'warning' ? 'badge-warn' : 'badge-error'}`}
              >
                {alert.severity}
              </span>{' '}
              <strong>{alert.message}</strong>
              <div className="cr-remedy">
                <RemediationText text={alert.remediation} />
              </div>
              <div className="hint cr-small">
                {new Date(alert.created_at).toLocaleString()}
                {alert.source ? ` · ${alert.source}` : ''}
              </div>
            </div>
            {alert.id !== null && canOperate ? (
              <Button
                className="cr-secondary"
                disabled={action.busy}
                aria-label={`Acknowledge: ${alert.message}`}
                onClick={() => void action.run(() => api.post(`/api/alerts/${alert.id}/acknowledge`))}
              >
                Acknowledge
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      <p className="hint cr-small">
        Earlier alerts are in the <Link to="/history">history</Link>.
      </p>
    </section>
  );
}

function Countdown({ live }: { live: LiveState }) {
  const action = useAction();
  const canOperate = useCan('operator');
  const seconds = live.countdown?.secondsLeft ?? 0;
  return (
    <section className="card cr-countdown" aria-labelledby="cr-countdown-title">
      <h2 id="cr-countdown-title">Going live in</h2>
      <div className="cr-countdown-number" role="timer" aria-live="polite" data-testid="countdown">
        {seconds} s
      </div>
      {canOperate ? (
        <Button
          variant="danger"
          busy={action.busy}
          onClick={() => void action.run(() => api.post('/api/show/stop'))}
        >
          Cancel the countdown
        </Button>
      ) : null}
      <ErrorNotice error={action.error} onDismiss={action.clearError} />
    </section>
  );
}

function LiveControls({
  live,
  confirmStop,
  setConfirmStop,
}: {
  live: LiveState;
  /** The stop confirmation (the S shortcut opens it too). */
  confirmStop: boolean;
  setConfirmStop: (open: boolean) => void;
}) {
  const show = live.show!;
  const action = useAction();
  return (
    <section className="card cr-controls" aria-labelledby="cr-controls-title">
      <h2 id="cr-controls-title">Show controls</h2>
      <div className="cr-row">
        {show.paused ? (
          <Button
            variant="primary"
            aria-keyshortcuts="Space P"
            busy={action.busy}
            onClick={() => void action.run(() => api.post('/api/show/resume'))}
          >
            Resume timeline
          </Button>
        ) : (
          <Button
            className="cr-secondary"
            aria-keyshortcuts="Space P"
            busy={action.busy}
            onClick={() => void action.run(() => api.post('/api/show/pause'))}
          >
            Pause timeline
          </Button>
        )}
        <Button
          variant="danger"
          aria-keyshortcuts="S"
          disabled={action.busy}
          onClick={() => setConfirmStop(true)}
        >
          Stop the show
        </Button>
      </div>
      <p className="hint cr-small">
        {show.paused
          ? 'The timeline is held: the stream goes on with the current picture and overlays.'
          : 'Pause holds the timeline; the stream keeps running.'}
      </p>
      <ErrorNotice error={action.error} onDismiss={action.clearError} />
      <Dialog title="Stop the show?" open={confirmStop} onClose={() => setConfirmStop(false)}>
        <p>
          “{show.timelineName}” goes off air and every destination stops receiving the stream. Viewers see the
          broadcast end.
        </p>
        <div className="cr-row">
          <Button
            variant="danger"
            onClick={() => {
              setConfirmStop(false);
              void action.run(() => api.post('/api/show/stop'));
            }}
          >
            Stop the show
          </Button>
          <Button className="cr-secondary" onClick={() => setConfirmStop(false)}>
            Keep streaming
          </Button>
        </div>
      </Dialog>
    </section>
  );
}

function outcomeText(outcome: string): string {
  if (outcome === 'stopped') return 'The last show was stopped.';
  if (outcome === 'completed') return 'The last show played to its end.';
  if (outcome === 'countdown cancelled') return 'The countdown was cancelled.';
  return `The last show ended: ${outcome.replace(/^error: /, 'error — ')}`;
}

export function ControlRoom() {
  const { state: live, connected } = useLive();
  const show = live?.show ?? null;
  const info = useShowInfo(show?.timelineId ?? null, show?.executionId ?? null);
  const realShow = live?.state === 'live' && show !== null && !show.demo;
  const demo = live?.state === 'live' && show?.demo === true;
  const [confirmStop, setConfirmStop] = useState(false);
  const emergency = useAction();
  // The appliance refuses a viewer's show control (403); the page does not offer it either.
  const canOperate = useCan('operator');

  return (
    <section className="control-room">
      <PageHeader title="Control room">
        {live && canOperate ? (
          <ControlRoomShortcuts
            live={live}
            cameras={info?.cameras ?? []}
            onStop={() => setConfirmStop(true)}
          />
        ) : null}
      </PageHeader>
      {live ? (
        <StatusLine
          live={live}
          emergencyBusy={emergency.busy}
          onEmergency={
            canOperate
              ? (on) => void emergency.run(() => api.post('/api/show/overrides/emergency', { on }))
              : undefined
          }
        />
      ) : null}
      <ErrorNotice error={emergency.error} onDismiss={emergency.clearError} />
      {realShow ? <DegradedBanner show={show} /> : null}
      {!connected ? (
        <div className="notice notice-warning" role="status">
          <span>
            <Spinner /> Connection lost — reconnecting… The figures on this page may be out of date.
          </span>
        </div>
      ) : null}
      {!live ? (
        <Spinner label="Reading the on-air state…" />
      ) : (
        <>
          {demo ? (
            <Notice kind="info">
              <span>
                <strong>Demo show running — GO LIVE replaces it.</strong> The appliance plays its built-in
                demo (generated test cameras) while no show of yours is on air.
              </span>
            </Notice>
          ) : null}
          {(live.state === 'idle' || demo) && live.lastOutcome ? (
            live.lastOutcome.startsWith('error') ? (
              <div className="notice notice-error" role="status">
                <span>{outcomeText(live.lastOutcome)}</span>
              </div>
            ) : (
              <Notice kind="info">{outcomeText(live.lastOutcome)}</Notice>
            )
          ) : null}
          <div className="cr-grid">
            <div className="cr-main">
              <ProgramPreview show={show} />
              {live.state === 'live' && show ? <AudioMeters key={show.executionId} /> : null}
              {show ? (
                <div className="card cr-playhead-card">
                  <Playhead show={show} info={info} />
                </div>
              ) : null}
              {show && (live.state === 'live' || live.state === 'stopping') ? (
                <>
                  <StatusPanel live={live} show={show} />
                  <YouTubeBroadcasts show={show} />
                </>
              ) : live.state === 'idle' ? (
                <section className="card" aria-label="Off air">
                  <h2>Off air</h2>
                  <p className="hint">Nothing is on air. Choose a timeline and press GO LIVE.</p>
                </section>
              ) : null}
              <HealthGraphs />
            </div>
            <div className="cr-side">
              <Alerts alerts={live.alerts} />
              {live.state === 'countdown' ? <Countdown live={live} /> : null}
              {live.state === 'starting' ? (
                <section className="card">
                  <Spinner label="Starting the show — connecting the cameras and destinations…" />
                </section>
              ) : null}
              {live.state === 'stopping' ? (
                <section className="card">
                  <Spinner label="Stopping the show…" />
                </section>
              ) : null}
              {canOperate &&
              (live.state === 'idle' || demo || live.state === 'starting' || live.state === 'countdown') ? (
                // Stays mounted during the countdown and the start: a cancelled countdown returns
                // to the checklist, and a failed start keeps its message here.
                <div hidden={live.state === 'starting' || live.state === 'countdown'}>
                  <GoLivePanel demoRunning={demo} />
                </div>
              ) : null}
              {realShow && canOperate ? (
                <>
                  <LiveControls live={live} confirmStop={confirmStop} setConfirmStop={setConfirmStop} />
                  <OverridesPanel show={show} cameras={info?.cameras} />
                </>
              ) : null}
            </div>
          </div>
        </>
      )}
    </section>
  );
}
