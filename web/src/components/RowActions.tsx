// A list row's actions side by side; Edit and Delete are named after the row for screen readers
// ("Edit Dock").
import type { ReactNode } from 'react';
import { Button } from './ui.tsx';

export function RowActions({ children }: { children: ReactNode }) {
  return <div className="row-actions">{children}</div>;
}

export function EditDeleteActions({
  name,
  onEdit,
  onDelete,
  editDisabled,
  children,
}: {
  name: string;
  onEdit: () => void;
  onDelete: () => void;
  editDisabled?: boolean;
  /** Buttons shown before Edit (e.g. Test). */
  children?: ReactNode;
}) {
  return (
    <RowActions>
      {children}
      <Button onClick={onEdit} disabled={editDisabled} aria-label={`Edit ${name}`}>
        Edit
      </Button>
      <Button variant="danger" onClick={onDelete} aria-label={`Delete ${name}`}>
        Delete
      </Button>
    </RowActions>
  );
}
