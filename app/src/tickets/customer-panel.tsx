import type { Ticket } from "../api/types.ts";
import { useContactsById } from "../shell/directory.ts";

// The requester: who they are, their organization and other tickets.
export function CustomerPanel({ ticket }: { ticket: Ticket }) {
  const requester = useContactsById([ticket.requesterId]).get(ticket.requesterId);
  return (
    <section className="customer-panel" aria-label="Requester">
      <h2>{requester?.name ?? "Requester"}</h2>
      {requester?.emails.map((email) => (
        <p key={email}>{email}</p>
      ))}
    </section>
  );
}
