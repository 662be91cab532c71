// Form pieces the setup pages share beside Field and SelectField (ui.tsx): a checkbox with its
// label, and the row of buttons that ends a form. Their styles are in forms.css, which the pages
// using them import.
import type { ReactNode } from 'react';
import { Button } from './ui.tsx';

export function CheckField({
  checked,
  onChange,
  children,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** The label, and anything shown with it (a badge, the field's error). */
  children: ReactNode;
}) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} />
      {children}
    </label>
  );
}

/** The submit button, any other actions, and Cancel (kept disabled while the form is saved). */
export function FormActions({
  submitLabel,
  busy,
  submitDisabled,
  onCancel,
  cancelLabel = 'Cancel',
  children,
}: {
  submitLabel: string;
  busy: boolean;
  submitDisabled?: boolean;
  onCancel?: () => void;
  cancelLabel?: string;
  /** Buttons between submit and Cancel (e.g. Test connection). */
  children?: ReactNode;
}) {
  return (
    <div className="form-actions">
      <Button type="submit" variant="primary" busy={busy} disabled={submitDisabled}>
        {submitLabel}
      </Button>
      {children}
      {onCancel ? (
        <Button onClick={onCancel} disabled={busy}>
          {cancelLabel}
        </Button>
      ) : null}
    </div>
  );
}
