import { useNavigate } from "@tanstack/react-router";
import type { RefObject } from "react";
import { errorMessage } from "../api/client.ts";
import type { Ticket, User } from "../api/types.ts";
import { useShortcuts } from "../shell/shortcuts.tsx";
import type { ComposerHandle } from "./composer.tsx";
import { isVersionConflict, useUpdateTicket } from "./queries.ts";
import { useTicketNeighbours } from "./ticket-navigation.ts";

// The ticket page's keys. Assign and solve save with the version on screen; a refusal (a
// required field missing on solve, someone else's change) is shown on the page.
export function useTicketShortcuts(
  ticket: Ticket | undefined,
  me: User,
  composer: RefObject<ComposerHandle | null>,
) {
  const navigate = useNavigate();
  const update = useUpdateTicket(ticket?.id ?? 0);
  const neighbours = useTicketNeighbours(ticket);
  const writable = ticket !== undefined && ticket.status !== "closed" && ticket.mergedIntoId === null;
  const open = (id: number | null) => {
    if (id === null) return;
    neighbours.step();
    void navigate({ to: "/tickets/$ticketId", params: { ticketId: id } });
  };

  useShortcuts([
    { keys: "r", label: "Reply", group: "Ticket", run: () => writable && composer.current?.start("reply") },
    {
      keys: "n",
      label: "Internal note",
      group: "Ticket",
      run: () => writable && composer.current?.start("note"),
    },
    {
      keys: "a",
      label: "Assign to me",
      group: "Ticket",
      run: () => {
        if (writable && ticket.assigneeId !== me.id)
          update.mutate({ version: ticket.version, changes: { assigneeId: me.id } });
      },
    },
    {
      keys: "s",
      label: "Solve",
      group: "Ticket",
      run: () => {
        if (writable && ticket.status !== "solved")
          update.mutate({ version: ticket.version, changes: { status: "solved" } });
      },
    },
    { keys: "j", label: "Next ticket", group: "Ticket", run: () => open(neighbours.next) },
    { keys: "k", label: "Previous ticket", group: "Ticket", run: () => open(neighbours.previous) },
    {
      keys: "Escape",
      label: "Back to the inbox",
      group: "Ticket",
      run: () => {
        // A menu or popover that is open takes Escape for itself.
        if (document.querySelector("[data-radix-popper-content-wrapper]")) return;
        void (neighbours.viewId !== null
          ? navigate({ to: "/views/$viewId", params: { viewId: neighbours.viewId } })
          : navigate({ to: "/" }));
      },
    },
  ]);

  const error = update.error
    ? isVersionConflict(update.error)
      ? "Someone else changed this ticket meanwhile. The latest version is shown; try again."
      : `Could not save: ${errorMessage(update.error)}`
    : null;
  return { error };
}
