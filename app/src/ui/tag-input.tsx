import { type KeyboardEvent, useId, useState } from "react";

interface TagInputProps {
  label: string;
  tags: string[];
  onAdd: (tag: string) => void;
  onRemove: (tag: string) => void;
  disabled?: boolean;
  error?: string | null;
}

// Tags as a list of removable chips plus a text box: Enter or comma adds what was typed,
// Backspace in the empty box removes the last tag. Every chip's remove button names its tag,
// so a screen reader hears "Remove tag billing", not "×".
export function TagInput({ label, tags, onAdd, onRemove, disabled, error }: TagInputProps) {
  const id = useId();
  const [text, setText] = useState("");

  function add() {
    const tag = text.trim().replace(/,+$/, "").trim();
    if (tag && !tags.includes(tag)) onAdd(tag);
    setText("");
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      add();
    } else if (event.key === "Backspace" && text === "" && tags.length > 0) {
      onRemove(tags[tags.length - 1]);
    }
  }

  return (
    <fieldset className="field tag-input">
      <legend id={`${id}-label`} className="field-label">
        {label}
      </legend>
      {tags.length > 0 ? (
        <ul className="tag-list" aria-labelledby={`${id}-label`}>
          {tags.map((tag) => (
            <li key={tag} className="tag">
              <span>{tag}</span>
              <button
                type="button"
                className="tag-remove"
                aria-label={`Remove tag ${tag}`}
                title={`Remove tag ${tag}`}
                disabled={disabled}
                onClick={() => onRemove(tag)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="field-hint">No tags.</p>
      )}
      <label htmlFor={`${id}-input`} className="sr-only">
        Add a tag
      </label>
      <input
        id={`${id}-input`}
        value={text}
        disabled={disabled}
        placeholder="Add a tag…"
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
        aria-invalid={error ? true : undefined}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => text.trim() && add()}
      />
      <p id={`${id}-hint`} className="sr-only">
        Press Enter to add the tag.
      </p>
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
