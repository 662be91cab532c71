// The control room's health over the last hour: bitrate, frame rate, dropped frames, CPU and
// reconnects as small graphs, one sample per 10 s from the appliance's history (kept across a
// restart). A gap in a line is time without a show on air (or without the appliance), never a
// zero. Each graph has a sentence for screen readers with the latest value and the range.
import { useEffect, useState } from 'react';
import type { HealthHistory } from '../../../../src/domain/health-history.ts';
import { api, describeError } from '../../api/client.ts';
import './health-graphs.css';
import {
  describeGraph,
  graphModel,
  HEALTH_METRICS,
  latestText,
  pathOf,
  rangeText,
  type GraphModel,
} from './health-graphs-model.ts';

const MINUTES = 60;
/** As often as a new sample can arrive. */
const REFRESH_MS = 10_000;
const WIDTH = 240;
const HEIGHT = 48;

function useHealthHistory(): { history: HealthHistory | null; error: unknown } {
  const [history, setHistory] = useState<HealthHistory | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let controller: AbortController | null = null;
    let closed = false;
    const load = () => {
      controller?.abort();
      const current = new AbortController();
      controller = current;
      api
        .get<HealthHistory>(`/api/health/history?minutes=${MINUTES}`, current.signal)
        .then((answer) => {
          if (closed) return;
          setHistory(answer);
          setError(null);
        })
        .catch((failure: unknown) => {
          if (closed || (failure instanceof DOMException && failure.name === 'AbortError')) return;
          setError(failure);
        });
    };
    load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => {
      closed = true;
      controller?.abort();
      window.clearInterval(timer);
    };
  }, []);
  return { history, error };
}

function Graph({ model }: { model: GraphModel }) {
  const { spec } = model;
  const id = `hg-${spec.metric}`;
  return (
    <figure className="hg-graph" aria-labelledby={`${id}-title`}>
      <figcaption className="hg-head">
        <span id={`${id}-title`} className="hg-title">
          {spec.title}
        </span>
        <span className="hg-now" data-testid={`${id}-now`}>
          {latestText(model)}
        </span>
      </figcaption>
      <div className="hg-plot">
        <span className="hg-ymax" aria-hidden="true">
          {model.scaleMax.toLocaleString('en-GB')}
        </span>
        <svg
          className="hg-svg"
          role="img"
          aria-label={describeGraph(model, MINUTES)}
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
        >
          <line className="hg-grid" x1={0} y1={HEIGHT / 2} x2={WIDTH} y2={HEIGHT / 2} />
          <line className="hg-base" x1={0} y1={HEIGHT} x2={WIDTH} y2={HEIGHT} />
          <path className={`hg-line hg-line-${spec.metric}`} d={pathOf(model, WIDTH, HEIGHT)} />
        </svg>
      </div>
      <div className="hg-axis" aria-hidden="true">
        <span>−{MINUTES} min</span>
        <span>−{MINUTES / 2} min</span>
        <span>now</span>
      </div>
      <div className="hg-range">{rangeText(model, MINUTES)}</div>
    </figure>
  );
}

export function HealthGraphs() {
  const { history, error } = useHealthHistory();
  return (
    <section className="card hg-card" aria-labelledby="hg-title">
      <h2 id="hg-title">Health, last hour</h2>
      <p className="hint cr-small">
        One point per 10 s; a break in a line is time with no show on air.
        {error ? <span className="hg-error"> Could not refresh: {describeError(error).message}</span> : null}
      </p>
      {history ? (
        <div className="hg-grid-list">
          {HEALTH_METRICS.map((spec) => (
            <Graph key={spec.metric} model={graphModel(history, spec)} />
          ))}
        </div>
      ) : error ? null : (
        <p className="hint">Reading the last hour…</p>
      )}
    </section>
  );
}
