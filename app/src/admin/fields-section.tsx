import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { CUSTOM_FIELD_KINDS, type CustomField, type CustomFieldKind } from "../api/types.ts";
import { customFieldsQuery } from "../shell/directory.ts";
import { errorsByField } from "../ui/field-errors.ts";
import { CheckboxField, SelectField, TextArea, TextField } from "../ui/fields.tsx";
import { humanize } from "../ui/format.ts";
import { ResourceDialogs, useResourceDialogs } from "../ui/resource-dialogs.tsx";
import { ResourceForm } from "../ui/resource-form.tsx";
import { ResourceSection, ResourceTable, RowAction } from "../ui/resource-table.tsx";
import { useCreateField, useUpdateField } from "./queries.ts";

const WITH_OPTIONS: CustomFieldKind[] = ["dropdown", "multi_select"];

// Ticket fields of the workspace's own. There is no delete: a field is deactivated, so values
// tickets already hold keep their meaning.
export function FieldsSection() {
  const fields = useQuery(customFieldsQuery());
  const dialogs = useResourceDialogs<CustomField>();
  return (
    <ResourceSection
      id="fields"
      title="Ticket fields"
      action={{ label: "New field", onClick: () => dialogs.setCreating(true) }}
    >
      <ResourceTable
        rows={fields.data}
        error={fields.error}
        empty="No custom fields yet."
        columns={["Label", "Key", "Type", "Options", "Required to solve", "Status"]}
      >
        {(field) => (
          <tr key={field.id} className={field.active ? undefined : "inactive"}>
            <th scope="row">{field.label}</th>
            <td>
              <code>{field.key}</code>
            </td>
            <td>{humanize(field.kind)}</td>
            <td>{field.options.join(", ") || "—"}</td>
            <td>{field.requiredOnSolve ? "Yes" : "No"}</td>
            <td>{field.active ? "Active" : "Inactive"}</td>
            <td className="row-actions">
              <RowAction verb="Edit" name={field.label} onClick={() => dialogs.setEditing(field)} />
            </td>
          </tr>
        )}
      </ResourceTable>
      <ResourceDialogs
        dialogs={dialogs}
        newTitle="New ticket field"
        editTitle={(field) => `Edit ${field?.label ?? "field"}`}
        form={(field, done) => <FieldForm field={field} onDone={done} />}
      />
    </ResourceSection>
  );
}

// "Order reference" -> "order_reference": the key integrations and exports use.
const keyFromLabel = (label: string) =>
  label
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^[^a-z]+|_+$/g, "")
    .slice(0, 64);

const PLACED = ["label", "key", "kind", "options", "requiredOnSolve", "active", "position"];

function FieldForm({ field, onDone }: { field?: CustomField; onDone: () => void }) {
  const create = useCreateField();
  const update = useUpdateField();
  const mutation = field ? update : create;
  const [label, setLabel] = useState(field?.label ?? "");
  const [key, setKey] = useState(field?.key ?? "");
  const [keyEdited, setKeyEdited] = useState(false);
  const [kind, setKind] = useState<CustomFieldKind>(field?.kind ?? "text");
  const [options, setOptions] = useState((field?.options ?? []).join("\n"));
  const [requiredOnSolve, setRequired] = useState(field?.requiredOnSolve ?? false);
  const [active, setActive] = useState(field?.active ?? true);
  const [position, setPosition] = useState(String(field?.position ?? 0));
  const errors = errorsByField(mutation.error);
  const hasOptions = WITH_OPTIONS.includes(kind);

  function submit() {
    const input = {
      label: label.trim(),
      options: hasOptions
        ? options
            .split("\n")
            .map((o) => o.trim())
            .filter(Boolean)
        : [],
      requiredOnSolve,
      position: Number(position) || 0,
    };
    if (field) update.mutate({ id: field.id, ...input, active }, { onSuccess: onDone });
    else create.mutate({ ...input, key: key || keyFromLabel(label), kind }, { onSuccess: onDone });
  }

  return (
    <ResourceForm
      error={mutation.error}
      placed={PLACED}
      pending={mutation.isPending}
      submitLabel={field ? "Save field" : "Create field"}
      onSubmit={submit}
      onCancel={onDone}
    >
      <TextField
        label="Label"
        required
        value={label}
        error={errors.label}
        onChange={(e) => {
          setLabel(e.target.value);
          if (!field && !keyEdited) setKey(keyFromLabel(e.target.value));
        }}
      />
      {field ? (
        <p className="field-hint">
          Key <code>{field.key}</code>, type {humanize(field.kind)}: both are fixed once created.
        </p>
      ) : (
        <>
          <TextField
            label="Key"
            required
            pattern="[a-z][a-z0-9_]{0,63}"
            hint="Lowercase letters, digits and _; how the API and exports name it. Fixed once created."
            value={key}
            error={errors.key}
            onChange={(e) => {
              setKey(e.target.value);
              setKeyEdited(true);
            }}
          />
          <SelectField
            label="Type"
            value={kind}
            error={errors.kind}
            options={CUSTOM_FIELD_KINDS.map((k) => ({ value: k, label: humanize(k) }))}
            onChange={(e) => setKind(e.target.value as CustomFieldKind)}
          />
        </>
      )}
      {hasOptions && (
        <TextArea
          label="Options"
          required
          rows={4}
          hint="One per line, in the order agents see them."
          value={options}
          error={errors.options}
          onChange={(e) => setOptions(e.target.value)}
        />
      )}
      <CheckboxField
        label="Required to solve a ticket"
        checked={requiredOnSolve}
        error={errors.requiredOnSolve}
        onChange={(e) => setRequired(e.target.checked)}
      />
      {field && (
        <CheckboxField
          label="Active (shown on tickets)"
          checked={active}
          error={errors.active}
          onChange={(e) => setActive(e.target.checked)}
        />
      )}
      <TextField
        label="Position"
        type="number"
        min={0}
        hint="Fields are shown in ascending position."
        value={position}
        error={errors.position}
        onChange={(e) => setPosition(e.target.value)}
      />
    </ResourceForm>
  );
}
