import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { Ticket } from "../api/types.ts";
import { ticketQuery } from "./queries.ts";

// Merged and closed tickets are read-only: say why, and where the conversation goes on.
export function TicketBanners({ ticket }: { ticket: Ticket }) {
  const target = useQuery({
    ...ticketQuery(ticket.mergedIntoId ?? 0),
    enabled: ticket.mergedIntoId !== null,
  });
  const origin = useQuery({
    ...ticketQuery(ticket.followUpOfId ?? 0),
    enabled: ticket.followUpOfId !== null,
  });
  return (
    <>
      {ticket.mergedIntoId !== null ? (
        <div className="ticket-banner banner-merged" role="note">
          This ticket was merged into{" "}
          <Link to="/tickets/$ticketId" params={{ ticketId: ticket.mergedIntoId }}>
            {target.data ? `#${target.data.number} ${target.data.subject}` : "another ticket"}
          </Link>
          . It is read-only: reply there.
        </div>
      ) : ticket.status === "closed" ? (
        <div className="ticket-banner banner-closed" role="note">
          This ticket is closed and read-only. If the customer writes again, their reply opens a follow-up
          ticket linked to this one.
        </div>
      ) : null}
      {ticket.followUpOfId !== null && (
        <p className="ticket-banner banner-follow-up">
          Follow-up of{" "}
          <Link to="/tickets/$ticketId" params={{ ticketId: ticket.followUpOfId }}>
            {origin.data ? `#${origin.data.number} ${origin.data.subject}` : "a closed ticket"}
          </Link>
        </p>
      )}
    </>
  );
}
