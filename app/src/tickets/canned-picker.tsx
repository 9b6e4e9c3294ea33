import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Popover } from "radix-ui";
import { type KeyboardEvent, useId, useState } from "react";
import { CannedResponsesManager } from "../admin/canned-manager.tsx";
import { errorMessage } from "../api/client.ts";
import { Dialog } from "../ui/dialog.tsx";
import { cannedResponsesQuery } from "./queries.ts";
import type { CannedResponse } from "./types.ts";

interface CannedPickerProps {
  onPick: (response: CannedResponse) => void;
  // Admins may add and edit responses from here, without leaving the ticket.
  canManage: boolean;
}

// Search the workspace's canned responses and insert one: type to filter, arrows to move,
// Enter to insert, Escape to close.
export function CannedPicker({ onPick, canManage }: CannedPickerProps) {
  const [open, setOpen] = useState(false);
  const [managing, setManaging] = useState(false);
  return (
    <>
      <Popover.Root open={open} onOpenChange={setOpen}>
        <Popover.Trigger className="btn btn-secondary">Canned responses</Popover.Trigger>
        <Popover.Portal>
          <Popover.Content
            className="canned-picker"
            aria-label="Insert a canned response"
            align="start"
            side="top"
            sideOffset={6}
          >
            <CannedSearch
              onPick={(response) => {
                setOpen(false);
                onPick(response);
              }}
            />
            {canManage && (
              <button
                type="button"
                className="btn btn-ghost btn-small"
                onClick={() => {
                  setOpen(false);
                  setManaging(true);
                }}
              >
                Manage canned responses
              </button>
            )}
          </Popover.Content>
        </Popover.Portal>
      </Popover.Root>
      <Dialog title="Canned responses" open={managing} onOpenChange={setManaging}>
        <CannedResponsesManager />
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={() => setManaging(false)}>
            Close
          </button>
        </div>
      </Dialog>
    </>
  );
}

function CannedSearch({ onPick }: { onPick: (response: CannedResponse) => void }) {
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);
  const id = useId();
  const results = useQuery({ ...cannedResponsesQuery(q.trim()), placeholderData: keepPreviousData });
  const items = results.data ?? [];
  const current = Math.min(active, Math.max(0, items.length - 1));

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (items.length)
        setActive((current + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (items[current]) onPick(items[current]);
    }
  }

  return (
    <div className="canned-search">
      <label htmlFor={`${id}-q`} className="sr-only">
        Search canned responses
      </label>
      <input
        id={`${id}-q`}
        type="search"
        role="combobox"
        aria-expanded="true"
        aria-controls={`${id}-list`}
        aria-activedescendant={items[current] ? `${id}-${items[current].id}` : undefined}
        placeholder="Search canned responses…"
        value={q}
        onChange={(event) => {
          setQ(event.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      {results.error && <p role="alert">{errorMessage(results.error)}</p>}
      <div id={`${id}-list`} role="listbox" aria-label="Canned responses" className="canned-list">
        {items.map((item, index) => (
          <div
            key={item.id}
            id={`${id}-${item.id}`}
            role="option"
            tabIndex={-1}
            aria-selected={index === current}
            className={index === current ? "is-active" : undefined}
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => onPick(item)}
            onKeyDown={(event) => event.key === "Enter" && onPick(item)}
            onMouseEnter={() => setActive(index)}
          >
            <strong>{item.title}</strong>
            <span className="canned-preview">{item.body.slice(0, 120)}</span>
          </div>
        ))}
      </div>
      {!results.isPending && items.length === 0 && (
        <p className="empty-state">
          {q ? "No canned response matches." : "No canned responses yet. Admins add them."}
        </p>
      )}
    </div>
  );
}
