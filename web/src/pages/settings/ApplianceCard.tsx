// The appliance's own name and the time zone its schedules are in.
import { useMemo, useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client.ts';
import { FormActions } from '../../components/forms.tsx';
import { ErrorNotice, Field, Notice } from '../../components/ui.tsx';

export function ApplianceCard({
  name,
  timezone,
  onChanged,
}: {
  name: string | null;
  timezone: string | null;
  onChanged: () => void;
}) {
  const [nameText, setNameText] = useState(name ?? '');
  const [zoneText, setZoneText] = useState(timezone ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ key: string; error: unknown } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const zones = useMemo(() => Intl.supportedValuesOf('timeZone'), []);
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    const changes: Array<[string, string | null]> = [];
    if (nameText.trim() !== (name ?? '')) changes.push(['appliance.name', nameText.trim()]);
    if (zoneText.trim() !== (timezone ?? '')) changes.push(['appliance.timezone', zoneText.trim() || null]);
    try {
      for (const [key, value] of changes) {
        try {
          await api.put(`/api/settings/${key}`, { value });
        } catch (failure) {
          setError({ key, error: failure });
          return;
        }
      }
      setNotice(changes.length === 0 ? 'Nothing changed.' : 'Saved.');
      if (changes.length > 0) onChanged();
    } finally {
      setBusy(false);
    }
  };

  const issue = (key: string): string | undefined =>
    error?.key === key && error.error instanceof ApiError ? error.error.issueAt('value') : undefined;
  return (
    <section className="card" aria-labelledby="settings-appliance">
      <h2 id="settings-appliance">Appliance</h2>
      <form className="settings-form" onSubmit={(event) => void save(event)} noValidate>
        <Field
          label="Appliance name"
          value={nameText}
          onChange={(event) => setNameText(event.target.value)}
          error={issue('appliance.name')}
          placeholder="e.g. Marina control room"
          hint="Shown in alerts, so you know which appliance sent them."
          autoComplete="off"
        />
        <Field
          label="Time zone"
          value={zoneText}
          onChange={(event) => setZoneText(event.target.value)}
          error={issue('appliance.timezone')}
          list="settings-zones"
          placeholder={`The system’s zone (this browser is in ${browserZone})`}
          hint="Schedules start and stop in this zone. Leave empty to use the appliance’s system clock zone."
          autoComplete="off"
          spellCheck={false}
        />
        <datalist id="settings-zones">
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <ErrorNotice error={error?.error} />
        {notice ? <Notice kind="success">{notice}</Notice> : null}
        <FormActions submitLabel="Save" busy={busy} />
      </form>
    </section>
  );
}
