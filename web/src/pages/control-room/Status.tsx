// The status panel of the show on air (spec "Live Controls"): the status line's sentence, timeline, position,
// the camera scheduled and the one really on air, overlays with time left, each destination
// with its state and last error, the figures (bitrate, fps, CPU, temperature), the picture
// quality degraded mode keeps (Quality.tsx) and the health warnings. Everything comes from the
// live feed.
import type { LiveShow, LiveState } from '../../../../src/domain/live.ts';
import { formatDuration } from '../../components/ui.tsx';
import { QualityPanel } from './Quality.tsx';
import { RemediationText } from '../log/RemediationText.tsx';

type Output = LiveShow['outputs'][number];

const OUTPUT_STATE: Record<Output['state'], string> = {
  connecting: 'Connecting',
  live: 'Live',
  retrying: 'Retrying',
  failing: 'Failing',
  stopped: 'Stopped',
};

const OVERLAY_TYPE: Record<string, string> = {
  text: 'Text',
  lower_third: 'Lower third',
  dynamic_text: 'Live text',
  image: 'Image',
  logo: 'Logo',
};

export function overlayTypeLabel(type: string): string {
  return OVERLAY_TYPE[type] ?? type;
}

function secondsUntil(iso: string, now: string): number {
  return Math.max(0, Math.round((Date.parse(iso) - Date.parse(now)) / 1000));
}

function mbps(kbps: number | null): string {
  return kbps === null ? '—' : `${(kbps / 1000).toFixed(kbps >= 10_000 ? 0 : 1)} Mbps`;
}

function percent(value: number | null): string {
  return value === null ? '—' : `${Math.round(value)} %`;
}

function Figure({ label, value, warn }: { label: string; value: string; warn?: boolean }) {
  return (
    <div className={`cr-figure${warn ? ' cr-figure-warn' : ''}`}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

export function OutputRow({ output, now }: { output: Output; now: string }) {
  const good = output.state === 'live';
  return (
    <li className={`cr-output cr-output-${output.state}`} data-testid="output" data-state={output.state}>
      <div className="cr-output-head">
        <span className={`cr-tick ${good ? 'cr-tick-ok' : 'cr-tick-bad'}`} aria-hidden="true">
          {good ? '✓' : output.state === 'connecting' ? '…' : '✗'}
        </span>
        <strong>{output.name}</strong>
        <span
          className={`badge ${good ? 'badge-ok' : output.state === 'connecting' ? 'badge-idle' : 'badge-error'}`}
        >
          {OUTPUT_STATE[output.state]}
        </span>
        {output.bitrateKbps !== null ? <span className="hint">{mbps(output.bitrateKbps)}</span> : null}
      </div>
      {output.lastError && !good ? (
        <div className="cr-output-error">
          <div>{output.lastError.message}</div>
          <div className="cr-remedy">
            <RemediationText text={output.lastError.remediation} />
          </div>
          {output.nextRetryAt ? (
            <div className="hint">Next try in {formatDuration(secondsUntil(output.nextRetryAt, now))}.</div>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

export function StatusPanel({ live, show }: { live: LiveState; show: LiveShow }) {
  const { metrics, health } = live;
  const elapsed = Math.max(0, (Date.parse(live.at) - Date.parse(show.startedAt)) / 1000);
  const { scheduled, onAir, note } = show.camera;
  const differs = scheduled?.label !== onAir?.label;
  const emergency = show.overrides.emergency;
  const destinations = show.outputs.filter((o) => o.kind === 'destination');
  const others = show.outputs.filter((o) => o.kind !== 'destination');
  const temperature = metrics?.cpuTemperatureC ?? null;
  return (
    <section className="card cr-status" aria-labelledby="cr-status-title" data-testid="status-panel">
      <div className="cr-status-head">
        <span
          className={`badge cr-big-badge ${show.demo || show.broadcast.tone === 'preview' ? 'badge-idle' : show.broadcast.delivering > 0 ? 'badge-live' : show.broadcast.tone === 'down' ? 'badge-error' : 'badge-warn'}`}
          data-testid="live-badge"
        >
          {show.demo ? 'DEMO' : show.broadcast.sentence}
        </span>
        <h2 id="cr-status-title" className="cr-status-title">
          <span className="hint">Timeline:</span> <span data-testid="timeline-name">{show.timelineName}</span>
        </h2>
        {show.paused ? <span className="badge badge-warn">Timeline paused</span> : null}
      </div>
      <p className="cr-small hint">
        On air for <strong className="cr-text">{formatDuration(elapsed)}</strong> · position{' '}
        {formatDuration(show.position.seconds)} / {formatDuration(show.position.durationSeconds)}
        {show.position.loop ? ` · loop ${show.position.iteration + 1}` : ''} · encoder {show.encoder}
      </p>

      <div className={`cr-camera${emergency ? ' cr-camera-emergency' : ''}`}>
        <div>
          <span className="hint">On air</span>
          <div className="cr-camera-name" data-testid="on-air">
            {onAir?.label ?? '—'}
          </div>
        </div>
        <div>
          <span className="hint">Scheduled</span>
          <div className="cr-camera-scheduled" data-testid="scheduled">
            {scheduled?.label ?? '—'}
          </div>
        </div>
        {note || differs ? (
          <p className="cr-camera-note" data-testid="camera-note">
            {note ?? 'The camera on air is not the one the timeline schedules.'}
          </p>
        ) : null}
      </div>

      <h3>Overlays on air</h3>
      {show.overlays.length === 0 ? (
        <p className="hint">None right now.</p>
      ) : (
        <ul className="cr-list">
          {show.overlays.map((overlay) => (
            <li key={overlay.cueId}>
              {overlayTypeLabel(overlay.type)}
              {overlay.text ? <> “{overlay.text}”</> : null}{' '}
              <span className="hint">({formatDuration(overlay.secondsLeft)} left)</span>
            </li>
          ))}
        </ul>
      )}

      <h3>Destinations</h3>
      {destinations.length === 0 ? (
        <p className="hint">None — this show is a preview only; nothing is streamed.</p>
      ) : (
        <ul className="cr-list cr-outputs" aria-label="Destinations">
          {destinations.map((output) => (
            <OutputRow key={output.id} output={output} now={live.at} />
          ))}
        </ul>
      )}
      {others.length > 0 ? <h3 className="cr-subhead">On the appliance</h3> : null}
      {others.length > 0 ? (
        <ul className="cr-list cr-outputs cr-outputs-local" aria-label="On the appliance">
          {others.map((output) => (
            <OutputRow key={output.id} output={output} now={live.at} />
          ))}
        </ul>
      ) : null}

      <h3>Stream</h3>
      <dl className="cr-figures">
        <Figure
          label="Bitrate"
          value={
            metrics ? `${mbps(metrics.bitrateKbps.current)} of ${mbps(metrics.bitrateKbps.target)}` : '—'
          }
        />
        <Figure
          label="Frame rate"
          value={
            metrics
              ? `${metrics.fps.actual === null ? '—' : metrics.fps.actual.toFixed(1)} of ${metrics.fps.target} fps`
              : '—'
          }
          warn={
            metrics !== null && metrics.fps.actual !== null && metrics.fps.actual < metrics.fps.target * 0.9
          }
        />
        <Figure
          label="CPU"
          value={
            metrics
              ? `${percent(metrics.systemCpuPercent)} (encoder ${percent(metrics.encoderCpuPercent)})`
              : '—'
          }
          warn={(metrics?.systemCpuPercent ?? 0) > 90}
        />
        <Figure
          label="Temperature"
          value={temperature === null ? '—' : `${Math.round(temperature)} °C`}
          warn={temperature !== null && temperature >= 80}
        />
        <Figure label="Dropped frames" value={metrics ? String(metrics.droppedFrames) : '—'} />
      </dl>

      <QualityPanel show={show} />

      {health && (health.warnings.length > 0 || health.errors.length > 0) ? (
        <div
          className={`notice ${health.status === 'unhealthy' ? 'notice-error' : 'notice-warning'}`}
          role="status"
        >
          <div>
            <strong>Health: {health.status}</strong>
            <ul className="cr-list">
              {[...health.errors, ...health.warnings].map((text) => (
                <li key={text}>
                  <RemediationText text={text} />
                </li>
              ))}
            </ul>
          </div>
        </div>
      ) : health ? (
        <p className="hint cr-small">Health: {health.status}.</p>
      ) : null}
    </section>
  );
}
