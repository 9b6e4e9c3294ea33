import type { FormEvent, ReactNode } from "react";
import { Button } from "./button.tsx";
import { formError } from "./field-errors.ts";

// The API's refusal for the form as a whole: its detail plus any field message that has no
// control on the form (`placed` lists those that do; they show beside their control).
export function FormError({ error, placed }: { error: unknown; placed: string[] }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {formError(error, placed)}
    </p>
  );
}

interface ResourceFormProps {
  error: unknown;
  placed: string[];
  pending: boolean;
  submitLabel: string;
  onSubmit: () => void;
  onCancel: () => void;
  submitDisabled?: boolean;
  className?: string;
  "aria-label"?: string;
  children: ReactNode;
}

// The frame of every create/edit form: the form-level error first, the fields, then the submit
// button (disabled while saving) and Cancel.
export function ResourceForm(props: ResourceFormProps) {
  function submit(event: FormEvent) {
    event.preventDefault();
    props.onSubmit();
  }
  return (
    <form className={props.className ?? "form"} onSubmit={submit} aria-label={props["aria-label"]}>
      <FormError error={props.error} placed={props.placed} />
      {props.children}
      <div className="form-actions">
        <Button type="submit" variant="primary" disabled={props.pending || props.submitDisabled}>
          {props.submitLabel}
        </Button>
        <Button onClick={props.onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
