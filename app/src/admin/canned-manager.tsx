import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "../api/client.ts";
import { cannedResponsesQuery, useDeleteCannedResponse, useSaveCannedResponse } from "../tickets/queries.ts";
import type { CannedResponse } from "../tickets/types.ts";
import { Button } from "../ui/button.tsx";
import { errorsByField } from "../ui/field-errors.ts";
import { TextArea, TextField } from "../ui/fields.tsx";
import { ConfirmDelete, useConfirmDelete } from "../ui/resource-dialogs.tsx";
import { ResourceForm } from "../ui/resource-form.tsx";
import { ResourceSection } from "../ui/resource-table.tsx";
import "./canned-manager.css";

const PLACEHOLDER_HINT =
  "Placeholders: {{requester.first_name}}, {{requester.name}}, {{requester.email}}, {{agent.name}}, " +
  "{{agent.first_name}}, {{ticket.number}}, {{ticket.subject}}. A blank line starts a new paragraph.";

// The admin section (/admin/canned-responses). Every response is shared by the whole workspace:
// any agent inserts them, only admins write them (server/canned/routes.ts).
export function CannedSection() {
  return (
    <ResourceSection id="canned" title="Shared with every agent">
      <p className="muted">
        Agents insert these from “Canned responses” in a ticket's composer; placeholders are filled in from
        the ticket when inserted.
      </p>
      <CannedResponsesManager />
    </ResourceSection>
  );
}

// The workspace's canned responses for an admin: add, edit, delete. The same manager serves the
// admin section and the composer picker's "Manage canned responses" dialog, so it edits in
// place rather than in a dialog of its own.
export function CannedResponsesManager() {
  const list = useQuery(cannedResponsesQuery(""));
  const [editing, setEditing] = useState<CannedResponse | "new" | null>(null);
  const deleting = useConfirmDelete<CannedResponse>(useDeleteCannedResponse());
  return (
    <div className="canned-manager">
      {list.error && <p role="alert">{errorMessage(list.error)}</p>}
      {editing ? (
        <CannedForm
          key={editing === "new" ? "new" : editing.id}
          response={editing === "new" ? null : editing}
          onDone={() => setEditing(null)}
        />
      ) : (
        <Button onClick={() => setEditing("new")}>New canned response</Button>
      )}
      <ul className="canned-manager-list" aria-label="Saved canned responses">
        {(list.data ?? []).map((response) => (
          <li key={response.id}>
            <div>
              <strong>{response.title}</strong>
              <span className="canned-preview">{response.body.slice(0, 120)}</span>
            </div>
            <Button onClick={() => setEditing(response)} aria-label={`Edit ${response.title}`}>
              Edit
            </Button>
            <Button
              variant="danger"
              onClick={() => deleting.ask(response)}
              aria-label={`Delete ${response.title}`}
            >
              Delete
            </Button>
          </li>
        ))}
      </ul>
      {list.data?.length === 0 && <p className="empty-state">No canned responses yet.</p>}
      <ConfirmDelete
        confirm={deleting}
        title="Delete canned response"
        message={`Delete “${deleting.target?.title ?? ""}”? Agents will no longer find it in the picker.`}
        confirmLabel="Delete"
      />
    </div>
  );
}

function CannedForm({ response, onDone }: { response: CannedResponse | null; onDone: () => void }) {
  const [title, setTitle] = useState(response?.title ?? "");
  const [body, setBody] = useState(response?.body ?? "");
  const save = useSaveCannedResponse();
  const errors = errorsByField(save.error);
  return (
    <ResourceForm
      className="canned-form"
      aria-label={response ? "Edit canned response" : "New canned response"}
      error={save.error}
      placed={["title", "body"]}
      pending={save.isPending}
      submitLabel="Save"
      onSubmit={() => save.mutate({ id: response?.id ?? null, title, body }, { onSuccess: onDone })}
      onCancel={onDone}
    >
      <TextField
        label="Title"
        value={title}
        required
        maxLength={200}
        error={errors.title}
        onChange={(e) => setTitle(e.target.value)}
      />
      <TextArea
        label="Text"
        value={body}
        required
        rows={6}
        hint={PLACEHOLDER_HINT}
        error={errors.body}
        onChange={(e) => setBody(e.target.value)}
      />
    </ResourceForm>
  );
}
