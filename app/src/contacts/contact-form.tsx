import { useState } from "react";
import type { Contact } from "../api/types.ts";
import { AttributesField, attributeLines, EditForm, listLines, parseAttributes } from "../ui/edit-form.tsx";
import { errorsByField } from "../ui/field-errors.ts";
import { SelectField, TextArea, TextField } from "../ui/fields.tsx";
import { timeZoneOptions } from "../ui/time-zones.ts";
import { type ContactChanges, useUpdateContact } from "./queries.ts";

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
  function submit() {
    const changes: ContactChanges = {
      name: name.trim(),
      emails: listLines(emails),
      phones: listLines(phones),
      timeZone: timeZone || null,
    };
    if (full) {
      changes.locale = locale.trim() || null;
      changes.attributes = parseAttributes(attributes, contact.attributes ?? {});
    }
    update.mutate(changes, { onSuccess: onDone });
  }
  return (
    <EditForm
      label="Edit contact"
      submitLabel="Save contact"
      error={update.error}
      placed={PLACED}
      pending={update.isPending}
      onSubmit={submit}
      onCancel={onDone}
    >
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
          <AttributesField value={attributes} error={errors.attributes} onChange={setAttributes} />
        </>
      )}
    </EditForm>
  );
}
