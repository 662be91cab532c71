// A write-only secret (a camera password, a stream key): a new one is typed in; a stored one is
// only ever shown as "set" (or the appliance's mask) and can be replaced or removed, never read.
import { useId } from 'react';
import { Button, Field } from './ui.tsx';
import './secret-field.css';

export type SecretMode = 'keep' | 'replace' | 'remove';

export interface SecretValue {
  mode: SecretMode;
  value: string;
}

/** What a PATCH sends for the secret: left out (keep), the new value, or null (remove). */
export function secretPatch(secret: SecretValue): string | null | undefined {
  if (secret.mode === 'keep') return undefined;
  if (secret.mode === 'remove') return null;
  return secret.value === '' ? null : secret.value;
}

export function SecretField({
  label,
  stored,
  storedText,
  secret,
  onChange,
  error,
  hint,
  autoComplete = 'new-password',
}: {
  label: string;
  /** Whether the appliance holds one. */
  stored: boolean;
  /** How the stored one is shown (default "Set"). */
  storedText?: string;
  secret: SecretValue;
  onChange: (next: SecretValue) => void;
  error?: string | undefined;
  hint?: string;
  autoComplete?: string;
}) {
  const id = useId();
  // "Password" reads "password" mid-sentence; "ONVIF password" stays as it is.
  const inSentence = /^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
  if (stored && secret.mode !== 'replace') {
    const removed = secret.mode === 'remove';
    return (
      <div className={`field${error ? ' field-invalid' : ''}`} role="group" aria-labelledby={`${id}-label`}>
        <span id={`${id}-label`} className="field-label">
          {label}
        </span>
        <div className="secret-stored">
          {removed ? (
            <span className="badge badge-warn">Will be removed when you save</span>
          ) : (
            <span className="badge badge-ok">{storedText ?? 'Set'}</span>
          )}
          <Button
            onClick={() => onChange({ mode: 'replace', value: '' })}
            aria-label={`Replace ${inSentence}`}
          >
            Replace
          </Button>
          {removed ? (
            <Button onClick={() => onChange({ mode: 'keep', value: '' })} aria-label={`Keep ${inSentence}`}>
              Keep it
            </Button>
          ) : (
            <Button
              onClick={() => onChange({ mode: 'remove', value: '' })}
              aria-label={`Remove ${inSentence}`}
            >
              Remove
            </Button>
          )}
        </div>
        {error ? <small className="field-error">{error}</small> : null}
        {!error ? (
          <small className="hint">Stored encrypted on the appliance; it is never shown.</small>
        ) : null}
      </div>
    );
  }
  return (
    <div className="secret-input">
      <Field
        label={label}
        type="password"
        autoComplete={autoComplete}
        value={secret.value}
        onChange={(event) => onChange({ mode: 'replace', value: event.target.value })}
        error={error}
        hint={hint}
      />
      {stored ? (
        <Button className="secret-keep" onClick={() => onChange({ mode: 'keep', value: '' })}>
          Keep the current {inSentence}
        </Button>
      ) : null}
    </div>
  );
}
