import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import type { Contact } from "../api/types.ts";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { errorsByField, formError } from "../ui/field-errors.ts";
import { CheckboxField, TextArea, TextField } from "../ui/fields.tsx";
import { useCreateTicketFor } from "./queries.ts";

// Opens a ticket on the contact's behalf (a phone call, a walk-in) and goes to it. Mounted only
// while open, so each opening starts blank with a fresh idempotency key.
export function NewTicketDialog({ contact, onClose }: { contact: Contact; onClose: () => void }) {
  const [key] = useState(() => crypto.randomUUID());
  const create = useCreateTicketFor(contact.id, key);
  const navigate = useNavigate();
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [internal, setInternal] = useState(false);
  const errors = errorsByField(create.error, 2);
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(
      { subject: subject.trim(), body, public: !internal },
      { onSuccess: (ticket) => void navigate({ to: "/tickets/$ticketId", params: { ticketId: ticket.id } }) },
    );
  }
  return (
    <Dialog
      title={`New ticket for ${contact.name || contact.emails[0] || "this contact"}`}
      open
      onOpenChange={(open) => !open && onClose()}
    >
      <form onSubmit={submit} aria-label="New ticket">
        {create.error && (
          <p className="form-error" role="alert">
            {formError(create.error, ["subject", "comment.body"], 2)}
          </p>
        )}
        <TextField
          label="Subject"
          required
          value={subject}
          error={errors.subject}
          onChange={(e) => setSubject(e.target.value)}
        />
        <TextArea
          label="First message"
          required
          rows={5}
          value={body}
          error={errors["comment.body"]}
          onChange={(e) => setBody(e.target.value)}
        />
        <CheckboxField
          label="Internal note"
          hint="Only agents see it; otherwise it is a public message the customer can read."
          checked={internal}
          onChange={(e) => setInternal(e.target.checked)}
        />
        <div className="form-actions">
          <Button type="submit" variant="primary" disabled={create.isPending}>
            Create ticket
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Dialog>
  );
}
