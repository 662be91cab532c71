// The x264 preset the next show is encoded with. "Automatic" keeps the encoding profile's own
// (fast for the reliability profile); a faster preset leaves the cameras more CPU at some cost in
// picture quality. Degraded mode still steps down from the chosen one when the machine falls
// behind. Remediations point here ("choose a faster encoder preset in Settings → Encoder").
import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  AUTOMATIC_PRESET,
  ENCODER_PRESET_CHOICES,
  settingLabel,
  type EncoderPresetChoice,
} from '../../../../src/domain/settings.ts';
import { ApiError, api } from '../../api/client.ts';
import { FormActions } from '../../components/forms.tsx';
import { ErrorNotice, Notice, SelectField } from '../../components/ui.tsx';

const PRESET_WORDS: Record<EncoderPresetChoice, string> = {
  automatic: 'Automatic (recommended): the encoding profile’s preset',
  ultrafast: 'ultrafast: least CPU, softest picture',
  superfast: 'superfast: very little CPU',
  veryfast: 'veryfast: little CPU, good for small machines',
  faster: 'faster',
  fast: 'fast: the reliability profile’s own',
  medium: 'medium: best picture, most CPU',
};

export function EncoderCard({ preset, onChanged }: { preset: string | null; onChanged: () => void }) {
  const saved: EncoderPresetChoice = (ENCODER_PRESET_CHOICES as readonly string[]).includes(preset ?? '')
    ? (preset as EncoderPresetChoice)
    : AUTOMATIC_PRESET;
  const [choice, setChoice] = useState<EncoderPresetChoice>(saved);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const card = useRef<HTMLElement>(null);

  // Followed from a remediation's link (/settings#encoder): bring the card into view.
  useEffect(() => {
    if (location.hash === '#encoder') card.current?.scrollIntoView({ block: 'start' });
  }, []);

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await api.put('/api/settings/encoder.preset', { value: choice === AUTOMATIC_PRESET ? null : choice });
      setNotice(
        `Saved: ${settingLabel('encoder.preset').toLowerCase()} is ${choice}. The next show uses it.`,
      );
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" id="encoder" ref={card} aria-labelledby="settings-encoder">
      <h2 id="settings-encoder">Encoder</h2>
      <form className="settings-form" onSubmit={(event) => void save(event)} noValidate>
        <SelectField
          label="Encoder preset"
          value={choice}
          onChange={(event) => setChoice(event.target.value as EncoderPresetChoice)}
          error={error instanceof ApiError ? error.issueAt('value') : undefined}
          hint="A faster preset uses less CPU for the same bitrate, at some cost in picture detail. It applies from the next show; when the machine falls behind, degraded mode still steps down from here (a faster preset, then a lower frame rate or size)."
        >
          {ENCODER_PRESET_CHOICES.map((name) => (
            <option key={name} value={name}>
              {PRESET_WORDS[name]}
            </option>
          ))}
        </SelectField>
        <ErrorNotice error={error} />
        {notice ? <Notice kind="success">{notice}</Notice> : null}
        <FormActions submitLabel="Save encoder preset" busy={busy} submitDisabled={choice === saved} />
      </form>
    </section>
  );
}
