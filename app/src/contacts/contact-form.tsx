import { type FormEvent, useEffect, useRef, useState } from "react";
import type { Contact } from "../api/types.ts";
import { Button } from "../ui/button.tsx";
import { errorsByField, formError } from "../ui/field-errors.ts";
import { SelectField, TextArea, TextField } from "../ui/fields.tsx";
import { timeZoneOptions } from "../ui/time-zones.ts";
import { showAttribute } from "./contact-details.tsx";
import { type ContactChanges, useUpdateContact } from "./queries.ts";

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);

const attributeLines = (attributes: Record<string, unknown>) =>
  Object.entries(attributes)
    .map(([key, value]) => `${key}: ${showAttribute(value)}`)
    .join("\n");

// "key: value" lines back to attributes. A value left as it was shown keeps its original JSON type
// (a number stays a number); anything typed is stored as text, which is what an agent typed.
export function parseAttributes(text: string, before: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf(":");
    if (!line.trim()) continue;
    const key = (at < 0 ? line : line.slice(0, at)).trim();
    const value = at < 0 ? "" : line.slice(at + 1).trim();
    if (!key) continue;
    out[key] = key in before && showAttribute(before[key]) === value ? before[key] : value;
  }
  return out;
}

const PLACED = ["name", "emails", "phones", "timeZone", "locale", "attributes"];

// The contact's editable details. The requester panel shows the short form; the contact page adds
// language and custom attributes (`full`).
export function ContactForm({
  contact,
  onDone,
  full = false,
}: {
  contact: Contact;
  onDone: () => void;
  full?: boolean;
}) {
  const update = useUpdateContact(contact.id);
  const [name, setName] = useState(contact.name);
  const [emails, setEmails] = useState(contact.emails.join("\n"));
  const [phones, setPhones] = useState(contact.phones.join("\n"));
  const [timeZone, setTimeZone] = useState(contact.timeZone ?? "");
  const [locale, setLocale] = useState(contact.locale ?? "");
  const [attributes, setAttributes] = useState(attributeLines(contact.attributes ?? {}));
  const errors = errorsByField(update.error);
  const formRef = useRef<HTMLFormElement>(null);
  // The button that opened the form is gone; put the keyboard on its first field instead.
  useEffect(() => formRef.current?.querySelector("input")?.focus(), []);
  function submit(event: FormEvent) {
    event.preventDefault();
    const changes: ContactChanges = {
      name: name.trim(),
      emails: lines(emails),
      phones: lines(phones),
      timeZone: timeZone || null,
    };
    if (full) {
      changes.locale = locale.trim() || null;
      changes.attributes = parseAttributes(attributes, contact.attributes ?? {});
    }
    update.mutate(changes, { onSuccess: onDone });
  }
  return (
    <form ref={formRef} className="contact-form" onSubmit={submit} aria-label="Edit contact">
      {update.error && (
        <p className="form-error" role="alert">
          {formError(update.error, PLACED)}
        </p>
      )}
      <TextField label="Name" value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
      <TextArea
        label="Emails"
        hint="One per line."
        rows={2}
        value={emails}
        error={errors.emails}
        onChange={(e) => setEmails(e.target.value)}
      />
      <TextArea
        label="Phones"
        hint="One per line."
        rows={2}
        value={phones}
        error={errors.phones}
        onChange={(e) => setPhones(e.target.value)}
      />
      <SelectField
        label="Time zone"
        value={timeZone}
        error={errors.timeZone}
        onChange={(e) => setTimeZone(e.target.value)}
        options={[{ value: "", label: "Not set" }, ...timeZoneOptions(contact.timeZone)]}
      />
      {full && (
        <>
          <TextField
            label="Language"
            hint="A language tag, e.g. en or pt-BR."
            value={locale}
            error={errors.locale}
            onChange={(e) => setLocale(e.target.value)}
          />
          <TextArea
            label="Custom attributes"
            hint="One per line, as key: value."
            rows={3}
            value={attributes}
            error={errors.attributes}
            onChange={(e) => setAttributes(e.target.value)}
          />
        </>
      )}
      <div className="form-actions">
        <Button type="submit" variant="primary" disabled={update.isPending}>
          Save contact
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}
