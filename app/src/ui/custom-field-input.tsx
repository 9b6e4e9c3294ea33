import { type KeyboardEvent, useEffect, useState } from "react";
import type { CustomField } from "../api/types.ts";
import { CheckboxField, CheckboxGroup, SelectField, TextField } from "./fields.tsx";

interface CustomFieldInputProps {
  field: CustomField;
  value: unknown;
  // null clears the value.
  onSave: (value: unknown) => void;
  error?: string | null;
  disabled?: boolean;
}

// One ticket custom field, shaped by its kind. Choices save at once; typed values save when the
// agent leaves the box or presses Enter, so a half-typed number is never sent.
export function CustomFieldInput({ field, value, onSave, error, disabled }: CustomFieldInputProps) {
  const hint = field.requiredOnSolve ? "Required to solve" : undefined;
  const common = { label: field.label, error, hint, disabled };
  switch (field.kind) {
    case "checkbox":
      return (
        <CheckboxField {...common} checked={value === true} onChange={(e) => onSave(e.target.checked)} />
      );
    case "dropdown":
      return (
        <SelectField
          {...common}
          value={typeof value === "string" ? value : ""}
          onChange={(e) => onSave(e.target.value || null)}
          options={[{ value: "", label: "—" }, ...field.options.map((o) => ({ value: o, label: o }))]}
        />
      );
    case "multi_select":
      return (
        <CheckboxGroup
          legend={field.label}
          hint={hint}
          error={error}
          disabled={disabled}
          options={field.options.map((o) => ({ value: o, label: o }))}
          value={Array.isArray(value) ? (value as string[]) : []}
          onChange={(next) => onSave(next.length ? next : null)}
        />
      );
    case "date":
      return (
        <TypedInput {...common} type="date" value={value} parse={(text) => text || null} onSave={onSave} />
      );
    case "number":
      return (
        <TypedInput
          {...common}
          type="number"
          value={value}
          parse={(text) => (text.trim() === "" ? null : Number(text))}
          onSave={onSave}
        />
      );
    default:
      return (
        <TypedInput
          {...common}
          type="text"
          value={value}
          parse={(text) => text.trim() || null}
          onSave={onSave}
        />
      );
  }
}

interface TypedInputProps {
  label: string;
  type: "text" | "number" | "date";
  value: unknown;
  parse: (text: string) => unknown;
  onSave: (value: unknown) => void;
  error?: string | null;
  hint?: string;
  disabled?: boolean;
}

// A typed value is a draft until saved; a change saved by someone else replaces the draft unless
// the agent is editing this very box.
function TypedInput({ label, type, value, parse, onSave, error, hint, disabled }: TypedInputProps) {
  const shown = value === null || value === undefined ? "" : String(value);
  const [draft, setDraft] = useState(shown);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    if (!editing) setDraft(shown);
  }, [shown, editing]);
  function save() {
    const next = parse(draft);
    if (typeof next === "number" && Number.isNaN(next)) return;
    if ((next ?? null) !== (value ?? null)) onSave(next);
  }
  return (
    <TextField
      label={label}
      type={type}
      step={type === "number" ? "any" : undefined}
      error={error}
      hint={hint}
      disabled={disabled}
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onFocus={() => setEditing(true)}
      onBlur={() => {
        setEditing(false);
        save();
      }}
      onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => {
        if (e.key === "Enter") {
          e.preventDefault();
          save();
        }
      }}
    />
  );
}
