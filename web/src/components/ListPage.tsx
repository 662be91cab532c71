// The pieces a list page is made of, so every list loads, stays empty and opens its editor the
// same way: the list's loading / empty / filled states, the empty state's card, the table of rows,
// and the editor card that opens below the list.
import type { ReactNode } from 'react';
import { useRevealHeading } from './reveal.ts';
import { Spinner } from './ui.tsx';

/**
 * A spinner while the first load runs, `empty` when there is nothing, else the rows. A reload
 * keeps the rows on screen; a failed load shows nothing here (the page shows its error).
 */
export function ListStates<T>({
  rows,
  loading,
  loadingLabel,
  empty,
  isEmpty = (list) => list.length === 0,
  children,
}: {
  rows: readonly T[] | null;
  loading: boolean;
  loadingLabel: string;
  empty: ReactNode;
  /** When the list counts as empty (default: no rows). */
  isEmpty?: (rows: readonly T[]) => boolean;
  children: (rows: readonly T[]) => ReactNode;
}) {
  if (rows === null) return loading ? <Spinner label={loadingLabel} /> : null;
  return <>{isEmpty(rows) ? empty : children(rows)}</>;
}

/** What an empty list says: a heading, what to add and where to find it, and the way to add it. */
export function EmptyState({
  title,
  children,
  actions,
}: {
  title: string;
  /** The explanation, one paragraph. */
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="card empty-state">
      <h2>{title}</h2>
      <p>{children}</p>
      {actions}
    </div>
  );
}

/** A table of rows with column headings; `label` names it for screen readers when needed. */
export function DataTable({
  className,
  label,
  columns,
  children,
}: {
  className?: string;
  label?: string;
  columns: readonly ReactNode[];
  children: ReactNode;
}) {
  return (
    <table className={className ? `data ${className}` : 'data'} aria-label={label}>
      <thead>
        <tr>
          {columns.map((column, index) => (
            <th key={index} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/**
 * The add / edit form that opens below a list. Its heading comes into view and takes the focus
 * whenever another item's editor opens (`revealKey`), so keyboard users land in the form.
 */
export function EditorCard({
  title,
  revealKey,
  className,
  children,
}: {
  title: string;
  revealKey: string | number;
  className?: string;
  children: ReactNode;
}) {
  const heading = useRevealHeading(revealKey);
  return (
    <div className={className ? `card ${className}` : 'card'}>
      <h2 ref={heading} tabIndex={-1}>
        {title}
      </h2>
      {children}
    </div>
  );
}
