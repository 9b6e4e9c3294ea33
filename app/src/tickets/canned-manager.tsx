import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorMessage } from "../api/client.ts";
import { Button } from "../ui/button.tsx";
import { ConfirmDialog } from "../ui/dialog.tsx";
import { errorsByField, formError } from "../ui/field-errors.ts";
import { TextArea, TextField } from "../ui/fields.tsx";
import { cannedResponsesQuery, useDeleteCannedResponse, useSaveCannedResponse } from "./queries.ts";
import type { CannedResponse } from "./types.ts";

const PLACEHOLDER_HINT =
  "Placeholders: {{requester.first_name}}, {{requester.name}}, {{requester.email}}, {{agent.name}}, " +
  "{{agent.first_name}}, {{ticket.number}}, {{ticket.subject}}. A blank line starts a new paragraph.";

// The workspace's canned responses for an admin: add, edit, delete. Opened from the composer's
// picker; self-contained so the admin pages can show it too.
export function CannedResponsesManager() {
  const list = useQuery(cannedResponsesQuery(""));
  const [editing, setEditing] = useState<CannedResponse | "new" | null>(null);
  const [deleting, setDeleting] = useState<CannedResponse | null>(null);
  const remove = useDeleteCannedResponse();
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
              onClick={() => setDeleting(response)}
              aria-label={`Delete ${response.title}`}
            >
              Delete
            </Button>
          </li>
        ))}
      </ul>
      {list.data?.length === 0 && <p className="empty-state">No canned responses yet.</p>}
      <ConfirmDialog
        title="Delete canned response"
        message={`Delete “${deleting?.title ?? ""}”? Agents will no longer find it in the picker.`}
        confirmLabel="Delete"
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      />
    </div>
  );
}

function CannedForm({ response, onDone }: { response: CannedResponse | null; onDone: () => void }) {
  const [title, setTitle] = useState(response?.title ?? "");
  const [body, setBody] = useState(response?.body ?? "");
  const save = useSaveCannedResponse();
  const fields = errorsByField(save.error);
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ id: response?.id ?? null, title, body }, { onSuccess: onDone });
  }
  const general = formError(save.error, ["title", "body"]);
  return (
    <form
      className="canned-form"
      onSubmit={submit}
      aria-label={response ? "Edit canned response" : "New canned response"}
    >
      <TextField
        label="Title"
        value={title}
        required
        maxLength={200}
        error={fields.title}
        onChange={(e) => setTitle(e.target.value)}
      />
      <TextArea
        label="Text"
        value={body}
        required
        rows={6}
        hint={PLACEHOLDER_HINT}
        error={fields.body}
        onChange={(e) => setBody(e.target.value)}
      />
      {general && Object.keys(fields).length === 0 && (
        <p className="form-error" role="alert">
          {general}
        </p>
      )}
      <div className="form-actions">
        <Button type="submit" variant="primary" disabled={save.isPending}>
          Save
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}
