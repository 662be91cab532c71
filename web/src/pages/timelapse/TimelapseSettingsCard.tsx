// The time-lapse's settings (one stored value, PUT /api/settings/timelapse.settings; admin): on or
// off, how often a snapshot is taken, the video's frame rate and size, and which hours.
import { useEffect, useState, type FormEvent } from 'react';
import {
  TIMELAPSE_SIZES,
  TIMELAPSE_SETTING,
  type TimelapseSettings,
  type TimelapseSize,
} from '../../../../src/domain/timelapse.ts';
import { ApiError, api } from '../../api/client.ts';
import { useCan } from '../../app/session.ts';
import { CheckField, FormActions } from '../../components/forms.tsx';
import { ErrorNotice, Field, Notice, SelectField } from '../../components/ui.tsx';

const SIZE_WORDS: Record<TimelapseSize, string> = {
  '640x360': '640 × 360 (small, quick to make)',
  '1280x720': '1280 × 720 (HD)',
  '1920x1080': '1920 × 1080 (full HD, most disk)',
};

/** What a day at these settings gives, in words: "a 10-hour show gives a 20 s video". */
export function describeYield(settings: Pick<TimelapseSettings, 'interval_seconds' | 'fps'>): string {
  const frames = (10 * 3600) / settings.interval_seconds;
  const seconds = frames / settings.fps;
  const length = seconds >= 90 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`;
  return `A show on air for 10 hours gives about ${Math.round(frames)} snapshots: a ${length} video.`;
}

export function TimelapseSettingsCard({
  saved,
  onChanged,
}: {
  saved: TimelapseSettings;
  onChanged: () => void;
}) {
  const canChange = useCan('admin');
  const [draft, setDraft] = useState(saved);
  const [interval, setIntervalText] = useState(String(saved.interval_seconds));
  const [fps, setFps] = useState(String(saved.fps));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    setDraft(saved);
    setIntervalText(String(saved.interval_seconds));
    setFps(String(saved.fps));
  }, [saved]);

  const issue = (field: string): string | undefined =>
    error instanceof ApiError ? error.issueAt(`value.${field}`) : undefined;

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    const value = { ...draft, interval_seconds: Number(interval), fps: Number(fps) };
    try {
      await api.put(`/api/settings/${TIMELAPSE_SETTING}`, { value });
      setNotice(
        value.enabled
          ? `Saved: a snapshot every ${value.interval_seconds} s while a show is on air.`
          : 'Saved: the time-lapse is off; no snapshots are taken.',
      );
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const hoursChoice = draft.hours === null ? 'on_air' : 'between';
  return (
    <section className="card timelapse-settings" aria-labelledby="timelapse-settings-title">
      <h2 id="timelapse-settings-title">Time-lapse settings</h2>
      <form onSubmit={(event) => void save(event)} noValidate>
        <fieldset disabled={!canChange || busy} className="timelapse-fieldset">
          <legend className="visually-hidden">Time-lapse settings</legend>
          <CheckField checked={draft.enabled} onChange={(enabled) => setDraft({ ...draft, enabled })}>
            Take time-lapse snapshots while a show is on air
          </CheckField>
          <div className="timelapse-row">
            <Field
              label="Snapshot every (seconds)"
              type="number"
              inputMode="numeric"
              min={1}
              max={600}
              value={interval}
              onChange={(event) => setIntervalText(event.target.value)}
              error={issue('interval_seconds')}
            />
            <Field
              label="Video frame rate (fps)"
              type="number"
              inputMode="numeric"
              min={5}
              max={60}
              value={fps}
              onChange={(event) => setFps(event.target.value)}
              error={issue('fps')}
            />
            <SelectField
              label="Video size"
              value={draft.size}
              onChange={(event) => setDraft({ ...draft, size: event.target.value as TimelapseSize })}
              error={issue('size')}
            >
              {TIMELAPSE_SIZES.map((size) => (
                <option key={size} value={size}>
                  {SIZE_WORDS[size]}
                </option>
              ))}
            </SelectField>
          </div>
          <div className="timelapse-row">
            <SelectField
              label="Which hours"
              value={hoursChoice}
              onChange={(event) =>
                setDraft({
                  ...draft,
                  hours: event.target.value === 'on_air' ? null : { from: '07:00', to: '19:00' },
                })
              }
            >
              <option value="on_air">All the time a show is on air</option>
              <option value="between">Only between two times of day</option>
            </SelectField>
            {draft.hours !== null ? (
              <>
                <Field
                  label="From"
                  type="time"
                  value={draft.hours.from}
                  onChange={(event) =>
                    setDraft({
                      ...draft,
                      hours: { from: event.target.value, to: draft.hours?.to ?? '19:00' },
                    })
                  }
                  error={issue('hours.from')}
                />
                <Field
                  label="To"
                  type="time"
                  value={draft.hours.to}
                  onChange={(event) =>
                    setDraft({
                      ...draft,
                      hours: { from: draft.hours?.from ?? '07:00', to: event.target.value },
                    })
                  }
                  error={issue('hours.to')}
                />
              </>
            ) : null}
          </div>
        </fieldset>
        <p className="hint">
          {Number(interval) > 0 && Number(fps) > 0
            ? describeYield({ interval_seconds: Number(interval), fps: Number(fps) })
            : null}{' '}
          The video of each day is made after midnight at the lowest priority, paused whenever the show needs
          the machine, and kept with the recordings (their quota removes the oldest).
        </p>
        <ErrorNotice error={error} />
        {notice ? <Notice kind="success">{notice}</Notice> : null}
        {canChange ? (
          <FormActions submitLabel="Save time-lapse settings" busy={busy} />
        ) : (
          <p className="hint">Only an admin can change these settings.</p>
        )}
      </form>
    </section>
  );
}
