import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { errorMessage } from "../api/client.ts";
import { Button } from "../ui/button.tsx";
import { formatDateTime, formatRelative, humanize } from "../ui/format.ts";
import { contactTicketPagesQuery } from "./queries.ts";

// Every ticket the contact opened, on any channel, newest activity first. Only the tickets the
// agent may see come back: the API applies group access.
export function ContactTickets({ contactId }: { contactId: number }) {
  const tickets = useInfiniteQuery(contactTicketPagesQuery(contactId));
  const rows = tickets.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <section className="contact-tickets" aria-labelledby="contact-tickets-title">
      <h2 id="contact-tickets-title">Tickets</h2>
      {tickets.error && (
        <p className="form-error" role="alert">
          {errorMessage(tickets.error)}
        </p>
      )}
      {tickets.isPending && <p role="status">Loading tickets…</p>}
      {tickets.data && rows.length === 0 && <p className="muted">No tickets you can see.</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="admin-table">
            <caption className="sr-only">Tickets of this contact, most recently updated first</caption>
            <thead>
              <tr>
                <th scope="col">Ticket</th>
                <th scope="col">Status</th>
                <th scope="col">Channel</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.id}>
                  <th scope="row">
                    <Link to="/tickets/$ticketId" params={{ ticketId: t.id }}>
                      #{t.number} {t.subject}
                    </Link>
                  </th>
                  <td>
                    <span className={`status status-${t.status}`}>{humanize(t.status)}</span>
                  </td>
                  <td>{humanize(t.channel)}</td>
                  <td>
                    <time dateTime={t.updatedAt} title={formatDateTime(t.updatedAt)}>
                      {formatRelative(t.updatedAt)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {tickets.hasNextPage && (
        <Button
          className="load-more"
          onClick={() => void tickets.fetchNextPage()}
          disabled={tickets.isFetchingNextPage}
        >
          {tickets.isFetchingNextPage ? "Loading…" : "Load more"}
        </Button>
      )}
    </section>
  );
}
