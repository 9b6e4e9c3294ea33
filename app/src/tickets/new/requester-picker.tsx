import { useQuery } from "@tanstack/react-query";
import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import type { Contact } from "../../api/types.ts";
import { Button } from "../../ui/button.tsx";
import { contactSearchQuery } from "./queries.ts";

export type RequesterChoice = { contact: Contact } | { text: string };

const looksLikeEmail = (text: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text.trim());

export const contactLabel = (contact: Contact) =>
  contact.emails[0] && contact.name
    ? `${contact.name} <${contact.emails[0]}>`
    : contact.name || contact.emails[0] || "";

// Waits until typing pauses, so each keystroke is not a request.
function usePaused(value: string, ms = 200) {
  const [paused, setPaused] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setPaused(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return paused;
}

interface RequesterPickerProps {
  value: RequesterChoice;
  onChange: (value: RequesterChoice) => void;
  error?: string | null;
}

// A combobox over the workspace's contacts (name or address). A typed address that matches no
// one becomes a new contact when the ticket is made, so a first-time caller needs no detour.
export function RequesterPicker({ value, onChange, error }: RequesterPickerProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const text = "text" in value ? value.text : "";
  const term = usePaused(text.trim());
  const matches = useQuery(contactSearchQuery(term)).data ?? [];
  const shown = open && "text" in value && term.length >= 2 ? matches : [];
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;

  if ("contact" in value) {
    return (
      <fieldset className="field requester-fieldset">
        <legend className="field-label">Requester</legend>
        <div className="requester-chosen">
          <span>{contactLabel(value.contact)}</span>
          <Button
            variant="ghost"
            onClick={() => {
              onChange({ text: "" });
              setTimeout(() => input.current?.focus());
            }}
          >
            Change requester
          </Button>
        </div>
        {error && (
          <p id={errorId} className="field-error" role="alert">
            {error}
          </p>
        )}
      </fieldset>
    );
  }

  const choose = (contact: Contact) => {
    onChange({ contact });
    setOpen(false);
  };
  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown" && shown.length) {
      event.preventDefault();
      setOpen(true);
      setActive((a) => (a + 1) % shown.length);
    } else if (event.key === "ArrowUp" && shown.length) {
      event.preventDefault();
      setActive((a) => (a - 1 + shown.length) % shown.length);
    } else if (event.key === "Enter" && shown[active]) {
      // Picks the highlighted contact rather than submitting the form.
      event.preventDefault();
      choose(shown[active]);
    }
  }
  const newContact =
    looksLikeEmail(text) && !matches.some((c) => c.emails.includes(text.trim().toLowerCase()));
  return (
    <div className="field requester-picker">
      <label htmlFor={id} className="field-label">
        Requester
      </label>
      <input
        ref={input}
        id={id}
        type="text"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={shown.length > 0}
        aria-controls={`${id}-list`}
        aria-activedescendant={shown[active] ? `${id}-option-${shown[active].id}` : undefined}
        aria-describedby={[hintId, error ? errorId : ""].filter(Boolean).join(" ")}
        aria-invalid={error ? true : undefined}
        value={text}
        placeholder="Name or email address"
        onChange={(event) => {
          onChange({ text: event.target.value });
          setOpen(true);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      {shown.length > 0 && (
        <div id={`${id}-list`} role="listbox" aria-label="Matching contacts" className="requester-options">
          {shown.map((contact, index) => (
            <div
              key={contact.id}
              id={`${id}-option-${contact.id}`}
              role="option"
              tabIndex={-1}
              aria-selected={index === active}
              // Chosen on mousedown, before the input's blur closes the list.
              onMouseDown={(event) => {
                event.preventDefault();
                choose(contact);
              }}
              onKeyDown={(event) => event.key === "Enter" && choose(contact)}
              onMouseEnter={() => setActive(index)}
            >
              {contactLabel(contact)}
            </div>
          ))}
        </div>
      )}
      <p id={hintId} className="field-hint">
        {newContact
          ? `No contact has this address yet: one is added for ${text.trim()}.`
          : "Type a name or an email address and pick the contact, or type a new address."}
      </p>
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

// What the API gets for the choice: the contact's id, a new address, or nothing (refused there
// as "requester is required", shown beside this field).
export function requesterInput(value: RequesterChoice, newName: string) {
  if ("contact" in value) return { id: value.contact.id };
  const email = value.text.trim();
  if (!email) return undefined;
  return newName.trim() ? { email, name: newName.trim() } : { email };
}

export const wantsNewContact = (value: RequesterChoice) => "text" in value && looksLikeEmail(value.text);

// Typed text that is neither a picked contact nor an address: said here in words, since the API
// would answer with every way its requester schema can fail.
export function requesterProblem(value: RequesterChoice): string | null {
  if ("contact" in value || !value.text.trim() || looksLikeEmail(value.text)) return null;
  return "Pick a contact from the list, or type a whole email address.";
}
