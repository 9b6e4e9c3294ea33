import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorMessage } from "../api/client.ts";
import { CUSTOM_FIELD_KINDS, type CustomField, type CustomFieldKind } from "../api/types.ts";
import { customFieldsQuery } from "../shell/directory.ts";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { errorsByField, formError } from "../ui/field-errors.ts";
import { CheckboxField, SelectField, TextArea, TextField } from "../ui/fields.tsx";
import { humanize } from "../ui/format.ts";
import { useCreateField, useUpdateField } from "./queries.ts";

const WITH_OPTIONS: CustomFieldKind[] = ["dropdown", "multi_select"];

// Ticket fields of the workspace's own. There is no delete: a field is deactivated, so values
// tickets already hold keep their meaning.
export function FieldsSection() {
  const fields = useQuery(customFieldsQuery());
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<CustomField | null>(null);
  return (
    <section aria-labelledby="fields-title">
      <div className="section-head">
        <h2 id="fields-title">Ticket fields</h2>
        <Button variant="primary" onClick={() => setCreating(true)}>
          New field
        </Button>
      </div>
      {fields.error && <p role="alert">{errorMessage(fields.error)}</p>}
      {fields.data?.length === 0 && <p className="muted">No custom fields yet.</p>}
      {fields.data && fields.data.length > 0 && (
        <div className="table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Key</th>
                <th scope="col">Type</th>
                <th scope="col">Options</th>
                <th scope="col">Required to solve</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {fields.data.map((field) => (
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
                    <Button
                      variant="ghost"
                      aria-label={`Edit ${field.label}`}
                      onClick={() => setEditing(field)}
                    >
                      Edit
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog title="New ticket field" open={creating} onOpenChange={setCreating}>
        <FieldForm onDone={() => setCreating(false)} />
      </Dialog>
      <Dialog
        title={`Edit ${editing?.label ?? "field"}`}
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
      >
        {editing && <FieldForm field={editing} onDone={() => setEditing(null)} />}
      </Dialog>
    </section>
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

  function submit(event: FormEvent) {
    event.preventDefault();
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
    <form className="form" onSubmit={submit}>
      {mutation.error && (
        <p className="form-error" role="alert">
          {formError(mutation.error, PLACED)}
        </p>
      )}
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
      <div className="form-actions">
        <Button type="submit" variant="primary" disabled={mutation.isPending}>
          {field ? "Save field" : "Create field"}
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}
