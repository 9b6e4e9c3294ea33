import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import type { Contact, Ticket } from "../../api/types.ts";
import { useGroups } from "../../shell/directory.ts";
import { Button } from "../../ui/button.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { errorsByField, formError } from "../../ui/field-errors.ts";
import { CheckboxField, SelectField, TextArea, TextField } from "../../ui/fields.tsx";
import { useCreateTicket } from "./queries.ts";
import {
  type RequesterChoice,
  RequesterPicker,
  requesterInput,
  requesterProblem,
  wantsNewContact,
} from "./requester-picker.tsx";

const PRIORITIES: Ticket["priority"][] = ["low", "normal", "high", "urgent"];
// Every field on the form, as the API names it (depth 2), so formError repeats none of them.
const PLACED = ["requester", "requester.id", "requester.email", "requester.name", "subject", "comment.body"];

// A ticket on a customer's behalf (a call, a walk-in, a forwarded note), from the header's "New
// ticket", or from a contact's page with that contact as the requester. Mounted only while open,
// so each opening starts blank with a fresh idempotency key.
export function NewTicketDialog({
  requester: preset,
  onClose,
}: {
  requester?: Contact;
  onClose: () => void;
}) {
  const [key] = useState(() => crypto.randomUUID());
  const create = useCreateTicket(key);
  const navigate = useNavigate();
  const groups = useGroups();
  const [requester, setRequester] = useState<RequesterChoice>(preset ? { contact: preset } : { text: "" });
  const [newName, setNewName] = useState("");
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [internal, setInternal] = useState(false);
  const [groupId, setGroupId] = useState("");
  const [priority, setPriority] = useState<Ticket["priority"]>("normal");
  const byField = errorsByField(create.error, 1);
  const byPath = errorsByField(create.error, 2);
  const [checked, setChecked] = useState<string | null>(null);
  const requesterError = checked ?? byField.requester;

  function submit(event: FormEvent) {
    event.preventDefault();
    const problem = requesterProblem(requester);
    setChecked(problem);
    if (problem) return;
    create.mutate(
      {
        requester: requesterInput(requester, newName),
        subject: subject.trim(),
        body,
        public: !internal,
        groupId: groupId ? Number(groupId) : null,
        priority,
      },
      {
        onSuccess: (ticket) => {
          onClose();
          void navigate({ to: "/tickets/$ticketId", params: { ticketId: ticket.id } });
        },
      },
    );
  }
  return (
    <Dialog
      title={preset ? `New ticket for ${preset.name || preset.emails[0] || "this contact"}` : "New ticket"}
      open
      onOpenChange={(open) => !open && onClose()}
    >
      {/* noValidate: the API's own messages appear beside each field, the same for every browser. */}
      <form onSubmit={submit} aria-label="New ticket" className="form" noValidate>
        {create.error && (
          <p className="form-error" role="alert">
            {formError(create.error, [...PLACED, "groupId", "priority"], 2)}
          </p>
        )}
        <RequesterPicker value={requester} onChange={setRequester} error={requesterError} />
        {wantsNewContact(requester) && (
          <TextField
            label="Name of the new contact"
            hint="Optional; without it the contact is named after the address."
            value={newName}
            onChange={(e) => setNewName(e.target.value)}
          />
        )}
        <TextField
          label="Subject"
          aria-required
          value={subject}
          error={byField.subject}
          onChange={(e) => setSubject(e.target.value)}
        />
        <TextArea
          label="First message"
          aria-required
          rows={5}
          value={body}
          error={byPath["comment.body"]}
          onChange={(e) => setBody(e.target.value)}
        />
        <CheckboxField
          label="Internal note"
          hint="Only agents see it; otherwise it is a public message the customer can read."
          checked={internal}
          onChange={(e) => setInternal(e.target.checked)}
        />
        <SelectField
          label="Group"
          value={groupId}
          error={byField.groupId}
          options={[
            { value: "", label: "No group" },
            ...groups.map((g) => ({ value: String(g.id), label: g.name })),
          ]}
          onChange={(e) => setGroupId(e.target.value)}
        />
        <SelectField
          label="Priority"
          value={priority}
          error={byField.priority}
          options={PRIORITIES.map((p) => ({ value: p, label: p[0].toUpperCase() + p.slice(1) }))}
          onChange={(e) => setPriority(e.target.value as Ticket["priority"])}
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
