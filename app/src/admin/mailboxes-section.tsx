import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { Mailbox } from "../api/types.ts";
import { useGroupNames } from "../shell/directory.ts";
import { formatDateTime } from "../ui/format.ts";
import { ResourceDialogs, useResourceDialogs } from "../ui/resource-dialogs.tsx";
import { ResourceSection, ResourceTable, RowAction } from "../ui/resource-table.tsx";
import { MailboxForm } from "./mailbox-form.tsx";
import { failedInboundCountsQuery, mailboxesQuery } from "./queries.ts";

const RECEIVES_BY = { smtp: "SMTP listener", imap: "IMAP", upload: "Upload" } as const;

// The addresses customers write to. Passwords are write-only: the list says whether one is
// stored, never what it is.
export function MailboxesSection() {
  const mailboxes = useQuery(mailboxesQuery());
  const groups = useGroupNames();
  const dialogs = useResourceDialogs<Mailbox>();
  const counts = useQuery(failedInboundCountsQuery());
  const failedIn = (id: number) => counts.data?.mailboxes.find((c) => c.mailboxId === id)?.failed ?? 0;
  return (
    <ResourceSection
      id="mailboxes"
      title="Support addresses"
      action={{ label: "Add mailbox", onClick: () => dialogs.setCreating(true) }}
    >
      <FailedInboundLink failed={counts.data?.failed ?? 0} />
      <ResourceTable
        rows={mailboxes.data}
        error={mailboxes.error}
        empty="No mailboxes yet."
        columns={["Name", "Address", "Group", "Receives by", "Sends by", "Status"]}
      >
        {(m) => (
          <tr key={m.id} className={m.active ? undefined : "inactive"}>
            <th scope="row">{m.name}</th>
            <td>{m.address}</td>
            <td>{m.groupId ? (groups.get(m.groupId) ?? "…") : "—"}</td>
            <td>
              {RECEIVES_BY[m.inbound]}
              {m.imap && <span className="muted"> ({m.imap.host})</span>}
            </td>
            <td>{m.smtp ? `${m.smtp.host}:${m.smtp.port}` : "Server relay"}</td>
            <td>
              {!m.active ? (
                "Inactive"
              ) : m.inboundError ? (
                <span className="problem">
                  Failing since {formatDateTime(m.inboundError.at)}: {m.inboundError.message}
                </span>
              ) : (
                "Active"
              )}
              <FailedInMailbox mailboxId={m.id} failed={failedIn(m.id)} />
            </td>
            <td className="row-actions">
              <RowAction verb="Edit" name={m.name} onClick={() => dialogs.setEditing(m)} />
            </td>
          </tr>
        )}
      </ResourceTable>
      <ResourceDialogs
        dialogs={dialogs}
        newTitle="Add a mailbox"
        editTitle={(m) => `Edit ${m?.name ?? "mailbox"}`}
        form={(m, done) => <MailboxForm mailbox={m} onDone={done} />}
      />
    </ResourceSection>
  );
}

// Mail that arrived but could not become a ticket is otherwise easy to miss: it is said here,
// where admins look after their mailboxes, with the way to the list that retries it. This line
// counts every mailbox, so it opens the whole list; each row links to its own mailbox's.
function FailedInboundLink({ failed }: { failed: number }) {
  if (failed === 0) return null;
  return (
    <p className="problem">
      <Link to="/admin/$section" params={{ section: "mail-problems" }}>
        {failed === 1 ? "1 incoming mail" : `${failed} incoming mails`} could not be processed
      </Link>
      .
    </p>
  );
}

function FailedInMailbox({ mailboxId, failed }: { mailboxId: number; failed: number }) {
  if (failed === 0) return null;
  return (
    <>
      <br />
      <Link to="/admin/$section" params={{ section: "mail-problems" }} search={{ mailbox: mailboxId }}>
        {failed === 1 ? "1 failed incoming mail" : `${failed} failed incoming mails`}
      </Link>
    </>
  );
}
