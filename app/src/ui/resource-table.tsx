import type { ReactNode } from "react";
import { errorMessage } from "../api/client.ts";
import { Button } from "./button.tsx";

interface ResourceSectionProps {
  // Prefix of the heading's id, which names the section for screen readers.
  id: string;
  title: string;
  // The primary button beside the heading ("New group"), when the list can grow from here.
  action?: { label: string; onClick: () => void };
  children: ReactNode;
}

// One admin list with its heading and its "add" button.
export function ResourceSection({ id, title, action, children }: ResourceSectionProps) {
  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="section-head">
        <h2 id={`${id}-title`}>{title}</h2>
        {action && (
          <Button variant="primary" onClick={action.onClick}>
            {action.label}
          </Button>
        )}
      </div>
      {children}
    </section>
  );
}

interface ResourceTableProps<T> {
  // Undefined until loaded.
  rows: T[] | undefined;
  error: unknown;
  columns: string[];
  // One <tr> per row, its first cell a <th scope="row"> naming it, the last its actions.
  children: (row: T) => ReactNode;
  // Said while loading; without it the list stays silent until it arrives.
  loading?: string;
  // Said instead of an empty table; without it an empty list shows its header.
  empty?: string;
}

// The table every admin section lists its resource in: the load error, an optional loading or
// "none yet" line, then column headers and a last, unlabelled-on-screen Actions column.
export function ResourceTable<T>({ rows, error, columns, children, loading, empty }: ResourceTableProps<T>) {
  const isEmpty = rows?.length === 0 && empty !== undefined;
  return (
    <>
      {Boolean(error) && <p role="alert">{errorMessage(error)}</p>}
      {loading && rows === undefined && !error && <p role="status">{loading}</p>}
      {isEmpty && <p className="muted">{empty}</p>}
      {rows && !isEmpty && (
        <div className="table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column} scope="col">
                    {column}
                  </th>
                ))}
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>{rows.map(children)}</tbody>
          </table>
        </div>
      )}
    </>
  );
}

interface RowActionProps {
  // The button's text; with `name` it also names the button for screen readers ("Edit Billing"),
  // since every row has one.
  verb: string;
  name: string;
  onClick: () => void;
  disabled?: boolean;
}

export function RowAction({ verb, name, onClick, disabled }: RowActionProps) {
  return (
    <Button variant="ghost" aria-label={`${verb} ${name}`} onClick={onClick} disabled={disabled}>
      {verb}
    </Button>
  );
}
