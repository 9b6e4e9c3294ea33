import { useInfiniteQuery } from "@tanstack/react-query";
import { PagedTicketTable } from "../ui/paged-ticket-table.tsx";
import { contactTicketPagesQuery } from "./queries.ts";

// Every ticket the contact opened, on any channel, newest activity first. Only the tickets the
// agent may see come back: the API applies group access.
export function ContactTickets({ contactId }: { contactId: number }) {
  const tickets = useInfiniteQuery(contactTicketPagesQuery(contactId));
  return (
    <PagedTicketTable
      title="Tickets"
      titleId="contact-tickets-title"
      caption="Tickets of this contact, most recently updated first"
      tickets={tickets}
      columns={["status", "channel", "updated"]}
      moreLabel="Load more"
    />
  );
}
