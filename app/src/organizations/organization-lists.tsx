import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { errorMessage } from "../api/client.ts";
import { Button } from "../ui/button.tsx";
import { formatDateTime, formatRelative, humanize } from "../ui/format.ts";
import { organizationPeopleQuery, organizationTicketsQuery } from "./queries.ts";

type Pages = { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };

function LoadMore({ list, label }: { list: Pages; label: string }) {
  if (!list.hasNextPage) return null;
  return (
    <Button
      className="load-more"
      onClick={() => void list.fetchNextPage()}
      disabled={list.isFetchingNextPage}
    >
      {list.isFetchingNextPage ? "Loading…" : label}
    </Button>
  );
}

// The contacts of the organization, newest first, each opening their contact page.
export function OrganizationPeople({ organizationId }: { organizationId: number }) {
  const people = useInfiniteQuery(organizationPeopleQuery(organizationId));
  const rows = people.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <section className="contact-tickets" aria-labelledby="organization-people-title">
      <h2 id="organization-people-title">People</h2>
      {people.error && (
        <p className="form-error" role="alert">
          {errorMessage(people.error)}
        </p>
      )}
      {people.isPending && <p role="status">Loading people…</p>}
      {people.data && rows.length === 0 && <p className="muted">No contacts belong to this organization.</p>}
      {rows.length > 0 && (
        <ul className="organization-people" aria-labelledby="organization-people-title">
          {rows.map((c) => (
            <li key={c.id}>
              <Link to="/contacts/$contactId" params={{ contactId: c.id }}>
                {c.name || c.emails[0] || `Contact ${c.id}`}
              </Link>
              {c.name && c.emails[0] && <span className="muted"> {c.emails[0]}</span>}
            </li>
          ))}
        </ul>
      )}
      <LoadMore list={people} label="More people" />
    </section>
  );
}

// Every ticket of the organization the agent may see (the API applies group access), newest first.
export function OrganizationTickets({ organizationId }: { organizationId: number }) {
  const tickets = useInfiniteQuery(organizationTicketsQuery(organizationId));
  const rows = tickets.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <section className="contact-tickets" aria-labelledby="organization-tickets-title">
      <h2 id="organization-tickets-title">Tickets</h2>
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
            <caption className="sr-only">Tickets of this organization, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Ticket</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
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
                  <td>
                    <time dateTime={t.createdAt} title={formatDateTime(t.createdAt)}>
                      {formatRelative(t.createdAt)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore list={tickets} label="More tickets" />
    </section>
  );
}
