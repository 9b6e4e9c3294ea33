import { type FormEvent, type ReactNode, useEffect, useRef } from "react";
import { Button } from "./button.tsx";
import { formError } from "./field-errors.ts";
import { TextArea } from "./fields.tsx";

// A list typed one per line (commas work too), as the API wants it.
export const listLines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);

// Attributes are free-form JSON: strings read as they are, anything else as its JSON.
export const showAttribute = (value: unknown) =>
  typeof value === "object" ? JSON.stringify(value) : String(value);

export const attributeLines = (attributes: Record<string, unknown>) =>
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

export function AttributesField({
  value,
  error,
  onChange,
}: {
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  return (
    <TextArea
      label="Custom attributes"
      hint="One per line, as key: value."
      rows={3}
      value={value}
      error={error}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

interface EditFormProps {
  label: string;
  submitLabel: string;
  error: unknown;
  // The fields the form shows an error beside; the rest join the message at the top.
  placed: string[];
  pending: boolean;
  onSubmit: () => void;
  onCancel: () => void;
  children: ReactNode;
}

// The edit form of a record page (contact, organization): the message for what no field shows,
// the fields, then save and cancel.
export function EditForm(props: EditFormProps) {
  const formRef = useRef<HTMLFormElement>(null);
  // The button that opened the form is gone; put the keyboard on its first field instead.
  useEffect(() => formRef.current?.querySelector("input")?.focus(), []);
  function submit(event: FormEvent) {
    event.preventDefault();
    props.onSubmit();
  }
  return (
    <form ref={formRef} className="contact-form" onSubmit={submit} aria-label={props.label}>
      {Boolean(props.error) && (
        <p className="form-error" role="alert">
          {formError(props.error, props.placed)}
        </p>
      )}
      {props.children}
      <div className="form-actions">
        <Button type="submit" variant="primary" disabled={props.pending}>
          {props.submitLabel}
        </Button>
        <Button onClick={props.onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
