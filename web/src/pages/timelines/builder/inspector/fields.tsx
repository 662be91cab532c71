// The inspector's generic field widgets: a time typed as text, a number that may be left empty,
// an on/off switch and a colour with optional transparency. Each shows its error under it.
import { useEffect, useId, useState, type ReactNode } from 'react';
import { Field } from '../../../../components/ui.tsx';
import { formatTime, parseTime, roundTime } from '../model.ts';

/** A time typed as 90, 1:30 or 1:02:03.5; applied on Enter or when leaving the field. */
export function TimeField({
  label,
  value,
  onChange,
  error,
  hint,
  min = 0,
}: {
  label: string;
  value: number;
  onChange: (seconds: number) => void;
  error?: string | undefined;
  hint?: ReactNode;
  min?: number;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [local, setLocal] = useState<string | null>(null);
  const apply = () => {
    if (draft === null) return;
    const seconds = parseTime(draft);
    if (seconds === null || seconds < min) {
      setLocal('type a time like 90, 1:30 or 1:02:03');
      return;
    }
    setLocal(null);
    setDraft(null);
    if (roundTime(seconds) !== value) onChange(roundTime(seconds));
  };
  return (
    <Field
      label={label}
      value={draft ?? formatTime(value)}
      inputMode="decimal"
      error={local ?? error}
      hint={hint ?? 'm:ss, or seconds'}
      onChange={(event) => setDraft(event.target.value)}
      onBlur={apply}
      onKeyDown={(event) => {
        if (event.key === 'Enter') apply();
        if (event.key === 'Escape') {
          setDraft(null);
          setLocal(null);
        }
      }}
    />
  );
}

/** A number; empty means "not set" (undefined). */
export function NumberField({
  label,
  value,
  onChange,
  error,
  hint,
  step = 'any',
  min,
  max,
  placeholder,
}: {
  label: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  error?: string | undefined;
  hint?: ReactNode;
  step?: string;
  min?: number;
  max?: number;
  placeholder?: string;
}) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  useEffect(
    () =>
      setText((current) => (Number(current) === value ? current : value === undefined ? '' : String(value))),
    [value],
  );
  return (
    <Field
      label={label}
      type="number"
      value={text}
      step={step}
      min={min}
      max={max}
      placeholder={placeholder}
      error={error}
      hint={hint}
      onChange={(event) => {
        setText(event.target.value);
        const raw = event.target.value.trim();
        onChange(raw === '' ? undefined : Number(raw));
      }}
    />
  );
}

export function Switch({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (on: boolean) => void;
}) {
  return (
    <label className="insp-switch">
      <input
        type="checkbox"
        role="switch"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
      />
      {label}
    </label>
  );
}

/** A colour picker beside its text (#RRGGBB or #RRGGBBAA); picking keeps the transparency typed. */
export function ColorField({
  label,
  value,
  onChange,
  error,
  allowNone,
}: {
  label: string;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  error?: string | undefined;
  allowNone?: string;
}) {
  const id = useId();
  const solid = value && /^#[0-9a-f]{6}/i.test(value) ? value.slice(0, 7) : '#000000';
  return (
    <div className={`field insp-color${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="insp-color-row">
        <input
          type="color"
          aria-label={`Pick the ${label.toLowerCase()}`}
          value={solid}
          onChange={(event) =>
            onChange(
              `${event.target.value.toUpperCase()}${value && value.length === 9 ? value.slice(7) : ''}`,
            )
          }
        />
        <input
          id={id}
          value={value ?? ''}
          placeholder={allowNone ?? '#RRGGBB'}
          aria-invalid={error ? true : undefined}
          onChange={(event) =>
            onChange(event.target.value.trim() === '' ? undefined : event.target.value.trim())
          }
        />
      </div>
      {error ? (
        <small className="field-error">{error}</small>
      ) : (
        <small className="hint">
          #RRGGBB, #RRGGBBAA (with transparency){allowNone ? `, or empty: ${allowNone}` : ''}
        </small>
      )}
    </div>
  );
}
