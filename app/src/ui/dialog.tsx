import { Dialog as RadixDialog } from "radix-ui";
import type { ReactNode } from "react";
import { Button } from "./button.tsx";

interface DialogProps {
  title: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  children: ReactNode;
  description?: string;
}

// A modal with a title: Radix traps focus inside, closes on Escape and gives focus back to what
// opened it.
export function Dialog({ title, open, onOpenChange, children, description }: DialogProps) {
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="dialog-overlay" />
        <RadixDialog.Content
          className="dialog"
          // Without a description Radix would point aria-describedby at nothing.
          {...(description ? {} : { "aria-describedby": undefined })}
        >
          <RadixDialog.Title>{title}</RadixDialog.Title>
          {description && <RadixDialog.Description className="muted">{description}</RadixDialog.Description>}
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

interface ConfirmDialogProps {
  title: string;
  message: string;
  confirmLabel: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onConfirm: () => void;
  pending?: boolean;
  error?: string | null;
}

// "Are you sure?" for changes that cannot be taken back (revoking a token, deleting a group).
export function ConfirmDialog(props: ConfirmDialogProps) {
  return (
    <Dialog title={props.title} open={props.open} onOpenChange={props.onOpenChange}>
      <p>{props.message}</p>
      {props.error && (
        <p className="form-error" role="alert">
          {props.error}
        </p>
      )}
      <div className="form-actions">
        <Button variant="danger" onClick={props.onConfirm} disabled={props.pending}>
          {props.confirmLabel}
        </Button>
        <Button onClick={() => props.onOpenChange(false)}>Cancel</Button>
      </div>
    </Dialog>
  );
}
