import { useNavigate } from "@tanstack/react-router";
import { useEffect } from "react";
import type { Ticket } from "../api/types.ts";
import { useShortcuts } from "../shell/shortcuts.tsx";

interface ListKeyboard {
  rows: Ticket[];
  focusedId: number | null;
  setFocusedId: (id: number) => void;
  toggle: (id: number) => void;
  // Asked for when the highlight moves past the last loaded row.
  loadMore: () => void;
}

// j/k (or the arrows) move a highlight over the rows, Enter opens the highlighted ticket, x
// selects it. The highlight is kept by ticket id, so rows arriving live do not move it.
export function useListKeyboard({ rows, focusedId, setFocusedId, toggle, loadMore }: ListKeyboard) {
  const navigate = useNavigate();
  const index = focusedId === null ? -1 : rows.findIndex((ticket) => ticket.id === focusedId);
  const move = (delta: number) => {
    if (rows.length === 0) return;
    const next = index < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, index + delta));
    setFocusedId(rows[next].id);
    if (index + delta >= rows.length) loadMore();
  };
  const open = () => {
    if (focusedId !== null) void navigate({ to: "/tickets/$ticketId", params: { ticketId: focusedId } });
  };
  useShortcuts([
    { keys: "j", label: "Next ticket in the list", group: "Inbox", run: () => move(1) },
    { keys: "k", label: "Previous ticket in the list", group: "Inbox", run: () => move(-1) },
    { keys: "ArrowDown", label: "Next ticket in the list", group: "Inbox", run: () => move(1) },
    { keys: "ArrowUp", label: "Previous ticket in the list", group: "Inbox", run: () => move(-1) },
    // Enter on a focused link or button (a view, a bulk action) keeps its own meaning.
    {
      keys: "Enter",
      label: "Open the highlighted ticket",
      group: "Inbox",
      run: open,
      ignoreOnControls: true,
    },
    {
      keys: "x",
      label: "Select or unselect the highlighted ticket",
      group: "Inbox",
      run: () => focusedId !== null && toggle(focusedId),
    },
  ]);
  useEffect(() => {
    if (focusedId === null) return;
    document.querySelector(`tr[data-ticket-id="${focusedId}"]`)?.scrollIntoView({ block: "nearest" });
  }, [focusedId]);
}
