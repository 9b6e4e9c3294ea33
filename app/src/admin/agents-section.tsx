import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { Invitation, User } from "../api/types.ts";
import { meQuery } from "../auth/queries.ts";
import { useGroupNames, usersQuery } from "../shell/directory.ts";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/fields.tsx";
import { humanize } from "../ui/format.ts";
import { ResourceDialogs, useResourceDialogs } from "../ui/resource-dialogs.tsx";
import { ResourceSection, ResourceTable, RowAction } from "../ui/resource-table.tsx";
import { AgentForm, type Invited } from "./agent-form.tsx";
import { useInviteUser, useUpdateUser } from "./queries.ts";

// Everyone who works in the workspace: invite, change role, groups and access, deactivate.
export function AgentsSection() {
  const users = useQuery(usersQuery());
  const dialogs = useResourceDialogs<User>();
  const [invited, setInvited] = useState<Invited | null>(null);
  const sorted = [...(users.data ?? [])].sort(
    (a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name),
  );
  return (
    <ResourceSection
      id="agents"
      title="Team"
      action={{ label: "Invite agent", onClick: () => dialogs.setCreating(true) }}
    >
      {invited && <InvitedNotice invited={invited} onDismiss={() => setInvited(null)} />}
      <ResourceTable
        rows={users.data && sorted}
        error={users.error}
        loading="Loading agents…"
        columns={["Name", "Email", "Role", "Ticket access", "Groups", "Status"]}
      >
        {(user) => (
          <AgentRow
            key={user.id}
            user={user}
            onEdit={() => dialogs.setEditing(user)}
            onInvited={(invitation) => setInvited({ name: user.name, email: user.email, invitation })}
          />
        )}
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

// What inviting did, said once: the first password to pass on, or whether the invitation went
// out by mail; when no mail route exists, the link to hand over (never shown again either).
function InvitedNotice({ invited, onDismiss }: { invited: Invited; onDismiss: () => void }) {
  return (
    <div className="notice" role="status">
      {"password" in invited ? (
        <p>
          {invited.name} can now sign in as <strong>{invited.email}</strong> with the password{" "}
          <code>{invited.password}</code>. Pass it on to them; it is not shown again.
        </p>
      ) : (
        <div>
          <p>{invited.invitation.detail}</p>
          {invited.invitation.link && (
            <TextField
              label={`Invitation link for ${invited.name}`}
              readOnly
              value={invited.invitation.link}
              onFocus={(event) => event.target.select()}
            />
          )}
        </div>
      )}
      <Button variant="ghost" onClick={onDismiss}>
        Dismiss
      </Button>
    </div>
  );
}

function AgentRow({
  user,
  onEdit,
  onInvited,
}: {
  user: User;
  onEdit: () => void;
  onInvited: (invitation: Invitation) => void;
}) {
  const { data: me } = useSuspenseQuery(meQuery());
  const groupNames = useGroupNames();
  const update = useUpdateUser();
  const invite = useInviteUser();
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
      <td>{!user.active ? "Deactivated" : user.passwordSet ? humanize(user.availability) : "Invited"}</td>
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
        {user.active && !user.passwordSet && (
          <RowAction
            verb="Re-invite"
            name={user.name}
            disabled={invite.isPending}
            onClick={() => invite.mutate(user.id, { onSuccess: onInvited })}
          />
        )}
        {(update.error || invite.error) && (
          <span className="field-error" role="alert">
            {errorMessage(update.error ?? invite.error)}
          </span>
        )}
      </td>
    </tr>
  );
}
