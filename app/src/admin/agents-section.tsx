import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { User } from "../api/types.ts";
import { meQuery } from "../auth/queries.ts";
import { useGroupNames, usersQuery } from "../shell/directory.ts";
import { Button } from "../ui/button.tsx";
import { humanize } from "../ui/format.ts";
import { ResourceDialogs, useResourceDialogs } from "../ui/resource-dialogs.tsx";
import { ResourceSection, ResourceTable, RowAction } from "../ui/resource-table.tsx";
import { AgentForm } from "./agent-form.tsx";
import { useUpdateUser } from "./queries.ts";

// Everyone who works in the workspace: invite, change role, groups and access, deactivate.
export function AgentsSection() {
  const users = useQuery(usersQuery());
  const dialogs = useResourceDialogs<User>();
  const [invited, setInvited] = useState<{ name: string; email: string; password: string } | null>(null);
  const sorted = [...(users.data ?? [])].sort(
    (a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name),
  );
  return (
    <ResourceSection
      id="agents"
      title="Team"
      action={{ label: "Invite agent", onClick: () => dialogs.setCreating(true) }}
    >
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
      <ResourceTable
        rows={users.data && sorted}
        error={users.error}
        loading="Loading agents…"
        columns={["Name", "Email", "Role", "Ticket access", "Groups", "Status"]}
      >
        {(user) => <AgentRow key={user.id} user={user} onEdit={() => dialogs.setEditing(user)} />}
      </ResourceTable>
      <ResourceDialogs
        dialogs={dialogs}
        newTitle="Invite an agent"
        editTitle={(agent) => `Edit ${agent?.name ?? "agent"}`}
        form={(agent, done) => (
          <AgentForm
            agent={agent}
            onDone={(created) => {
              done();
              if (created) setInvited(created);
            }}
          />
        )}
      />
    </ResourceSection>
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
        <RowAction verb="Edit" name={user.name} onClick={onEdit} />
        {!isMe && (
          <RowAction
            verb={user.active ? "Deactivate" : "Reactivate"}
            name={user.name}
            disabled={update.isPending}
            onClick={() => update.mutate({ id: user.id, active: !user.active })}
          />
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
