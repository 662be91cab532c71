// Schedules: shows that start and stop by themselves. Each schedule is a weekly window in the
// appliance's time zone with timelines played in order (looping until the window ends) and the
// destinations to stream to. The list shows the next runs in the appliance's local time.
import { useState } from 'react';
import type {
  ScheduleDetails,
  ScheduleEvent,
  ScheduleRun,
  ScheduleSunSkip,
} from '../../../../src/domain/schedule.ts';
import { api } from '../../api/client.ts';
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog.tsx';
import { DataTable, EditorCard, EmptyState, ListStates } from '../../components/ListPage.tsx';
import { useCan } from '../../app/session.ts';
import { EditDeleteActions } from '../../components/RowActions.tsx';
import { Button, ErrorNotice, forgetItem, Notice, PageHeader, useLoad } from '../../components/ui.tsx';
import { ScheduleForm, type Choice } from './ScheduleForm.tsx';
import { DAY_LABELS, describeEdge, formatRun, formatSunSkip } from './schedule-format.ts';
import '../../components/forms.css';
import './schedules.css';

type Editing = { kind: 'new' } | { kind: 'edit'; schedule: ScheduleDetails } | null;

const EVENT_LABELS: Record<ScheduleEvent['kind'], string> = {
  started: 'Started',
  next_timeline: 'Next timeline',
  stopped: 'Stopped',
  completed: 'Finished',
  skipped: 'Skipped',
  failed: 'Failed',
  operator_stopped: 'Stopped by the operator',
  resumed: 'Resumed after a restart',
};

function describeDays(days: readonly string[]): string {
  if (days.length === 7) return 'Every day';
  const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];
  if (days.length === 5 && weekdays.every((d) => days.includes(d))) return 'Weekdays';
  if (days.length === 2 && days.includes('sat') && days.includes('sun')) return 'Weekends';
  return DAY_LABELS.filter((d) => days.includes(d.id))
    .map((d) => d.short)
    .join(', ');
}

function NextRuns({
  runs,
  skips,
  zone,
}: {
  runs: readonly ScheduleRun[];
  skips: readonly ScheduleSunSkip[];
  zone: string;
}) {
  if (runs.length === 0 && skips.length === 0) return <span className="muted">No upcoming runs</span>;
  // The days the sun leaves out, in date order among the runs (a run keyed by its local date).
  const entries = [
    ...runs.map((run) => ({ date: run.date, key: run.start, run })),
    ...skips.map((skip) => ({ date: skip.date, key: `skip-${skip.date}`, skip })),
  ].sort((a, b) => a.date.localeCompare(b.date));
  return (
    <ul className="next-runs">
      {entries.slice(0, Math.max(runs.length, 3)).map((entry) =>
        'run' in entry ? (
          <li key={entry.key}>
            {entry.run.onAirNow ? <span className="badge badge-live">Now</span> : null}{' '}
            {formatRun(entry.run, zone)}
          </li>
        ) : (
          <li key={entry.key} className="sun-skip">
            {formatSunSkip(entry.skip)}
          </li>
        ),
      )}
    </ul>
  );
}

export function Schedules() {
  const schedules = useLoad((signal) => api.get<ScheduleDetails[]>('/api/schedules', signal));
  const timelines = useLoad((signal) => api.get<Choice[]>('/api/timelines', signal));
  const destinations = useLoad((signal) => api.get<Choice[]>('/api/destinations', signal));
  const timeZone = useLoad((signal) => api.get<{ time_zone: string }>('/api/schedules/time-zone', signal));
  const [editing, setEditing] = useState<Editing>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const removal = useConfirmation<ScheduleDetails>();
  /** Schedules are show work (operator); a viewer reads them. */
  const canEdit = useCan('operator');

  const list = schedules.data ?? [];
  const zone = timeZone.data?.time_zone ?? list[0]?.time_zone ?? null;
  const timelineName = (id: number) => timelines.data?.find((t) => t.id === id)?.name ?? `Timeline ${id}`;
  const destinationName = (id: number) =>
    destinations.data?.find((d) => d.id === id)?.name ?? `Destination ${id}`;
  const ready = timelines.data !== null && destinations.data !== null;

  const editorKey = editing === null ? null : editing.kind === 'new' ? 'new' : editing.schedule.id;

  const open = (next: Editing): void => {
    setNotice(null);
    setEditing(next);
  };

  const remove = async (schedule: ScheduleDetails): Promise<void> => {
    await api.delete(`/api/schedules/${schedule.id}`);
    if (editing?.kind === 'edit' && editing.schedule.id === schedule.id) setEditing(null);
    setNotice(`Schedule “${schedule.name}” deleted.`);
    forgetItem(schedules, schedule.id);
  };

  return (
    <section className="schedules-page">
      <PageHeader title="Schedules">
        {canEdit ? (
          <Button variant="primary" onClick={() => open({ kind: 'new' })} disabled={!ready}>
            Add schedule
          </Button>
        ) : null}
      </PageHeader>
      <p className="intro">
        Shows that go on air and off by themselves, every day or on the days you choose. A schedule never
        interrupts a show you started yourself.
        {zone ? (
          <>
            {' '}
            Times are in the appliance’s time zone, <strong>{zone}</strong>.
          </>
        ) : null}
      </p>

      <ErrorNotice error={schedules.error ?? timelines.error ?? destinations.error} />
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <ListStates
        rows={schedules.data}
        loading={schedules.loading}
        loadingLabel="Loading schedules…"
        empty={
          editing === null ? (
            <EmptyState
              title="No schedules yet"
              actions={
                canEdit ? (
                  <Button variant="primary" onClick={() => open({ kind: 'new' })} disabled={!ready}>
                    Add your first schedule
                  </Button>
                ) : null
              }
            >
              {canEdit
                ? 'Add one to put a timeline on air at set times, for example every morning from 7:00 to 19:00.'
                : 'An operator adds schedules that put a timeline on air at set times.'}
            </EmptyState>
          ) : null
        }
      >
        {(rows) => (
          <DataTable
            className="schedules-table"
            columns={['Schedule', 'When', 'Plays', 'Next runs', 'Last', ...(canEdit ? ['Actions'] : [])]}
          >
            {rows.map((schedule) => (
              <tr
                key={schedule.id}
                className={
                  editing?.kind === 'edit' && editing.schedule.id === schedule.id ? 'selected' : undefined
                }
              >
                <td>
                  <strong>{schedule.name}</strong>
                  <div>
                    {schedule.on_air ? <span className="badge badge-live">On air</span> : null}
                    {!schedule.enabled ? <span className="badge badge-idle">Off</span> : null}
                  </div>
                </td>
                <td>
                  {describeDays(schedule.days)}
                  <br />
                  {describeEdge(schedule.start_time)}
                  {typeof schedule.start_time === 'string' && typeof schedule.end_time === 'string'
                    ? '–'
                    : ' – '}
                  {describeEdge(schedule.end_time)}
                  {typeof schedule.start_time === 'string' &&
                  typeof schedule.end_time === 'string' &&
                  schedule.end_time <= schedule.start_time
                    ? ' (next day)'
                    : ''}
                </td>
                <td>
                  <ol className="plays">
                    {schedule.timeline_ids.map((id, index) => (
                      <li key={`${id}-${index}`}>{timelineName(id)}</li>
                    ))}
                  </ol>
                  <small className="muted">
                    {schedule.destination_ids.length > 0
                      ? `to ${schedule.destination_ids.map(destinationName).join(', ')}`
                      : 'Preview only (no destination)'}
                  </small>
                </td>
                <td>
                  <NextRuns runs={schedule.next_runs} skips={schedule.sun_skips} zone={schedule.time_zone} />
                </td>
                <td>
                  {schedule.last_event ? (
                    <span title={schedule.last_event.detail ?? undefined}>
                      {EVENT_LABELS[schedule.last_event.kind]}
                      <br />
                      <small className="muted">
                        {new Date(schedule.last_event.at).toLocaleString(undefined, {
                          timeZone: schedule.time_zone,
                          dateStyle: 'medium',
                          timeStyle: 'short',
                        })}
                      </small>
                    </span>
                  ) : (
                    <span className="muted">Not run yet</span>
                  )}
                </td>
                {canEdit ? (
                  <td>
                    <EditDeleteActions
                      name={schedule.name}
                      onEdit={() => open({ kind: 'edit', schedule })}
                      editDisabled={!ready}
                      onDelete={() => removal.ask(schedule)}
                    />
                  </td>
                ) : null}
              </tr>
            ))}
          </DataTable>
        )}
      </ListStates>

      {canEdit && editing !== null && timelines.data && destinations.data ? (
        <EditorCard
          className="schedule-editor"
          title={editing.kind === 'new' ? 'New schedule' : `Edit “${editing.schedule.name}”`}
          revealKey={editorKey ?? 'none'}
        >
          <ScheduleForm
            key={editorKey ?? 'none'}
            schedule={editing.kind === 'edit' ? editing.schedule : null}
            timelines={timelines.data}
            destinations={destinations.data}
            zone={zone}
            onCancel={() => setEditing(null)}
            onSaved={(saved, created) => {
              setEditing(null);
              setNotice(`Schedule “${saved.name}” ${created ? 'added' : 'saved'}.`);
              schedules.reload();
            }}
          />
        </EditorCard>
      ) : null}

      <ConfirmDialog
        title="Delete this schedule?"
        open={removal.target !== null}
        confirmLabel="Delete schedule"
        busy={removal.busy}
        error={removal.error}
        onConfirm={() => void removal.confirm(remove)}
        onClose={removal.close}
      >
        <p>
          “{removal.target?.name}” will no longer start shows.
          {removal.target?.on_air ? ' Its show is on air now and stops.' : ''} The timelines themselves are
          kept.
        </p>
      </ConfirmDialog>
    </section>
  );
}
