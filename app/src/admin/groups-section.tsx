import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { Group } from "../api/types.ts";
import { groupsQuery, useUsers } from "../shell/directory.ts";
import { Button } from "../ui/button.tsx";
import { ConfirmDialog, Dialog } from "../ui/dialog.tsx";
import { errorsByField, formError } from "../ui/field-errors.ts";
import { TextArea, TextField } from "../ui/fields.tsx";
import { useCreateGroup, useDeleteGroup, useUpdateGroup } from "./queries.ts";

// Teams that tickets are routed to. A group still holding tickets cannot be deleted: the API
// says so (group_in_use) and the dialog shows it.
export function GroupsSection() {
  const groups = useQuery(groupsQuery());
  const users = useUsers();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Group | null>(null);
  const [deleting, setDeleting] = useState<Group | null>(null);
  const remove = useDeleteGroup();
  const members = (id: number) => users.filter((u) => u.active && u.groupIds.includes(id)).length;
  return (
    <section aria-labelledby="groups-title">
      <div className="section-head">
        <h2 id="groups-title">Groups</h2>
        <Button variant="primary" onClick={() => setCreating(true)}>
          New group
        </Button>
      </div>
      {groups.error && <p role="alert">{errorMessage(groups.error)}</p>}
      {groups.data?.length === 0 && <p className="muted">No groups yet.</p>}
      {groups.data && groups.data.length > 0 && (
        <div className="table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Members</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {groups.data.map((group) => (
                <tr key={group.id}>
                  <th scope="row">{group.name}</th>
                  <td>{String(group.description ?? "") || "—"}</td>
                  <td>{members(group.id)}</td>
                  <td className="row-actions">
                    <Button
                      variant="ghost"
                      aria-label={`Edit ${group.name}`}
                      onClick={() => setEditing(group)}
                    >
                      Edit
                    </Button>
                    <Button
                      variant="ghost"
                      aria-label={`Delete ${group.name}`}
                      onClick={() => {
                        remove.reset();
                        setDeleting(group);
                      }}
                    >
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog title="New group" open={creating} onOpenChange={setCreating}>
        <GroupForm onDone={() => setCreating(false)} />
      </Dialog>
      <Dialog
        title={`Edit ${editing?.name ?? "group"}`}
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
      >
        {editing && <GroupForm group={editing} onDone={() => setEditing(null)} />}
      </Dialog>
      <ConfirmDialog
        title={`Delete ${deleting?.name ?? "group"}?`}
        message="Agents stay, but lose their membership of this group."
        confirmLabel="Delete group"
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      />
    </section>
  );
}

function GroupForm({ group, onDone }: { group?: Group; onDone: () => void }) {
  const create = useCreateGroup();
  const update = useUpdateGroup();
  const mutation = group ? update : create;
  const [name, setName] = useState(group?.name ?? "");
  const [description, setDescription] = useState(String(group?.description ?? ""));
  const errors = errorsByField(mutation.error);
  function submit(event: FormEvent) {
    event.preventDefault();
    const input = { name: name.trim(), description };
    if (group) update.mutate({ id: group.id, ...input }, { onSuccess: onDone });
    else create.mutate(input, { onSuccess: onDone });
  }
  return (
    <form className="form" onSubmit={submit}>
      {mutation.error && (
        <p className="form-error" role="alert">
          {formError(mutation.error, ["name", "description"])}
        </p>
      )}
      <TextField
        label="Name"
        required
        value={name}
        error={errors.name}
        onChange={(e) => setName(e.target.value)}
      />
      <TextArea
        label="Description"
        rows={3}
        value={description}
        error={errors.description}
        onChange={(e) => setDescription(e.target.value)}
      />
      <div className="form-actions">
        <Button type="submit" variant="primary" disabled={mutation.isPending}>
          {group ? "Save group" : "Create group"}
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}
