import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Group } from "../api/types.ts";
import { groupsQuery, useUsers } from "../shell/directory.ts";
import { errorsByField } from "../ui/field-errors.ts";
import { TextArea, TextField } from "../ui/fields.tsx";
import {
  ConfirmDelete,
  ResourceDialogs,
  useConfirmDelete,
  useResourceDialogs,
} from "../ui/resource-dialogs.tsx";
import { ResourceForm } from "../ui/resource-form.tsx";
import { ResourceSection, ResourceTable, RowAction } from "../ui/resource-table.tsx";
import { useCreateGroup, useDeleteGroup, useUpdateGroup } from "./queries.ts";

// Teams that tickets are routed to. A group still holding tickets cannot be deleted: the API
// says so (group_in_use) and the dialog shows it.
export function GroupsSection() {
  const groups = useQuery(groupsQuery());
  const users = useUsers();
  const dialogs = useResourceDialogs<Group>();
  const deleting = useConfirmDelete<Group>(useDeleteGroup());
  const members = (id: number) => users.filter((u) => u.active && u.groupIds.includes(id)).length;
  return (
    <ResourceSection
      id="groups"
      title="Groups"
      action={{ label: "New group", onClick: () => dialogs.setCreating(true) }}
    >
      <ResourceTable
        rows={groups.data}
        error={groups.error}
        empty="No groups yet."
        columns={["Name", "Description", "Members"]}
      >
        {(group) => (
          <tr key={group.id}>
            <th scope="row">{group.name}</th>
            <td>{String(group.description ?? "") || "—"}</td>
            <td>{members(group.id)}</td>
            <td className="row-actions">
              <RowAction verb="Edit" name={group.name} onClick={() => dialogs.setEditing(group)} />
              <RowAction verb="Delete" name={group.name} onClick={() => deleting.ask(group)} />
            </td>
          </tr>
        )}
      </ResourceTable>
      <ResourceDialogs
        dialogs={dialogs}
        newTitle="New group"
        editTitle={(group) => `Edit ${group?.name ?? "group"}`}
        form={(group, done) => <GroupForm group={group} onDone={done} />}
      />
      <ConfirmDelete
        confirm={deleting}
        title={`Delete ${deleting.target?.name ?? "group"}?`}
        message="Agents stay, but lose their membership of this group."
        confirmLabel="Delete group"
      />
    </ResourceSection>
  );
}

function GroupForm({ group, onDone }: { group?: Group; onDone: () => void }) {
  const create = useCreateGroup();
  const update = useUpdateGroup();
  const mutation = group ? update : create;
  const [name, setName] = useState(group?.name ?? "");
  const [description, setDescription] = useState(String(group?.description ?? ""));
  const errors = errorsByField(mutation.error);
  function submit() {
    const input = { name: name.trim(), description };
    if (group) update.mutate({ id: group.id, ...input }, { onSuccess: onDone });
    else create.mutate(input, { onSuccess: onDone });
  }
  return (
    <ResourceForm
      error={mutation.error}
      placed={["name", "description"]}
      pending={mutation.isPending}
      submitLabel={group ? "Save group" : "Create group"}
      onSubmit={submit}
      onCancel={onDone}
    >
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
    </ResourceForm>
  );
}
