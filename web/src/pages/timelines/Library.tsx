// The timeline library: every stored show plan with what matters at a glance (length, loop, how
// many cues and cameras, when it last changed, whether it is on air), and the housekeeping:
// search, open, new, clone, import a file, export a file, delete.
import { useEffect, useMemo, useRef, useState, type ChangeEvent } from 'react';
import type { TimelineDocument } from '../../../../src/timeline/schema.ts';
import { api, ApiError, type ApiIssue } from '../../api/client.ts';
import { useLive } from '../../app/live-context.ts';
import { navigate } from '../../app/router.ts';
import { useCan } from '../../app/session.ts';
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog.tsx';
import { DataTable, EmptyState, ListStates } from '../../components/ListPage.tsx';
import { RowActions } from '../../components/RowActions.tsx';
import {
  Button,
  ErrorNotice,
  Field,
  Link,
  Notice,
  PageHeader,
  forgetItem,
  formatDuration,
  useAction,
  useLoad,
} from '../../components/ui.tsx';
import type { TimelineSummary } from '../../../../src/domain/views.ts';
import './library.css';

interface SavedTimeline extends TimelineSummary {
  warnings: ApiIssue[];
}

interface StoredTimeline {
  id: number;
  modified_at: string;
  document: TimelineDocument;
}

/** How many different cameras the video track shows. */
function camerasIn(document: TimelineDocument): number {
  const ids = new Set<number>();
  for (const cue of document.timeline.tracks.video.cues)
    if (cue.action === 'show_camera') ids.add(cue.params.camera_id);
  return ids.size;
}

/**
 * Camera counts are not in the summary: each document is read once (a few at a time, after the
 * list shows) and remembered by id and modification time.
 */
function useCameraCounts(timelines: TimelineSummary[] | null): Map<string, number> {
  const [counts, setCounts] = useState<Map<string, number>>(new Map());
  const known = useRef(new Set<string>());
  useEffect(() => {
    if (!timelines) return;
    const controller = new AbortController();
    const todo = timelines.filter((t) => !known.current.has(`${t.id}@${t.modified_at}`));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length && !controller.signal.aborted) {
        const summary = todo[next++]!;
        const key = `${summary.id}@${summary.modified_at}`;
        try {
          const stored = await api.get<StoredTimeline>(`/api/timelines/${summary.id}`, controller.signal);
          known.current.add(key);
          setCounts((previous) => new Map(previous).set(key, camerasIn(stored.document)));
        } catch {
          // A count is a nicety: a timeline deleted meanwhile, or a failed read, shows "…".
        }
      }
    };
    void Promise.all([worker(), worker(), worker()]);
    return () => controller.abort();
  }, [timelines]);
  return counts;
}

function formatWhen(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function IssueList({ issues }: { issues: ApiIssue[] }) {
  if (issues.length === 0) return null;
  return (
    <ul className="issue-list" aria-label="Problems found">
      {issues.map((issue, index) => (
        <li key={`${issue.path}-${index}`}>
          <code>{issue.path}</code> {issue.message}
        </li>
      ))}
    </ul>
  );
}

export function Library() {
  const list = useLoad((signal) => api.get<TimelineSummary[]>('/api/timelines', signal));
  const live = useLive();
  const cameraCounts = useCameraCounts(list.data);
  const [query, setQuery] = useState('');
  const [done, setDone] = useState<{ text: string; warnings: ApiIssue[] } | null>(null);
  const action = useAction();
  const removal = useConfirmation<TimelineSummary>();
  const fileInput = useRef<HTMLInputElement>(null);
  /** Making and removing timelines is show work (operator); a viewer opens and exports. */
  const canEdit = useCan('operator');

  const onAirId =
    live.state && live.state.state !== 'idle' && live.state.show ? live.state.show.timelineId : null;

  const shown = useMemo(() => {
    const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
    return (list.data ?? []).filter((timeline) => {
      const text = `${timeline.name} ${timeline.description ?? ''}`.toLowerCase();
      return words.every((word) => text.includes(word));
    });
  }, [list.data, query]);

  const clone = async (timeline: TimelineSummary): Promise<void> => {
    setDone(null);
    const copy = await action.run(() => api.post<TimelineSummary>(`/api/timelines/${timeline.id}/clone`));
    if (copy) {
      setDone({ text: `Copied “${timeline.name}” as “${copy.name}”.`, warnings: [] });
      list.reload();
    }
  };

  const importFile = async (event: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const file = event.target.files?.[0];
    event.target.value = ''; // choosing the same file again (after fixing it) imports again
    if (!file) return;
    setDone(null);
    const form = new FormData();
    form.append('file', file);
    const saved = await action.run(() => api.post<SavedTimeline>('/api/timelines/import', form));
    if (saved) {
      setDone({ text: `Imported “${saved.name}” from ${file.name}.`, warnings: saved.warnings });
      list.reload();
    }
  };

  const remove = async (timeline: TimelineSummary): Promise<void> => {
    await api.delete(`/api/timelines/${timeline.id}`);
    setDone({ text: `Deleted “${timeline.name}”.`, warnings: [] });
    forgetItem(list, timeline.id);
  };

  return (
    <section className="library">
      <PageHeader title="Timelines">
        {canEdit ? (
          <>
            <Button onClick={() => fileInput.current?.click()} busy={action.busy}>
              Import from file…
            </Button>
            <Button onClick={() => navigate('/timelines/new')}>New timeline</Button>
            <Button variant="primary" onClick={() => navigate('/timelines/quick-show')}>
              New looping show
            </Button>
          </>
        ) : null}
      </PageHeader>
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json"
        className="visually-hidden"
        aria-label="Timeline file to import"
        tabIndex={-1}
        onChange={(event) => void importFile(event)}
      />

      {action.error ? (
        <div className="error-block">
          <ErrorNotice error={action.error} onDismiss={action.clearError} />
          {action.error instanceof ApiError ? <IssueList issues={action.error.issues} /> : null}
        </div>
      ) : null}
      {done ? (
        <Notice kind={done.warnings.length > 0 ? 'warning' : 'success'}>
          <div>
            <strong>{done.text}</strong>
            {done.warnings.length > 0 ? (
              <>
                <p>Saved, but check these before going live:</p>
                <IssueList issues={done.warnings} />
              </>
            ) : null}
          </div>
        </Notice>
      ) : null}
      <ErrorNotice error={list.error} />

      <ListStates
        rows={list.data}
        loading={list.loading}
        loadingLabel="Loading the timelines…"
        empty={
          <EmptyState
            title="No timelines yet"
            actions={
              canEdit ? (
                <div className="page-actions">
                  <Button variant="primary" onClick={() => navigate('/timelines/quick-show')}>
                    New looping show
                  </Button>
                  <Button onClick={() => navigate('/timelines/new')}>New timeline</Button>
                  <Button onClick={() => fileInput.current?.click()} busy={action.busy}>
                    Import from file…
                  </Button>
                </div>
              ) : null
            }
          >
            A timeline is the plan of a show: which camera or video is on air when, with the titles, logos and
            clocks shown over it. <strong>New looping show</strong> makes the usual one in a few clicks (your
            cameras in turn, a lower third now and then, a clock); <strong>New timeline</strong> opens the
            builder (drag cameras onto the lanes, then save); or bring a <code>.json</code> file exported from
            another VistterStream.
          </EmptyState>
        }
      >
        {(timelines) => (
          <>
            <div className="library-toolbar">
              <Field
                label="Search timelines"
                type="search"
                value={query}
                placeholder="Name or description"
                onChange={(event) => setQuery(event.target.value)}
              />
              <span className="hint" aria-live="polite">
                {shown.length === timelines.length
                  ? `${timelines.length} timeline${timelines.length === 1 ? '' : 's'}`
                  : `${shown.length} of ${timelines.length} shown`}
              </span>
            </div>
            {shown.length === 0 ? (
              <p className="hint">No timeline matches “{query}”.</p>
            ) : (
              <DataTable
                className="library-table"
                label="Timelines"
                columns={[
                  'Name',
                  'Length',
                  'Loops',
                  'Cues',
                  'Cameras',
                  'Last changed',
                  <span className="visually-hidden">Actions</span>,
                ]}
              >
                {shown.map((timeline) => {
                  const cameras = cameraCounts.get(`${timeline.id}@${timeline.modified_at}`);
                  const onAir = timeline.id === onAirId;
                  return (
                    <tr key={timeline.id} data-testid={`timeline-${timeline.id}`}>
                      <td>
                        <div className="library-name">
                          <Link to={`/timelines/${timeline.id}`}>{timeline.name}</Link>
                          {onAir ? <span className="badge badge-live">ON AIR</span> : null}
                        </div>
                        {timeline.description ? (
                          <div className="hint library-description">{timeline.description}</div>
                        ) : null}
                      </td>
                      <td>{formatDuration(timeline.duration)}</td>
                      <td>{timeline.loop ? 'Yes' : 'No'}</td>
                      <td>
                        {timeline.cues}
                        {timeline.overlay_tracks > 0 ? (
                          <span className="hint">
                            {' '}
                            · {timeline.overlay_tracks} overlay track
                            {timeline.overlay_tracks === 1 ? '' : 's'}
                          </span>
                        ) : null}
                      </td>
                      <td>{cameras ?? '…'}</td>
                      <td>{formatWhen(timeline.modified_at)}</td>
                      <td>
                        <RowActions>
                          <Button
                            onClick={() => navigate(`/timelines/${timeline.id}`)}
                            aria-label={`Open ${timeline.name}`}
                          >
                            Open
                          </Button>
                          {canEdit ? (
                            <Button
                              onClick={() => void clone(timeline)}
                              disabled={action.busy}
                              aria-label={`Clone ${timeline.name}`}
                            >
                              Clone
                            </Button>
                          ) : null}
                          <a
                            className="btn btn-plain"
                            href={`/api/timelines/${timeline.id}/export`}
                            download
                            aria-label={`Export ${timeline.name}`}
                          >
                            Export
                          </a>
                          {canEdit ? (
                            <Button
                              variant="plain"
                              className="danger-text"
                              onClick={() => removal.ask(timeline)}
                              aria-label={`Delete ${timeline.name}`}
                            >
                              Delete
                            </Button>
                          ) : null}
                        </RowActions>
                      </td>
                    </tr>
                  );
                })}
              </DataTable>
            )}
          </>
        )}
      </ListStates>

      <ConfirmDialog
        title={removal.target ? `Delete “${removal.target.name}”?` : 'Delete timeline?'}
        open={removal.target !== null}
        confirmLabel="Delete timeline"
        busy={removal.busy}
        error={removal.error}
        onConfirm={() => void removal.confirm(remove)}
        onClose={removal.close}
      >
        <p>
          The timeline is removed from this appliance for good. Export it first if you may want it back.
          Cameras, media and destinations are not touched.
        </p>
      </ConfirmDialog>
    </section>
  );
}
