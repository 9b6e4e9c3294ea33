import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useEffect, useId, useRef, useState } from "react";
import { ApiError, errorMessage } from "../api/client.ts";
import type { Organization } from "../api/types.ts";
import { meQuery } from "../auth/queries.ts";
import { Detail, showAttribute } from "../contacts/contact-details.tsx";
import { organizationQuery } from "../contacts/queries.ts";
import { Button } from "../ui/button.tsx";
import { humanize } from "../ui/format.ts";
import { OrganizationForm } from "./organization-form.tsx";
import { OrganizationPeople, OrganizationTickets } from "./organization-lists.tsx";
import "../contacts/contact-page.css";
import "./organization-page.css";

export function OrganizationPage() {
  const { organizationId } = useParams({ from: "/signed-in/organizations/$organizationId" });
  // A fresh screen per organization, so an open form never carries over to the next one.
  return <OrganizationScreen key={organizationId} organizationId={organizationId} />;
}

function OrganizationScreen({ organizationId }: { organizationId: number }) {
  const { data: me } = useSuspenseQuery(meQuery());
  const org = useQuery(organizationQuery(organizationId));
  // The API's contact permissions govern organizations: light agents read, agents and admins edit.
  const canEdit = me.role !== "light_agent";
  // An organization of another workspace answers 404 like a missing one, so both read the same.
  if (org.error instanceof ApiError && org.error.status === 404) return <OrganizationNotFound />;
  if (org.error) {
    return (
      <div className="page">
        <p className="form-error" role="alert">
          {errorMessage(org.error)}
        </p>
      </div>
    );
  }
  if (!org.data) return <p role="status">Loading organization…</p>;
  return (
    <div className="page contact-page">
      <OrganizationHeader organization={org.data} canEdit={canEdit} />
      <OrganizationPeople organizationId={organizationId} />
      <OrganizationTickets organizationId={organizationId} />
    </div>
  );
}

function OrganizationNotFound() {
  return (
    <div className="empty-state">
      <h1>Organization not found</h1>
      <p>There is no such organization in this workspace. It may have been deleted.</p>
      <p>
        <Link to="/search">Search for organizations</Link>
      </p>
    </div>
  );
}

function OrganizationHeader({ organization, canEdit }: { organization: Organization; canEdit: boolean }) {
  const [editing, setEditing] = useState(false);
  const editButtonId = useId();
  // Saving or cancelling removes the form; the keyboard goes back to the button that opened it.
  const wasEditing = useRef(false);
  useEffect(() => {
    if (wasEditing.current && !editing) document.getElementById(editButtonId)?.focus();
    wasEditing.current = editing;
  }, [editing, editButtonId]);
  return (
    <section className="contact-header" aria-labelledby="organization-title">
      <h1 id="organization-title">{organization.name}</h1>
      {editing ? (
        <OrganizationForm organization={organization} onDone={() => setEditing(false)} />
      ) : (
        <dl className="details">
          <Detail term="Domains" values={organization.domains.length ? organization.domains : ["None"]} />
          <Detail
            term="Notes"
            values={[
              <span key="notes" className="organization-notes">
                {organization.notes || "None"}
              </span>,
            ]}
          />
          {Object.entries(organization.attributes).map(([key, value]) => (
            <Detail key={key} term={humanize(key)} values={[showAttribute(value)]} />
          ))}
        </dl>
      )}
      {canEdit ? (
        !editing && (
          <div className="form-actions">
            <Button id={editButtonId} onClick={() => setEditing(true)}>
              Edit organization
            </Button>
          </div>
        )
      ) : (
        <p className="muted">Your role can view this organization but not change it.</p>
      )}
    </section>
  );
}
