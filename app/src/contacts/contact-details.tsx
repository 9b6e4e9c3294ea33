import type { ReactNode } from "react";
import type { Contact } from "../api/types.ts";
import { showAttribute } from "../ui/edit-form.tsx";
import { humanize } from "../ui/format.ts";
import { localTime } from "../ui/time-zones.ts";

// One term of a definition list with its values, grouped so the list stays valid HTML.
export function Detail({ term, values }: { term: string; values: ReactNode[] }) {
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

// Where the requester panel and the record pages have long found it.
export { showAttribute };

// A contact's details as the requester panel and the contact page both show them; the
// organization is left to the caller, which knows whether it has the organization at hand.
export function ContactDetails({ contact, organization }: { contact: Contact; organization?: ReactNode }) {
  const time = contact.timeZone ? localTime(contact.timeZone) : null;
  return (
    <dl className="details">
      <Detail term="Email" values={contact.emails.length ? contact.emails : ["None"]} />
      {contact.phones.length > 0 && <Detail term="Phone" values={contact.phones} />}
      {organization && <Detail term="Organization" values={[organization]} />}
      <Detail
        term="Time zone"
        values={[contact.timeZone ? `${contact.timeZone}${time ? ` (now ${time})` : ""}` : "Not set"]}
      />
      {contact.locale && <Detail term="Language" values={[contact.locale]} />}
      {Object.entries(contact.attributes ?? {}).map(([key, value]) => (
        <Detail key={key} term={humanize(key)} values={[showAttribute(value)]} />
      ))}
      {contact.blocked && <Detail term="Blocked" values={["Mail from this contact is not accepted."]} />}
    </dl>
  );
}
