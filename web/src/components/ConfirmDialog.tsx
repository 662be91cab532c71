// "Are you sure?" before anything destructive: says what will happen, keeps the dialog open while
// the appliance works, and shows its refusal (message + remediation) inside the dialog.
import { useState, type ReactNode } from 'react';
import { Button, Dialog, ErrorNotice, useAction } from './ui.tsx';
import './confirm-dialog.css';

export function ConfirmDialog({
  title,
  open,
  confirmLabel,
  busy,
  error,
  onConfirm,
  onClose,
  children,
  details,
}: {
  title: string;
  open: boolean;
  confirmLabel: string;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
  /** More about a refusal, under it (e.g. where a file is still used). */
  details?: ReactNode;
}) {
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <div className="confirm">
        <div className="confirm-body">{children}</div>
        <ErrorNotice error={error} />
        {details}
        <div className="confirm-actions">
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button variant="danger" busy={busy} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

/** The item a confirmation dialog is open for, and the busy flag and refusal of what it confirms. */
export interface Confirmation<T> {
  target: T | null;
  busy: boolean;
  error: unknown;
  /** Opens the dialog for `item`, forgetting an earlier refusal. */
  ask: (item: T) => void;
  close: () => void;
  /** Runs `action` for the target: the dialog closes when it succeeds and shows the refusal if not. */
  confirm: (action: (item: T) => Promise<void>) => Promise<void>;
}

export function useConfirmation<T>(): Confirmation<T> {
  const [target, setTarget] = useState<T | null>(null);
  const action = useAction();
  return {
    target,
    busy: action.busy,
    error: action.error,
    ask: (item) => {
      action.clearError();
      setTarget(item);
    },
    close: () => setTarget(null),
    confirm: async (work) => {
      if (target === null) return;
      const item = target;
      const done = await action.run(async () => {
        await work(item);
        return true;
      });
      if (done) setTarget(null);
    },
  };
}
