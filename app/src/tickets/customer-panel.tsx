import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { Ticket } from "../api/types.ts";
import { ContactDetails, Detail, showAttribute } from "../contacts/contact-details.tsx";
import { ContactForm } from "../contacts/contact-form.tsx";
import { contactQuery, organizationQuery, requesterTicketsQuery } from "../contacts/queries.ts";
import { Button } from "../ui/button.tsx";
import { formatRelative, humanize } from "../ui/format.ts";

// The requester beside the conversation: who they are, their organization, everything else they
// asked on any channel, and their contact details, editable in place.
export function CustomerPanel({ ticket }: { ticket: Ticket }) {
  const contact = useQuery(contactQuery(ticket.requesterId));
  const [editing, setEditing] = useState(false);
  return (
    <section className="customer-panel" aria-labelledby="requester-title">
      <h2 id="requester-title">
        <span className="sr-only">Requester: </span>
        {contact.data?.name || contact.data?.emails[0] || "Requester"}
      </h2>
      {contact.error && <p role="alert">{errorMessage(contact.error)}</p>}
      {contact.isPending && <p role="status">Loading the requester…</p>}
      {contact.data &&
        (editing ? (
          <ContactForm contact={contact.data} onDone={() => setEditing(false)} />
        ) : (
          <>
            <ContactDetails contact={contact.data} />
            <div className="form-actions">
              <Button onClick={() => setEditing(true)}>Edit contact</Button>
              <Link
                to="/contacts/$contactId"
                params={{ contactId: contact.data.id }}
                className="btn btn-ghost"
              >
                Open contact page
              </Link>
            </div>
          </>
        ))}
      {contact.data?.organizationId && <OrganizationCard id={contact.data.organizationId} />}
      <OtherTickets requesterId={ticket.requesterId} currentId={ticket.id} />
    </section>
  );
}

function OrganizationCard({ id }: { id: number }) {
  const org = useQuery(organizationQuery(id));
  return (
    <section className="panel-section" aria-labelledby="organization-title">
      <h3 id="organization-title">Organization</h3>
      {org.error && <p role="alert">{errorMessage(org.error)}</p>}
      {org.data && (
        <dl className="details">
          <Detail
            term="Name"
            values={[
              <Link key="name" to="/organizations/$organizationId" params={{ organizationId: id }}>
                {org.data.name}
              </Link>,
            ]}
          />
          {org.data.domains.length > 0 && <Detail term="Domains" values={[org.data.domains.join(", ")]} />}
          {org.data.notes && <Detail term="Notes" values={[org.data.notes]} />}
          {Object.entries(org.data.attributes).map(([key, value]) => (
            <Detail key={key} term={humanize(key)} values={[showAttribute(value)]} />
          ))}
        </dl>
      )}
    </section>
  );
}

function OtherTickets({ requesterId, currentId }: { requesterId: number; currentId: number }) {
  const tickets = useQuery(requesterTicketsQuery(requesterId));
  const others = (tickets.data?.data ?? []).filter((t) => t.id !== currentId);
  return (
    <section className="panel-section" aria-labelledby="other-tickets-title">
      <h3 id="other-tickets-title">Other tickets</h3>
      {tickets.error && <p role="alert">{errorMessage(tickets.error)}</p>}
      {tickets.data && others.length === 0 && <p className="muted">No other tickets.</p>}
      {others.length > 0 && (
        <ul className="other-tickets" aria-labelledby="other-tickets-title">
          {others.map((t) => (
            <li key={t.id}>
              <Link to="/tickets/$ticketId" params={{ ticketId: t.id }}>
                #{t.number} {t.subject}
              </Link>
              <span className="other-ticket-meta">
                <span className={`status status-${t.status}`}>{humanize(t.status)}</span>{" "}
                {humanize(t.channel)} · <time dateTime={t.updatedAt}>{formatRelative(t.updatedAt)}</time>
              </span>
            </li>
          ))}
        </ul>
      )}
      {tickets.data?.nextCursor && <p className="muted">Showing the 20 most recently updated.</p>}
    </section>
  );
}
