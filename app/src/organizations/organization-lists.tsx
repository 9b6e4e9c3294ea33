import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { errorMessage } from "../api/client.ts";
import { LoadMoreButton, PagedTicketTable } from "../ui/paged-ticket-table.tsx";
import { organizationPeopleQuery, organizationTicketsQuery } from "./queries.ts";

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
      <LoadMoreButton list={people} label="More people" />
    </section>
  );
}

// Every ticket of the organization the agent may see (the API applies group access), newest first.
export function OrganizationTickets({ organizationId }: { organizationId: number }) {
  const tickets = useInfiniteQuery(organizationTicketsQuery(organizationId));
  return (
    <PagedTicketTable
      title="Tickets"
      titleId="organization-tickets-title"
      caption="Tickets of this organization, newest first"
      tickets={tickets}
      columns={["status", "created"]}
      moreLabel="More tickets"
    />
  );
}
