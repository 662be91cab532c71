// The Time-lapse page: every day's video with a player, "Make today's so far" with its progress,
// and the settings. GET /api/timelapses answers the list, today's snapshots and the encode under
// way; the page asks again every few seconds while an encode runs.
import { useEffect, useState } from 'react';
import type { TimelapseItem, TimelapseJob, TimelapseOverview } from '../../../../src/domain/timelapse.ts';
import { api } from '../../api/client.ts';
import { useCan } from '../../app/session.ts';
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog.tsx';
import {
  Button,
  ErrorNotice,
  Notice,
  PageHeader,
  Spinner,
  useAction,
  useLoad,
} from '../../components/ui.tsx';
import { TimelapseSettingsCard } from './TimelapseSettingsCard.tsx';
import './timelapse.css';

const WORKING: ReadonlySet<TimelapseJob['state']> = new Set(['waiting', 'encoding', 'paused']);

function formatDay(day: string): string {
  const date = new Date(`${day}T12:00:00`);
  return Number.isNaN(date.getTime())
    ? day
    : date.toLocaleDateString(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
}

function describeItem(item: TimelapseItem): string {
  const parts = [
    item.seconds !== null ? `${item.seconds} s` : null,
    item.frames !== null && item.fps !== null ? `${item.frames} snapshots at ${item.fps} fps` : null,
    item.width !== null && item.height !== null ? `${item.width}×${item.height}` : null,
    formatBytes(item.bytes),
    `made ${new Date(item.madeAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}`,
  ];
  return parts.filter((part) => part !== null).join(' · ');
}

function JobProgress({ job }: { job: TimelapseJob }) {
  if (job.state === 'idle' || job.day === null) return null;
  if (job.state === 'failed')
    return (
      <div className="notice notice-error" role="alert">
        <div>
          <strong>The time-lapse of {job.day} was not made.</strong>
          <p>
            {sentence(job.message ?? 'the encode failed')} The snapshots are kept; it is tried again later.
          </p>
        </div>
      </div>
    );
  if (job.state === 'done')
    return <Notice kind="success">{sentence(job.message ?? `made the time-lapse of ${job.day}`)}</Notice>;
  const percent =
    job.framesTotal > 0 ? Math.min(100, Math.round((job.framesDone / job.framesTotal) * 100)) : 0;
  const words =
    job.state === 'waiting'
      ? `Waiting to make the time-lapse of ${job.day}: ${job.message?.replace(/^waiting: /, '') ?? 'the show needs the machine'}.`
      : job.state === 'paused'
        ? `Paused at ${percent} %: ${job.message?.replace(/^paused: /, '') ?? 'the show needs the machine'}.`
        : `Making the time-lapse of ${job.day}: ${job.framesDone} of ${job.framesTotal} snapshots (${percent} %).`;
  return (
    <div className="timelapse-progress" role="status">
      <span>{words}</span>
      <progress max={100} value={percent} aria-label={`Time-lapse of ${job.day}: ${percent} % made`} />
    </div>
  );
}

export function Timelapse() {
  const canMake = useCan('operator');
  const canDelete = useCan('admin');
  const overview = useLoad((signal) => api.get<TimelapseOverview>('/api/timelapses', signal));
  const make = useAction();
  const removal = useConfirmation<TimelapseItem>();
  /** The encode this page asked for: its progress and outcome are shown (not an older one's). */
  const [askedRun, setAskedRun] = useState<number | null>(null);
  const data = overview.data;
  const working = data !== null && WORKING.has(data.job.state);
  const ours = askedRun !== null && data !== null && data.job.run >= askedRun;
  // Asked, but the list still shows the state from before the request: ask again soon.
  const stale = askedRun !== null && !ours;

  // Every 2 s while an encode runs (its progress), else every 15 s (today's snapshot count).
  useEffect(() => {
    const timer = window.setTimeout(overview.reload, working || stale ? 2000 : 15_000);
    return () => window.clearTimeout(timer);
  }, [overview.reload, working, stale, data]);

  const makeNow = async (): Promise<void> => {
    const answer = await make.run(() => api.post<{ job: TimelapseJob }>('/api/timelapses/make-now'));
    if (answer !== undefined) setAskedRun(answer.job.run);
    overview.reload();
  };

  return (
    <section className="timelapse-page">
      <PageHeader title="Time-lapse">
        {canMake ? (
          <Button variant="primary" busy={make.busy} disabled={working} onClick={() => void makeNow()}>
            Make today’s so far
          </Button>
        ) : null}
      </PageHeader>
      <p className="timelapse-intro">
        While a show is on air the appliance takes a snapshot of the program at a set interval; after midnight
        each day’s snapshots become one video, kept with the recordings.
      </p>
      <ErrorNotice error={make.error} onDismiss={make.clearError} />
      {overview.error && !data ? <ErrorNotice error={overview.error} /> : null}
      {!data && !overview.error ? <Spinner label="Loading the time-lapses…" /> : null}
      {data ? (
        <>
          <p className="timelapse-today" data-testid="timelapse-today">
            {data.settings.enabled
              ? `Today (${data.today.day}): ${data.today.snapshots} snapshot${data.today.snapshots === 1 ? '' : 's'} so far, one every ${data.settings.interval_seconds} s while a show is on air.`
              : `The time-lapse is off: no snapshots are taken. Turn it on in the settings below.`}
          </p>
          {ours || working || data.job.state === 'failed' ? <JobProgress job={data.job} /> : null}
          <section aria-labelledby="timelapse-videos-title" className="timelapse-videos">
            <h2 id="timelapse-videos-title">Videos</h2>
            {data.items.length === 0 ? (
              <p className="timelapse-empty">
                No time-lapse yet. The first one is made after the first day with snapshots ends, or now with
                “Make today’s so far”.
              </p>
            ) : (
              <ul className="timelapse-list">
                {data.items.map((item) => (
                  <li key={item.day} className="card timelapse-item">
                    <h3>
                      {formatDay(item.day)}
                      {item.complete ? null : <span className="timelapse-sofar"> (so far)</span>}
                    </h3>
                    <video
                      controls
                      preload="metadata"
                      src={`/api/timelapses/${item.day}/video?v=${encodeURIComponent(item.madeAt)}`}
                      aria-label={`Time-lapse of ${item.day}`}
                    />
                    <p className="timelapse-facts">{describeItem(item)}</p>
                    <div className="timelapse-actions">
                      <a
                        className="btn btn-plain"
                        href={`/api/timelapses/${item.day}/video`}
                        download={`timelapse-${item.day}.mp4`}
                      >
                        Download<span className="visually-hidden"> {item.day}</span>
                      </a>
                      {canDelete ? (
                        <Button variant="danger" onClick={() => removal.ask(item)}>
                          Delete<span className="visually-hidden"> {item.day}</span>
                        </Button>
                      ) : null}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <TimelapseSettingsCard saved={data.settings} onChanged={overview.reload} />
        </>
      ) : null}
      <ConfirmDialog
        title="Delete this time-lapse?"
        open={removal.target !== null}
        confirmLabel="Delete"
        busy={removal.busy}
        error={removal.error}
        onClose={removal.close}
        onConfirm={() =>
          void removal.confirm(async (item) => {
            await api.delete(`/api/timelapses/${item.day}`);
            overview.reload();
          })
        }
      >
        <p>The video of {removal.target ? formatDay(removal.target.day) : ''} is removed for good.</p>
      </ConfirmDialog>
    </section>
  );
}
