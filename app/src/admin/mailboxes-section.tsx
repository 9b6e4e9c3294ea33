import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { Mailbox } from "../api/types.ts";
import { useGroupNames } from "../shell/directory.ts";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { formatDateTime } from "../ui/format.ts";
import { MailboxForm } from "./mailbox-form.tsx";
import { mailboxesQuery } from "./queries.ts";

const RECEIVES_BY = { smtp: "SMTP listener", imap: "IMAP", upload: "Upload" } as const;

// The addresses customers write to. Passwords are write-only: the list says whether one is
// stored, never what it is.
export function MailboxesSection() {
  const mailboxes = useQuery(mailboxesQuery());
  const groups = useGroupNames();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Mailbox | null>(null);
  return (
    <section aria-labelledby="mailboxes-title">
      <div className="section-head">
        <h2 id="mailboxes-title">Support addresses</h2>
        <Button variant="primary" onClick={() => setCreating(true)}>
          Add mailbox
        </Button>
      </div>
      {mailboxes.error && <p role="alert">{errorMessage(mailboxes.error)}</p>}
      {mailboxes.data?.length === 0 && <p className="muted">No mailboxes yet.</p>}
      {mailboxes.data && mailboxes.data.length > 0 && (
        <div className="table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Address</th>
                <th scope="col">Group</th>
                <th scope="col">Receives by</th>
                <th scope="col">Sends by</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {mailboxes.data.map((m) => (
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
                  </td>
                  <td className="row-actions">
                    <Button variant="ghost" aria-label={`Edit ${m.name}`} onClick={() => setEditing(m)}>
                      Edit
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog title="Add a mailbox" open={creating} onOpenChange={setCreating}>
        <MailboxForm onDone={() => setCreating(false)} />
      </Dialog>
      <Dialog
        title={`Edit ${editing?.name ?? "mailbox"}`}
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
      >
        {editing && <MailboxForm mailbox={editing} onDone={() => setEditing(null)} />}
      </Dialog>
    </section>
  );
}
