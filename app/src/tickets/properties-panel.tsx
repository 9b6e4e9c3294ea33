import { useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useRef } from "react";
import { TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES, type Ticket } from "../api/types.ts";
import { meQuery } from "../auth/queries.ts";
import {
  assigneesQuery,
  useAssignees,
  useCustomFields,
  useGroups,
  useUserNames,
} from "../shell/directory.ts";
import { Button } from "../ui/button.tsx";
import { CustomFieldInput } from "../ui/custom-field-input.tsx";
import { errorsByField, formError } from "../ui/field-errors.ts";
import { SelectField } from "../ui/fields.tsx";
import { humanize } from "../ui/format.ts";
import { TagInput } from "../ui/tag-input.tsx";
import { isVersionConflict, type TicketChanges, ticketKeys, useUpdateTicket } from "./queries.ts";

// Status, priority, type, assignee, group, tags and custom fields, each saved as soon as it
// changes, with the version the agent saw: a change made meanwhile by someone else is refused
// (409) and the panel shows the latest version with a message instead of overwriting it.
export function PropertiesPanel({ ticket }: { ticket: Ticket }) {
  const { data: me } = useSuspenseQuery(meQuery());
  const save = useSerialSave(ticket.id);
  const { update } = save;
  const fieldErrors = errorsByField(update.error, 2);
  const conflict = isVersionConflict(update.error);
  const customFields = useCustomFields().filter((field) => field.active);
  const placed = [
    ...["status", "assigneeId", "groupId", "tags"],
    ...customFields.map((f) => `customFields.${f.key}`),
  ];

  return (
    <section className="properties" aria-labelledby="properties-title">
      <h2 id="properties-title">Properties</h2>
      {update.error && (
        <p className="form-error" role="alert">
          {conflict
            ? "Someone else changed this ticket meanwhile. The latest version is shown; make your change again."
            : formError(update.error, placed, 2)}
        </p>
      )}
      <SelectField
        label="Status"
        value={ticket.status}
        error={fieldErrors.status}
        onChange={(e) => save.run({ status: e.target.value as Ticket["status"] })}
        options={TICKET_STATUSES.map((value) => ({ value, label: humanize(value) }))}
      />
      <SelectField
        label="Priority"
        value={ticket.priority}
        onChange={(e) => save.run({ priority: e.target.value as Ticket["priority"] })}
        options={TICKET_PRIORITIES.map((value) => ({ value, label: humanize(value) }))}
      />
      <SelectField
        label="Type"
        value={ticket.type}
        onChange={(e) => save.run({ type: e.target.value as Ticket["type"] })}
        options={TICKET_TYPES.map((value) => ({ value, label: humanize(value) }))}
      />
      <AssigneeField ticket={ticket} myId={me.id} onSave={save.run} error={fieldErrors.assigneeId} />
      <GroupField ticket={ticket} onSave={save.run} error={fieldErrors.groupId} />
      <TagInput
        label="Tags"
        tags={ticket.tags}
        error={fieldErrors.tags}
        onAdd={(tag) => save.run({ tags: [...ticket.tags, tag] })}
        onRemove={(tag) => save.run({ tags: ticket.tags.filter((t) => t !== tag) })}
      />
      {customFields.length > 0 && (
        <div className="custom-fields">
          {customFields.map((field) => (
            <CustomFieldInput
              key={field.id}
              field={field}
              value={ticket.customFields[field.key]}
              error={fieldErrors[`customFields.${field.key}`]}
              onSave={(value) => save.run({ customFields: { [field.key]: value } })}
            />
          ))}
        </div>
      )}
    </section>
  );
}

interface FieldProps {
  ticket: Ticket;
  onSave: (changes: TicketChanges) => void;
  error?: string;
}

function AssigneeField({ ticket, myId, onSave, error }: FieldProps & { myId: number }) {
  // Whom the server would accept for this ticket's group; whoever is assigned now stays listed
  // (named from the directory) even if they would not be accepted again.
  const assignable = useAssignees(ticket.groupId === null ? [] : [ticket.groupId]) ?? [];
  const names = useUserNames();
  const options = assignable.map((u) => ({ id: u.id, name: u.name }));
  if (ticket.assigneeId !== null && !options.some((u) => u.id === ticket.assigneeId)) {
    options.unshift({
      id: ticket.assigneeId,
      name: names.get(ticket.assigneeId) ?? `Agent ${ticket.assigneeId}`,
    });
  }
  const canTake = assignable.some((u) => u.id === myId);
  return (
    <div className="assignee-field">
      <SelectField
        label="Assignee"
        value={String(ticket.assigneeId ?? "")}
        error={error}
        onChange={(e) => onSave({ assigneeId: e.target.value ? Number(e.target.value) : null })}
        options={[
          { value: "", label: "Unassigned" },
          ...options.map((u) => ({ value: String(u.id), label: u.id === myId ? `${u.name} (me)` : u.name })),
        ]}
      />
      {ticket.assigneeId !== myId && canTake && (
        <Button variant="ghost" className="assign-me" onClick={() => onSave({ assigneeId: myId })}>
          Assign to me
        </Button>
      )}
    </div>
  );
}

function GroupField({ ticket, onSave, error }: FieldProps) {
  const groups = useGroups();
  const queryClient = useQueryClient();
  // Moving a ticket to a group whose tickets its assignee may not take leaves it for that
  // group to pick up; the server's list of assignees for the group decides.
  async function change(groupId: number | null) {
    if (groupId === null || ticket.assigneeId === null) return onSave({ groupId });
    const assignable = await queryClient.fetchQuery(assigneesQuery([groupId])).catch(() => null);
    const keeps = assignable?.some((u) => u.id === ticket.assigneeId) ?? false;
    onSave(keeps ? { groupId } : { groupId, assigneeId: null });
  }
  return (
    <SelectField
      label="Group"
      value={String(ticket.groupId ?? "")}
      error={error}
      onChange={(e) => void change(e.target.value ? Number(e.target.value) : null)}
      options={[
        { value: "", label: "No group" },
        ...groups.map((g) => ({ value: String(g.id), label: g.name })),
      ]}
    />
  );
}

// Changes made in quick succession are sent one after another, each with the version the
// previous one returned, so an agent's own two quick edits never conflict with each other.
function useSerialSave(ticketId: number) {
  const queryClient = useQueryClient();
  const update = useUpdateTicket(ticketId);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  function run(changes: TicketChanges) {
    queue.current = queue.current.then(() => {
      const current = queryClient.getQueryData<Ticket>(ticketKeys.detail(ticketId));
      if (!current) return;
      return update.mutateAsync({ version: current.version, changes }).catch(() => undefined);
    });
  }
  return { run, update };
}
