import { useState } from "react";
import type { Organization } from "../api/types.ts";
import { AttributesField, attributeLines, EditForm, listLines, parseAttributes } from "../ui/edit-form.tsx";
import { errorsByField } from "../ui/field-errors.ts";
import { TextArea, TextField } from "../ui/fields.tsx";
import { type OrganizationChanges, useUpdateOrganization } from "./queries.ts";

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
  const [attributes, setAttributes] = useState(attributeLines(organization.attributes));
  const [sent, setSent] = useState<string[]>([]);
  const errors = errorsByField(update.error);
  function submit() {
    const changes: OrganizationChanges = {
      name: name.trim(),
      domains: listLines(domains),
      notes,
      attributes: parseAttributes(attributes, organization.attributes),
    };
    setSent(changes.domains ?? []);
    update.mutate(changes, { onSuccess: onDone });
  }
  return (
    <EditForm
      label="Edit organization"
      submitLabel="Save organization"
      error={update.error}
      placed={PLACED}
      pending={update.isPending}
      onSubmit={submit}
      onCancel={onDone}
    >
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
      <AttributesField value={attributes} error={errors.attributes} onChange={setAttributes} />
    </EditForm>
  );
}
