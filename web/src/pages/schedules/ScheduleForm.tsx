// Add or edit a schedule: name, days, start and end (local wall time in the appliance's zone, or
// sunrise/sunset ± minutes at its position),
// the timelines in play order, the destinations, on/off. Every field error appears next to its
// field; the appliance's message and remediation above the buttons.
import { useState, type FormEvent } from 'react';
import type { ScheduleDetails, ScheduleInput, WindowEdge } from '../../../../src/domain/schedule.ts';
import { ApiError, api } from '../../api/client.ts';
import { CheckField, FormActions } from '../../components/forms.tsx';
import { Button, ErrorNotice, Field, SelectField, useAction } from '../../components/ui.tsx';
import { EdgeField } from './EdgeField.tsx';
import { DAY_LABELS, type DayId } from './schedule-format.ts';

export interface Choice {
  id: number;
  name: string;
  enabled?: boolean;
}

const WEEKDAYS: DayId[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const ALL_DAYS: DayId[] = DAY_LABELS.map((d) => d.id);

export function ScheduleForm({
  schedule,
  timelines,
  destinations,
  zone,
  onCancel,
  onSaved,
}: {
  schedule: ScheduleDetails | null;
  timelines: readonly Choice[];
  destinations: readonly Choice[];
  zone: string | null;
  onCancel: () => void;
  onSaved: (saved: ScheduleDetails, created: boolean) => void;
}) {
  const [name, setName] = useState(schedule?.name ?? '');
  const [enabled, setEnabled] = useState(schedule?.enabled ?? true);
  const [days, setDays] = useState<DayId[]>(schedule?.days ?? ALL_DAYS);
  const [start, setStart] = useState<WindowEdge>(schedule?.start_time ?? '09:00');
  const [end, setEnd] = useState<WindowEdge>(schedule?.end_time ?? '17:00');
  const [plays, setPlays] = useState<number[]>(schedule?.timeline_ids ?? []);
  const [adding, setAdding] = useState<string>(String(timelines[0]?.id ?? ''));
  const [targets, setTargets] = useState<number[]>(schedule?.destination_ids ?? []);
  const save = useAction();
  const apiError = save.error instanceof ApiError ? save.error : null;
  const issue = (path: string) => apiError?.issueAt(path);
  const timelineName = (id: number) => timelines.find((t) => t.id === id)?.name ?? `Timeline ${id} (deleted)`;

  const toggleDay = (day: DayId, on: boolean) =>
    setDays((current) =>
      on ? ALL_DAYS.filter((d) => d === day || current.includes(d)) : current.filter((d) => d !== day),
    );
  const move = (index: number, by: number) =>
    setPlays((current) => {
      const next = [...current];
      const [item] = next.splice(index, 1);
      next.splice(index + by, 0, item!);
      return next;
    });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body: ScheduleInput = {
      name,
      enabled,
      days,
      start_time: start,
      end_time: end,
      timeline_ids: plays,
      destination_ids: targets,
    };
    const saved = await save.run(() =>
      schedule
        ? api.put<ScheduleDetails>(`/api/schedules/${schedule.id}`, body)
        : api.post<ScheduleDetails>('/api/schedules', body),
    );
    if (saved) onSaved(saved, schedule === null);
  };

  const clockTimes = typeof start === 'string' && typeof end === 'string';
  const followsSun = !clockTimes;
  const crosses = clockTimes && end <= start;
  return (
    <form className="schedule-form" onSubmit={(event) => void submit(event)} noValidate>
      <Field
        label="Name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={issue('name')}
        placeholder="Weekday harbour cam"
        maxLength={100}
        required
      />

      <fieldset className="days" aria-describedby="schedule-days-error">
        <legend>Days</legend>
        <div className="day-choices">
          {DAY_LABELS.map((day) => (
            <label key={day.id} className="check day">
              <input
                type="checkbox"
                checked={days.includes(day.id)}
                onChange={(e) => toggleDay(day.id, e.target.checked)}
              />
              <span aria-hidden="true">{day.short}</span>
              <span className="visually-hidden">{day.long}</span>
            </label>
          ))}
        </div>
        <div className="day-presets">
          <Button onClick={() => setDays(ALL_DAYS)}>Every day</Button>
          <Button onClick={() => setDays(WEEKDAYS)}>Weekdays</Button>
          <Button onClick={() => setDays(['sat', 'sun'])}>Weekends</Button>
        </div>
        {issue('days') ? (
          <small id="schedule-days-error" className="field-error">
            {issue('days')}
          </small>
        ) : null}
      </fieldset>

      <div className="form-row">
        <EdgeField label="Starts at" value={start} onChange={setStart} issue={issue} />
        <EdgeField
          label="Ends at"
          value={end}
          onChange={setEnd}
          issue={issue}
          {...(crosses
            ? { clockHint: end === start ? 'A whole day (24 hours).' : 'Ends the next day.' }
            : {})}
        />
      </div>
      <p className="hint">
        Local time{zone ? ` in ${zone}` : ''}. On the day the clocks go forward, a start in the skipped hour
        begins when the clocks jump; when they go back, the repeated hour is played once.
      </p>
      {followsSun ? (
        <p className="hint">
          Sunrise and sunset are computed each day at the appliance’s position (Settings, Position). An end at
          or before the start is the next day’s. Where the sun does not rise or set that day (polar night or
          midnight sun), the window does not run that day.
        </p>
      ) : null}

      <fieldset className="plays-editor">
        <legend>Timelines, in play order</legend>
        <p className="hint">
          They play one after another and start over until the window ends. A looping timeline plays until the
          end.
        </p>
        {plays.length === 0 ? <p className="muted">No timeline chosen yet.</p> : null}
        <ol className="plays-list">
          {plays.map((id, index) => (
            <li key={`${id}-${index}`}>
              <span className="play-name">
                {index + 1}. {timelineName(id)}
              </span>
              {issue(`timeline_ids[${index}]`) ? (
                <small className="field-error">{issue(`timeline_ids[${index}]`)}</small>
              ) : null}
              <span className="row-actions">
                <Button
                  onClick={() => move(index, -1)}
                  disabled={index === 0}
                  aria-label={`Move ${timelineName(id)} up`}
                >
                  ↑
                </Button>
                <Button
                  onClick={() => move(index, 1)}
                  disabled={index === plays.length - 1}
                  aria-label={`Move ${timelineName(id)} down`}
                >
                  ↓
                </Button>
                <Button
                  onClick={() => setPlays((current) => current.filter((_, i) => i !== index))}
                  aria-label={`Remove ${timelineName(id)}`}
                >
                  Remove
                </Button>
              </span>
            </li>
          ))}
        </ol>
        <div className="add-timeline">
          <SelectField
            label="Timeline to add"
            value={adding}
            onChange={(e) => setAdding(e.target.value)}
            error={issue('timeline_ids')}
          >
            {timelines.length === 0 ? <option value="">No timelines yet</option> : null}
            {timelines.map((timeline) => (
              <option key={timeline.id} value={timeline.id}>
                {timeline.name}
              </option>
            ))}
          </SelectField>
          <Button
            onClick={() => adding && setPlays((current) => [...current, Number(adding)])}
            disabled={!adding}
          >
            Add timeline
          </Button>
        </div>
      </fieldset>

      <fieldset className="targets">
        <legend>Destinations</legend>
        {destinations.length === 0 ? (
          <p className="muted">No destinations yet: the show plays to the preview only.</p>
        ) : null}
        {destinations.map((destination, index) => (
          <CheckField
            key={destination.id}
            checked={targets.includes(destination.id)}
            onChange={(checked) =>
              setTargets((current) =>
                checked ? [...current, destination.id] : current.filter((id) => id !== destination.id),
              )
            }
          >
            {destination.name}
            {destination.enabled === false ? <span className="badge badge-warn">Disabled</span> : null}
            {issue(`destination_ids[${index}]`) ? (
              <small className="field-error">{issue(`destination_ids[${index}]`)}</small>
            ) : null}
          </CheckField>
        ))}
        {issue('destination_ids') ? <small className="field-error">{issue('destination_ids')}</small> : null}
      </fieldset>

      <CheckField checked={enabled} onChange={setEnabled}>
        Enabled (starts shows by itself)
      </CheckField>

      <ErrorNotice error={save.error} onDismiss={save.clearError} />
      <FormActions
        submitLabel={schedule ? 'Save schedule' : 'Add schedule'}
        busy={save.busy}
        onCancel={onCancel}
      />
    </form>
  );
}
