import { type ReactNode, useState } from "react";
import { errorMessage } from "../api/client.ts";
import { ConfirmDialog, Dialog } from "./dialog.tsx";

// Which of a list's dialogs is open: "new", the row being edited, or none.
export function useResourceDialogs<T>() {
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<T | null>(null);
  return { creating, setCreating, editing, setEditing };
}

interface ResourceDialogsProps<T> {
  dialogs: ReturnType<typeof useResourceDialogs<T>>;
  newTitle: string;
  editTitle: (row: T | null) => string;
  // The same form creates (no row) and edits; `done` closes its dialog.
  form: (row: T | undefined, done: () => void) => ReactNode;
}

// The "new" and "edit" dialogs of a list. Each dialog's form is mounted only while it is open,
// so reopening starts from the row's saved values, not from abandoned edits.
export function ResourceDialogs<T>({ dialogs, newTitle, editTitle, form }: ResourceDialogsProps<T>) {
  const { creating, setCreating, editing, setEditing } = dialogs;
  return (
    <>
      <Dialog title={newTitle} open={creating} onOpenChange={setCreating}>
        {form(undefined, () => setCreating(false))}
      </Dialog>
      <Dialog
        title={editTitle(editing)}
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
      >
        {editing && form(editing, () => setEditing(null))}
      </Dialog>
    </>
  );
}

// What ConfirmDelete needs of a delete mutation (TanStack's useMutation result fits).
interface Removal {
  mutate: (id: number, options: { onSuccess: () => void }) => void;
  reset: () => void;
  isPending: boolean;
  error: unknown;
}

// The row waiting for a confirmed delete (or revoke). Asking again clears the previous
// attempt's error, so a refusal about one row is not shown against another.
export function useConfirmDelete<T extends { id: number }>(removal: Removal) {
  const [target, setTarget] = useState<T | null>(null);
  return {
    target,
    removal,
    ask: (row: T) => {
      removal.reset();
      setTarget(row);
    },
    close: () => setTarget(null),
  };
}

interface ConfirmDeleteProps<T extends { id: number }> {
  confirm: ReturnType<typeof useConfirmDelete<T>>;
  title: string;
  message: string;
  confirmLabel: string;
}

// Deletes the row once confirmed; a refusal (e.g. a group still in use) stays in the dialog.
export function ConfirmDelete<T extends { id: number }>({
  confirm,
  title,
  message,
  confirmLabel,
}: ConfirmDeleteProps<T>) {
  const { target, removal, close } = confirm;
  return (
    <ConfirmDialog
      title={title}
      message={message}
      confirmLabel={confirmLabel}
      open={target !== null}
      onOpenChange={(open) => !open && close()}
      pending={removal.isPending}
      error={removal.error ? errorMessage(removal.error) : null}
      onConfirm={() => target && removal.mutate(target.id, { onSuccess: close })}
    />
  );
}
