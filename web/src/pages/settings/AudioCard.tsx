// The program's loudness target: the engine's own mixer holds the show's integrated loudness
// there, so viewers hear no jump between a quiet camera, a loud one and the music bed. A choice of
// the common targets, a number of the operator's, or off (the sound as the sources give it).
import { useState, type FormEvent } from 'react';
import {
  DEFAULT_LOUDNESS_TARGET_LUFS,
  LOUDNESS_TARGET_RANGE,
  loudnessTarget,
} from '../../../../src/domain/settings.ts';
import { ApiError, api } from '../../api/client.ts';
import { FormActions } from '../../components/forms.tsx';
import { ErrorNotice, Field, Notice, SelectField } from '../../components/ui.tsx';

/** The targets people are asked for: YouTube and most streaming, then Apple/podcasts, then EBU R 128 broadcast. */
const COMMON_TARGETS: ReadonlyArray<{ lufs: number; words: string }> = [
  { lufs: -14, words: '−14 LUFS: YouTube and most streaming platforms (default)' },
  { lufs: -16, words: '−16 LUFS: Apple, podcasts, quieter platforms' },
  { lufs: -23, words: '−23 LUFS: broadcast (EBU R 128)' },
];
const OWN = 'own';
const OFF = 'off';

type Choice = `${number}` | typeof OWN | typeof OFF;

function choiceOf(stored: unknown): Choice {
  const target = loudnessTarget(stored);
  if (target === null) return OFF;
  return COMMON_TARGETS.some((t) => t.lufs === target) ? `${target}` : OWN;
}

/** "−14 LUFS" with a true minus sign. */
export function lufsText(value: number): string {
  return `${value < 0 ? '−' : ''}${Math.abs(value)} LUFS`;
}

export function AudioCard({ target, onChanged }: { target: unknown; onChanged: () => void }) {
  const inForce = loudnessTarget(target);
  const [choice, setChoice] = useState<Choice>(choiceOf(target));
  const [own, setOwn] = useState(inForce === null ? '' : String(inForce));
  const [ownError, setOwnError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  /** The value to store (null: the default), or an error in words for the operator's own number. */
  const wanted = (): { value: number | 'off' | null } | { problem: string } => {
    if (choice === OFF) return { value: 'off' };
    if (choice !== OWN) {
      const lufs = Number(choice);
      return { value: lufs === DEFAULT_LOUDNESS_TARGET_LUFS ? null : lufs };
    }
    const text = own.trim().replace('−', '-');
    const lufs = Number(text);
    if (text === '' || !Number.isFinite(lufs))
      return {
        problem: `type a number of LUFS, like −18 (from ${LOUDNESS_TARGET_RANGE.min} to ${LOUDNESS_TARGET_RANGE.max})`,
      };
    if (lufs < LOUDNESS_TARGET_RANGE.min || lufs > LOUDNESS_TARGET_RANGE.max)
      return {
        problem: `${lufsText(lufs)} is out of range: choose from ${lufsText(LOUDNESS_TARGET_RANGE.min)} (quiet) to ${lufsText(LOUDNESS_TARGET_RANGE.max)} (loud)`,
      };
    return { value: lufs };
  };

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    setNotice(null);
    const next = wanted();
    if ('problem' in next) {
      setOwnError(next.problem);
      return;
    }
    setOwnError(undefined);
    setBusy(true);
    try {
      await api.put('/api/settings/audio.loudness_target', { value: next.value });
      const held = loudnessTarget(next.value);
      setNotice(
        held === null
          ? 'Saved: loudness control is off; the program’s sound is as the sources and the music bed give it.'
          : `Saved: the program’s loudness is held at ${lufsText(held)}.`,
      );
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" id="audio" aria-labelledby="settings-audio">
      <h2 id="settings-audio">Sound</h2>
      <p className="hint">
        In force: {inForce === null ? 'off' : lufsText(inForce)}. The engine’s own mixer holds the program at
        this loudness, so a quiet camera, a loud one and the music bed sound alike.
      </p>
      <form className="settings-form" onSubmit={(event) => void save(event)} noValidate>
        <SelectField
          label="Loudness target"
          value={choice}
          onChange={(event) => {
            setChoice(event.target.value as Choice);
            setOwnError(undefined);
          }}
          error={error instanceof ApiError ? error.issueAt('value') : undefined}
        >
          {COMMON_TARGETS.map((t) => (
            <option key={t.lufs} value={`${t.lufs}`}>
              {t.words}
            </option>
          ))}
          <option value={OWN}>Another target…</option>
          <option value={OFF}>Off: no loudness control</option>
        </SelectField>
        {choice === OWN ? (
          <Field
            label="Target (LUFS)"
            inputMode="decimal"
            value={own}
            error={ownError}
            hint={`From ${lufsText(LOUDNESS_TARGET_RANGE.min)} (quiet) to ${lufsText(LOUDNESS_TARGET_RANGE.max)} (loud)`}
            onChange={(event) => setOwn(event.target.value)}
          />
        ) : null}
        <ErrorNotice error={error} />
        {notice ? <Notice kind="success">{notice}</Notice> : null}
        <FormActions submitLabel="Save loudness target" busy={busy} />
      </form>
    </section>
  );
}
