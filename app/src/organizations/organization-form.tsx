import { type FormEvent, useEffect, useRef, useState } from "react";
import type { Organization } from "../api/types.ts";
import { showAttribute } from "../contacts/contact-details.tsx";
import { parseAttributes } from "../contacts/contact-form.tsx";
import { Button } from "../ui/button.tsx";
import { errorsByField, formError } from "../ui/field-errors.ts";
import { TextArea, TextField } from "../ui/fields.tsx";
import { type OrganizationChanges, useUpdateOrganization } from "./queries.ts";

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);

const PLACED = ["name", "domains", "notes", "attributes"];

// The API names a bad domain by its place in the list ("domains.1"); one textarea holds them all,
// so the message names the value the agent typed instead.
function domainErrors(error: unknown, sent: string[]): string | undefined {
  const byIndex = errorsByField(error, 2);
  const bad = Object.keys(byIndex)
    .filter((key) => /^domains\.\d+$/.test(key))
    .map((key) => sent[Number(key.split(".")[1])])
    .filter((value): value is string => value !== undefined);
  if (bad.length) {
    return `${bad.map((d) => `"${d}"`).join(", ")} ${bad.length > 1 ? "are not domain names" : "is not a domain name"}: write a name such as acme.com, without http:// or @.`;
  }
  return errorsByField(error).domains;
}

export function OrganizationForm({
  organization,
  onDone,
}: {
  organization: Organization;
  onDone: () => void;
}) {
  const update = useUpdateOrganization(organization.id);
  const [name, setName] = useState(organization.name);
  const [domains, setDomains] = useState(organization.domains.join("\n"));
  const [notes, setNotes] = useState(organization.notes);
  const [attributes, setAttributes] = useState(
    Object.entries(organization.attributes)
      .map(([key, value]) => `${key}: ${showAttribute(value)}`)
      .join("\n"),
  );
  const [sent, setSent] = useState<string[]>([]);
  const errors = errorsByField(update.error);
  const formRef = useRef<HTMLFormElement>(null);
  // The button that opened the form is gone; put the keyboard on its first field instead.
  useEffect(() => formRef.current?.querySelector("input")?.focus(), []);
  function submit(event: FormEvent) {
    event.preventDefault();
    const changes: OrganizationChanges = {
      name: name.trim(),
      domains: lines(domains),
      notes,
      attributes: parseAttributes(attributes, organization.attributes),
    };
    setSent(changes.domains ?? []);
    update.mutate(changes, { onSuccess: onDone });
  }
  return (
    <form ref={formRef} className="contact-form" onSubmit={submit} aria-label="Edit organization">
      {update.error && (
        <p className="form-error" role="alert">
          {formError(update.error, PLACED)}
        </p>
      )}
      <TextField label="Name" value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
      <TextArea
        label="Domains"
        hint="One per line, such as acme.com. New contacts whose email is at one of these domains join this organization."
        rows={2}
        value={domains}
        error={domainErrors(update.error, sent)}
        onChange={(e) => setDomains(e.target.value)}
      />
      <TextArea
        label="Notes"
        rows={4}
        value={notes}
        error={errors.notes}
        onChange={(e) => setNotes(e.target.value)}
      />
      <TextArea
        label="Custom attributes"
        hint="One per line, as key: value."
        rows={3}
        value={attributes}
        error={errors.attributes}
        onChange={(e) => setAttributes(e.target.value)}
      />
      <div className="form-actions">
        <Button type="submit" variant="primary" disabled={update.isPending}>
          Save organization
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}
