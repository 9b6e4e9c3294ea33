import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { User } from "../api/types.ts";
import { meQuery } from "../auth/queries.ts";
import { useGroupNames, usersQuery } from "../shell/directory.ts";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { humanize } from "../ui/format.ts";
import { AgentForm } from "./agent-form.tsx";
import { useUpdateUser } from "./queries.ts";

// Everyone who works in the workspace: invite, change role, groups and access, deactivate.
export function AgentsSection() {
  const users = useQuery(usersQuery());
  const [inviting, setInviting] = useState(false);
  const [invited, setInvited] = useState<{ name: string; email: string; password: string } | null>(null);
  const [editing, setEditing] = useState<User | null>(null);
  const sorted = [...(users.data ?? [])].sort(
    (a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name),
  );
  return (
    <section aria-labelledby="agents-title">
      <div className="section-head">
        <h2 id="agents-title">Team</h2>
        <Button variant="primary" onClick={() => setInviting(true)}>
          Invite agent
        </Button>
      </div>
      {invited && (
        <div className="notice" role="status">
          <p>
            {invited.name} can now sign in as <strong>{invited.email}</strong> with the password{" "}
            <code>{invited.password}</code>. Pass it on to them; it is not shown again.
          </p>
          <Button variant="ghost" onClick={() => setInvited(null)}>
            Dismiss
          </Button>
        </div>
      )}
      {users.error && <p role="alert">{errorMessage(users.error)}</p>}
      {users.isPending && <p role="status">Loading agents…</p>}
      {users.data && (
        <div className="table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Ticket access</th>
                <th scope="col">Groups</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((user) => (
                <AgentRow key={user.id} user={user} onEdit={() => setEditing(user)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog title="Invite an agent" open={inviting} onOpenChange={setInviting}>
        <AgentForm
          onDone={(created) => {
            setInviting(false);
            if (created) setInvited(created);
          }}
        />
      </Dialog>
      <Dialog
        title={`Edit ${editing?.name ?? "agent"}`}
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
      >
        {editing && <AgentForm agent={editing} onDone={() => setEditing(null)} />}
      </Dialog>
    </section>
  );
}

function AgentRow({ user, onEdit }: { user: User; onEdit: () => void }) {
  const { data: me } = useSuspenseQuery(meQuery());
  const groupNames = useGroupNames();
  const update = useUpdateUser();
  const isMe = user.id === me.id;
  const groups = user.groupIds.map((id) => groupNames.get(id) ?? `#${id}`).join(", ");
  return (
    <tr className={user.active ? undefined : "inactive"}>
      <th scope="row">
        {user.name}
        {isMe && <span className="muted"> (you)</span>}
      </th>
      <td>{user.email}</td>
      <td>{humanize(user.role)}</td>
      <td>{user.ticketAccess === "all" ? "All tickets" : "Their groups"}</td>
      <td>{groups || "—"}</td>
      <td>{user.active ? humanize(user.availability) : "Deactivated"}</td>
      <td className="row-actions">
        <Button variant="ghost" onClick={onEdit} aria-label={`Edit ${user.name}`}>
          Edit
        </Button>
        {!isMe && (
          <Button
            variant="ghost"
            disabled={update.isPending}
            aria-label={`${user.active ? "Deactivate" : "Reactivate"} ${user.name}`}
            onClick={() => update.mutate({ id: user.id, active: !user.active })}
          >
            {user.active ? "Deactivate" : "Reactivate"}
          </Button>
        )}
        {update.error && (
          <span className="field-error" role="alert">
            {errorMessage(update.error)}
          </span>
        )}
      </td>
    </tr>
  );
}
