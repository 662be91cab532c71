// "Are you sure?" before anything destructive: says what will happen, keeps the dialog open while
// the appliance works, and shows its refusal (message + remediation) inside the dialog.
import type { ReactNode } from 'react';
import { Button, Dialog, ErrorNotice } from './ui.tsx';
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
}: {
  title: string;
  open: boolean;
  confirmLabel: string;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <div className="confirm">
        <div className="confirm-body">{children}</div>
        <ErrorNotice error={error} />
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
