import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { Contact } from "../api/types.ts";
import { meQuery } from "../auth/queries.ts";
import { NewTicketDialog } from "../tickets/new/new-ticket-dialog.tsx";
import { Button } from "../ui/button.tsx";
import { ConfirmDialog } from "../ui/dialog.tsx";
import { RecordPage, useEditInPlace } from "../ui/record-page.tsx";
import { ContactDetails } from "./contact-details.tsx";
import { ContactForm } from "./contact-form.tsx";
import { ContactTickets } from "./contact-tickets.tsx";
import { contactQuery, organizationQuery, useUpdateContact } from "./queries.ts";
import "./contact-page.css";

export function ContactPage() {
  const { contactId } = useParams({ from: "/signed-in/contacts/$contactId" });
  // A fresh screen per contact, so an open form never carries over to the next person.
  return <ContactScreen key={contactId} contactId={contactId} />;
}

function ContactScreen({ contactId }: { contactId: number }) {
  const { data: me } = useSuspenseQuery(meQuery());
  const contact = useQuery(contactQuery(contactId));
  // The API decides: light agents may read contacts but not change them or open tickets.
  const canEdit = me.role !== "light_agent";
  return (
    <RecordPage
      record={contact}
      noun="contact"
      goneBecause="It may have been merged or deleted."
      searchLabel="Search for people"
    >
      {(data) => (
        <>
          <ContactHeader contact={data} canEdit={canEdit} />
          <ContactTickets contactId={contactId} />
        </>
      )}
    </RecordPage>
  );
}

function ContactHeader({ contact, canEdit }: { contact: Contact; canEdit: boolean }) {
  const { editing, setEditing, editButtonId } = useEditInPlace();
  const [creating, setCreating] = useState(false);
  const name = contact.name || contact.emails[0] || `Contact ${contact.id}`;
  return (
    <section className="contact-header" aria-labelledby="contact-title">
      <h1 id="contact-title">
        {name}
        {contact.blocked && <span className="badge badge-blocked">Blocked</span>}
      </h1>
      {editing ? (
        <ContactForm contact={contact} onDone={() => setEditing(false)} full />
      ) : (
        <ContactDetails
          contact={contact}
          organization={contact.organizationId ? <OrganizationName id={contact.organizationId} /> : null}
        />
      )}
      {canEdit ? (
        !editing && (
          <div className="form-actions">
            <Button variant="primary" onClick={() => setCreating(true)}>
              New ticket for this contact
            </Button>
            <Button id={editButtonId} onClick={() => setEditing(true)}>
              Edit contact
            </Button>
            <BlockButton contact={contact} />
          </div>
        )
      ) : (
        <p className="muted">Your role can view this contact but not change it.</p>
      )}
      {creating && <NewTicketDialog requester={contact} onClose={() => setCreating(false)} />}
    </section>
  );
}

function OrganizationName({ id }: { id: number }) {
  const org = useQuery(organizationQuery(id));
  return (
    <Link to="/organizations/$organizationId" params={{ organizationId: id }}>
      {org.data?.name ?? (org.error ? `Organization ${id}` : "…")}
    </Link>
  );
}

// Blocking stops the contact's mail from becoming tickets, so it asks first; unblocking does not.
function BlockButton({ contact }: { contact: Contact }) {
  const update = useUpdateContact(contact.id);
  const [confirming, setConfirming] = useState(false);
  if (contact.blocked) {
    return (
      <>
        <Button onClick={() => update.mutate({ blocked: false })} disabled={update.isPending}>
          Unblock contact
        </Button>
        {update.error && (
          <p className="form-error" role="alert">
            {errorMessage(update.error)}
          </p>
        )}
      </>
    );
  }
  return (
    <>
      <Button variant="danger" onClick={() => setConfirming(true)}>
        Block contact
      </Button>
      <ConfirmDialog
        title={`Block ${contact.name || contact.emails[0] || "this contact"}?`}
        message="Mail from this contact will no longer be accepted. You can unblock them later."
        confirmLabel="Block contact"
        open={confirming}
        onOpenChange={setConfirming}
        pending={update.isPending}
        error={update.error ? errorMessage(update.error) : null}
        onConfirm={() => update.mutate({ blocked: true }, { onSuccess: () => setConfirming(false) })}
      />
    </>
  );
}
