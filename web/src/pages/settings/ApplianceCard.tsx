// The appliance's own name and the time zone its schedules are in.
import { useState, type FormEvent } from 'react';
import { settingLabel, type SettingKey } from '../../../../src/domain/settings.ts';
import { ApiError, api } from '../../api/client.ts';
import { FormActions } from '../../components/forms.tsx';
import { ErrorNotice, Field, Notice } from '../../components/ui.tsx';
import { TimeZonePicker } from './TimeZonePicker.tsx';

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
  const [zone, setZone] = useState<string | null>(timezone);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ key: SettingKey; error: unknown } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    const changes: Array<[SettingKey, string | null]> = [];
    if (nameText.trim() !== (name ?? '')) changes.push(['appliance.name', nameText.trim()]);
    if (zone !== timezone) changes.push(['appliance.timezone', zone]);
    try {
      for (const [key, value] of changes) {
        try {
          await api.put(`/api/settings/${key}`, { value });
        } catch (failure) {
          setError({ key, error: failure });
          return;
        }
      }
      // "Saved: the time zone." — named as the settings table names it.
      setNotice(
        changes.length === 0
          ? 'Nothing changed.'
          : `Saved: ${changes.map(([key]) => settingLabel(key).toLowerCase()).join(' and ')}.`,
      );
      if (changes.length > 0) onChanged();
    } finally {
      setBusy(false);
    }
  };

  const issue = (key: SettingKey): string | undefined =>
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
        <TimeZonePicker value={zone} onChange={setZone} error={issue('appliance.timezone')} />
        <ErrorNotice error={error?.error} />
        {notice ? <Notice kind="success">{notice}</Notice> : null}
        <FormActions submitLabel="Save" busy={busy} />
      </form>
    </section>
  );
}
