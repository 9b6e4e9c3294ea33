import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type FormEvent, type ReactNode, useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { Contact, Ticket } from "../api/types.ts";
import {
  contactQuery,
  organizationQuery,
  requesterTicketsQuery,
  useUpdateContact,
} from "../contacts/queries.ts";
import { Button } from "../ui/button.tsx";
import { errorsByField, formError } from "../ui/field-errors.ts";
import { SelectField, TextArea, TextField } from "../ui/fields.tsx";
import { formatRelative, humanize } from "../ui/format.ts";
import { localTime, timeZoneOptions } from "../ui/time-zones.ts";

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
            <Button onClick={() => setEditing(true)}>Edit contact</Button>
          </>
        ))}
      {contact.data?.organizationId && <OrganizationCard id={contact.data.organizationId} />}
      <OtherTickets requesterId={ticket.requesterId} currentId={ticket.id} />
    </section>
  );
}

// One term of a definition list with its values, grouped so the list stays valid HTML.
function Detail({ term, values }: { term: string; values: ReactNode[] }) {
  return (
    <div className="details-row">
      <dt>{term}</dt>
      {values.map((value, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the values of one term never reorder
        <dd key={i}>{value}</dd>
      ))}
    </div>
  );
}

const show = (value: unknown) => (typeof value === "object" ? JSON.stringify(value) : String(value));

function ContactDetails({ contact }: { contact: Contact }) {
  const time = contact.timeZone ? localTime(contact.timeZone) : null;
  return (
    <dl className="details">
      <Detail term="Email" values={contact.emails.length ? contact.emails : ["None"]} />
      {contact.phones.length > 0 && <Detail term="Phone" values={contact.phones} />}
      <Detail
        term="Time zone"
        values={[contact.timeZone ? `${contact.timeZone}${time ? ` (now ${time})` : ""}` : "Not set"]}
      />
      {contact.locale && <Detail term="Language" values={[contact.locale]} />}
      {Object.entries(contact.attributes ?? {}).map(([key, value]) => (
        <Detail key={key} term={humanize(key)} values={[show(value)]} />
      ))}
      {contact.blocked && <Detail term="Blocked" values={["Mail from this contact is not accepted."]} />}
    </dl>
  );
}

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);

function ContactForm({ contact, onDone }: { contact: Contact; onDone: () => void }) {
  const update = useUpdateContact(contact.id);
  const [name, setName] = useState(contact.name);
  const [emails, setEmails] = useState(contact.emails.join("\n"));
  const [phones, setPhones] = useState(contact.phones.join("\n"));
  const [timeZone, setTimeZone] = useState(contact.timeZone ?? "");
  const errors = errorsByField(update.error);
  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate(
      { name: name.trim(), emails: lines(emails), phones: lines(phones), timeZone: timeZone || null },
      { onSuccess: onDone },
    );
  }
  return (
    <form className="contact-form" onSubmit={submit} aria-label="Edit contact">
      {update.error && (
        <p className="form-error" role="alert">
          {formError(update.error, ["name", "emails", "phones", "timeZone"])}
        </p>
      )}
      <TextField label="Name" value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
      <TextArea
        label="Emails"
        hint="One per line."
        rows={2}
        value={emails}
        error={errors.emails}
        onChange={(e) => setEmails(e.target.value)}
      />
      <TextArea
        label="Phones"
        hint="One per line."
        rows={2}
        value={phones}
        error={errors.phones}
        onChange={(e) => setPhones(e.target.value)}
      />
      <SelectField
        label="Time zone"
        value={timeZone}
        error={errors.timeZone}
        onChange={(e) => setTimeZone(e.target.value)}
        options={[{ value: "", label: "Not set" }, ...timeZoneOptions(contact.timeZone)]}
      />
      <div className="form-actions">
        <Button type="submit" variant="primary" disabled={update.isPending}>
          Save contact
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
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
          <Detail term="Name" values={[org.data.name]} />
          {org.data.domains.length > 0 && <Detail term="Domains" values={[org.data.domains.join(", ")]} />}
          {org.data.notes && <Detail term="Notes" values={[org.data.notes]} />}
          {Object.entries(org.data.attributes).map(([key, value]) => (
            <Detail key={key} term={humanize(key)} values={[show(value)]} />
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
