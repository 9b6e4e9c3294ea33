import { errorMessage } from "../api/client.ts";
import { TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES, type Ticket } from "../api/types.ts";
import { useGroups, useUsers } from "../shell/directory.ts";
import { SelectField } from "../ui/fields.tsx";
import { humanize } from "../ui/format.ts";
import { isVersionConflict, type TicketChanges, useUpdateTicket } from "./queries.ts";

export function PropertiesPanel({ ticket }: { ticket: Ticket }) {
  const update = useUpdateTicket(ticket.id);
  const users = useUsers().filter((user) => user.active);
  const groups = useGroups();
  const save = (changes: TicketChanges) => update.mutate({ version: ticket.version, changes });
  const conflict = isVersionConflict(update.error);
  return (
    <section className="properties" aria-label="Ticket properties">
      <SelectField
        label="Status"
        value={ticket.status}
        onChange={(e) => save({ status: e.target.value as Ticket["status"] })}
        options={TICKET_STATUSES.map((value) => ({ value, label: humanize(value) }))}
      />
      <SelectField
        label="Priority"
        value={ticket.priority}
        onChange={(e) => save({ priority: e.target.value as Ticket["priority"] })}
        options={TICKET_PRIORITIES.map((value) => ({ value, label: humanize(value) }))}
      />
      <SelectField
        label="Type"
        value={ticket.type}
        onChange={(e) => save({ type: e.target.value as Ticket["type"] })}
        options={TICKET_TYPES.map((value) => ({ value, label: humanize(value) }))}
      />
      <SelectField
        label="Assignee"
        value={String(ticket.assigneeId ?? "")}
        onChange={(e) => save({ assigneeId: e.target.value ? Number(e.target.value) : null })}
        options={[
          { value: "", label: "Unassigned" },
          ...users.map((u) => ({ value: String(u.id), label: u.name })),
        ]}
      />
      <SelectField
        label="Group"
        value={String(ticket.groupId ?? "")}
        onChange={(e) => save({ groupId: e.target.value ? Number(e.target.value) : null })}
        options={[
          { value: "", label: "No group" },
          ...groups.map((g) => ({ value: String(g.id), label: g.name })),
        ]}
      />
      {update.error && (
        <p className="form-error" role="alert">
          {conflict
            ? "Someone else changed this ticket meanwhile. The latest version is shown; make your change again."
            : errorMessage(update.error)}
        </p>
      )}
    </section>
  );
}
