// Where the appliance stands: the latitude and longitude sun-based schedules take their sunrise and
// sunset from (computed on the appliance, no internet), with an optional place name.
import { useState, type FormEvent } from 'react';
import type { AppliancePosition } from '../../../../src/domain/settings.ts';
import { ApiError, api } from '../../api/client.ts';
import { FormActions } from '../../components/forms.tsx';
import { Button, ErrorNotice, Field, Notice } from '../../components/ui.tsx';

type Coordinate = 'latitude' | 'longitude';

/** The typed text as degrees, or why not (in words, before the appliance is asked). */
function readDegrees(text: string, example: string): number | string {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return `is required: a number of degrees like ${example}`;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : `must be a number of degrees like ${example}`;
}

export function PositionCard({
  position,
  onChanged,
}: {
  position: AppliancePosition | null;
  onChanged: () => void;
}) {
  const [latitude, setLatitude] = useState(position ? String(position.latitude) : '');
  const [longitude, setLongitude] = useState(position ? String(position.longitude) : '');
  const [placeName, setPlaceName] = useState(position?.place_name ?? '');
  const [issues, setIssues] = useState<Partial<Record<Coordinate | 'place_name', string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (value: AppliancePosition | null, done: string): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await api.put('/api/settings/appliance.position', { value });
      setNotice(done);
      onChanged();
    } catch (failure) {
      if (failure instanceof ApiError) {
        setIssues({
          latitude: failure.issueAt('value.latitude'),
          longitude: failure.issueAt('value.longitude'),
          place_name: failure.issueAt('value.place_name'),
        });
      }
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setNotice(null);
    const lat = readDegrees(latitude, '51.48');
    const lon = readDegrees(longitude, '-0.01');
    if (typeof lat === 'string' || typeof lon === 'string') {
      setIssues({
        ...(typeof lat === 'string' ? { latitude: `Latitude ${lat}` } : {}),
        ...(typeof lon === 'string' ? { longitude: `Longitude ${lon}` } : {}),
      });
      return;
    }
    setIssues({});
    const name = placeName.trim();
    await send(
      { latitude: lat, longitude: lon, ...(name ? { place_name: name } : {}) },
      'Saved: the appliance position.',
    );
  };

  const clear = async (): Promise<void> => {
    setIssues({});
    setNotice(null);
    await send(null, 'The position is removed: sun-based schedules do not run until it is set again.');
    setLatitude('');
    setLongitude('');
    setPlaceName('');
  };

  return (
    <section className="card" aria-labelledby="settings-position">
      <h2 id="settings-position">Position</h2>
      <p className="hint">
        Where the appliance stands. Schedules that start or end at sunrise or sunset use it; the times are
        computed here, without the internet.
      </p>
      <form className="settings-form" onSubmit={(event) => void save(event)} noValidate>
        <Field
          label="Latitude"
          value={latitude}
          onChange={(event) => setLatitude(event.target.value)}
          error={issues.latitude}
          inputMode="decimal"
          placeholder="e.g. 51.48"
          hint="Degrees, north positive, south negative (−90 to 90)."
          autoComplete="off"
        />
        <Field
          label="Longitude"
          value={longitude}
          onChange={(event) => setLongitude(event.target.value)}
          error={issues.longitude}
          inputMode="decimal"
          placeholder="e.g. -0.01"
          hint="Degrees, east positive, west negative (−180 to 180)."
          autoComplete="off"
        />
        <Field
          label="Place name (optional)"
          value={placeName}
          onChange={(event) => setPlaceName(event.target.value)}
          error={issues.place_name}
          placeholder="e.g. Greenwich harbour"
          autoComplete="off"
        />
        {Object.values(issues).some(Boolean) ? null : <ErrorNotice error={error} />}
        {notice ? <Notice kind="success">{notice}</Notice> : null}
        <FormActions submitLabel="Save position" busy={busy}>
          {position ? (
            <Button onClick={() => void clear()} disabled={busy}>
              Remove position
            </Button>
          ) : null}
        </FormActions>
      </form>
    </section>
  );
}
