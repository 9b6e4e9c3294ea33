import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import type { Organization } from "../api/types.ts";
import { meQuery } from "../auth/queries.ts";
import { Detail, showAttribute } from "../contacts/contact-details.tsx";
import { organizationQuery } from "../contacts/queries.ts";
import { Button } from "../ui/button.tsx";
import { humanize } from "../ui/format.ts";
import { RecordPage, useEditInPlace } from "../ui/record-page.tsx";
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
  return (
    <RecordPage
      record={org}
      noun="organization"
      goneBecause="It may have been deleted."
      searchLabel="Search for organizations"
    >
      {(data) => (
        <>
          <OrganizationHeader organization={data} canEdit={canEdit} />
          <OrganizationPeople organizationId={organizationId} />
          <OrganizationTickets organizationId={organizationId} />
        </>
      )}
    </RecordPage>
  );
}

function OrganizationHeader({ organization, canEdit }: { organization: Organization; canEdit: boolean }) {
  const { editing, setEditing, editButtonId } = useEditInPlace();
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
