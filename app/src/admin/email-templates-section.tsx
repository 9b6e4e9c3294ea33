import { useQuery } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { errorMessage } from "../api/client.ts";
import { Button } from "../ui/button.tsx";
import { ConfirmDialog } from "../ui/dialog.tsx";
import { errorsByField, formError } from "../ui/field-errors.ts";
import { TextArea, TextField } from "../ui/fields.tsx";
import {
  type EmailTemplate,
  emailTemplatesQuery,
  usePreviewTemplate,
  useResetTemplate,
  useSaveTemplate,
} from "./email-templates-queries.ts";
import "./email-templates.css";

// What each system mail is for, in the words an admin looks for (keys as in docs/email.md).
const ABOUT: Record<string, { title: string; when: string }> = {
  ticket_received: {
    title: "Ticket received",
    when: "Sent to a customer who opens a ticket by email (when the mailbox sends receipts).",
  },
  agent_replied: { title: "Agent reply", when: "Wraps every reply an agent sends by email." },
  ticket_solved: { title: "Ticket solved", when: "Sent when a ticket is set to Solved." },
  agent_replied_solved: {
    title: "Reply that solves",
    when: "One mail for a reply sent as Solved, instead of the reply and the solved notice.",
  },
};
const about = (key: string) => ABOUT[key] ?? { title: key, when: "" };

// The admin section (/admin/email-templates): the texts of the mails Parley sends by itself.
export function EmailTemplatesSection() {
  const list = useQuery(emailTemplatesQuery());
  const [editing, setEditing] = useState<string | null>(null);
  const current = list.data?.find((t) => t.key === editing);
  if (current) return <TemplateEditor key={current.key} template={current} onDone={() => setEditing(null)} />;
  return (
    <section aria-labelledby="templates-title">
      <h2 id="templates-title">System mails</h2>
      <p className="muted">
        Plain text with placeholders such as {"{{ticket.number}}"}, filled in for each ticket when the mail is
        sent. The HTML part is made from the text.
      </p>
      {list.error && <p role="alert">{errorMessage(list.error)}</p>}
      {list.isPending && <p role="status">Loading templates…</p>}
      <ul className="template-list" aria-label="System mail templates">
        {(list.data ?? []).map((template) => (
          <li key={template.key}>
            <div>
              <strong>{about(template.key).title}</strong>{" "}
              <span className={`badge ${template.custom ? "badge-edited" : ""}`}>
                {template.custom ? "Edited" : "Default"}
              </span>
              <span className="muted">{about(template.key).when}</span>
            </div>
            <Button onClick={() => setEditing(template.key)} aria-label={`Edit ${about(template.key).title}`}>
              Edit
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function TemplateEditor({ template, onDone }: { template: EmailTemplate; onDone: () => void }) {
  const [subject, setSubject] = useState(template.subject);
  const [bodyText, setBodyText] = useState(template.bodyText);
  const [saved, setSaved] = useState(false);
  const [confirmReset, setConfirmReset] = useState(false);
  const body = useRef<HTMLTextAreaElement | null>(null);
  const save = useSaveTemplate(template.key);
  const reset = useResetTemplate(template.key);
  const preview = usePreviewTemplate(template.key);
  // Whichever of save and preview ran last speaks for the fields.
  const [lastTried, setLastTried] = useState<"save" | "preview">("save");
  const failure = lastTried === "save" ? save.error : preview.error;
  const errors = errorsByField(failure);
  const title = about(template.key).title;

  const edited = () => setSaved(false);
  function insert(placeholder: string) {
    const el = body.current;
    const token = `{{${placeholder}}}`;
    const at = el ? el.selectionStart : bodyText.length;
    const end = el ? el.selectionEnd : bodyText.length;
    setBodyText(bodyText.slice(0, at) + token + bodyText.slice(end));
    edited();
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  }

  return (
    <section aria-labelledby="template-editor-title" className="template-editor">
      <h2 id="template-editor-title">{title}</h2>
      <p className="muted">{about(template.key).when}</p>
      <form
        className="form"
        aria-label={`Edit ${title}`}
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setLastTried("save");
          save.mutate({ subject, bodyText }, { onSuccess: () => setSaved(true) });
        }}
      >
        {failure && (
          <p className="form-error" role="alert">
            {formError(failure, ["subject", "bodyText"])}
          </p>
        )}
        <TextField
          label="Subject"
          value={subject}
          error={errors.subject}
          onChange={(e) => {
            setSubject(e.target.value);
            edited();
          }}
        />
        <TextArea
          label="Text"
          rows={12}
          value={bodyText}
          error={errors.bodyText}
          hint="Placeholders are written {{name}}; the buttons below insert one where the cursor is."
          // Remembered so a placeholder button knows where the cursor was.
          onFocus={(e) => {
            body.current = e.currentTarget;
          }}
          onChange={(e) => {
            setBodyText(e.target.value);
            edited();
          }}
        />
        <fieldset className="placeholder-list">
          <legend className="field-label">Placeholders (insert into the text)</legend>
          {template.placeholders.map((name) => (
            <button
              key={name}
              type="button"
              className="btn btn-ghost placeholder-chip"
              aria-label={`Insert {{${name}}}`}
              onClick={() => insert(name)}
            >
              {`{{${name}}}`}
            </button>
          ))}
        </fieldset>
        <div className="form-actions">
          <Button type="submit" variant="primary" disabled={save.isPending}>
            Save
          </Button>
          <Button
            disabled={preview.isPending}
            onClick={() => {
              setLastTried("preview");
              preview.mutate({ subject, bodyText });
            }}
          >
            Preview
          </Button>
          {template.custom && (
            <Button variant="danger" onClick={() => setConfirmReset(true)}>
              Reset to default
            </Button>
          )}
          <Button onClick={onDone}>Back to the list</Button>
        </div>
        {saved && (
          <p className="notice notice-ok" role="status">
            Saved. Mails sent from now on use this text.
          </p>
        )}
      </form>
      {preview.data && lastTried === "preview" && !preview.error && (
        <section aria-label="Preview" className="template-preview">
          <h3>Preview, for a sample ticket</h3>
          <p>
            <span className="muted">Subject:</span> {preview.data.subject}
          </p>
          <pre>{preview.data.text}</pre>
        </section>
      )}
      <ConfirmDialog
        title={`Reset “${title}”`}
        message="Put the default text back? Your edited text is discarded."
        confirmLabel="Reset to default"
        open={confirmReset}
        onOpenChange={setConfirmReset}
        pending={reset.isPending}
        error={reset.error ? errorMessage(reset.error) : null}
        onConfirm={() =>
          reset.mutate(undefined, {
            onSuccess: (fresh) => {
              setConfirmReset(false);
              setSubject(fresh.subject);
              setBodyText(fresh.bodyText);
              setSaved(false);
              preview.reset();
            },
          })
        }
      />
    </section>
  );
}
