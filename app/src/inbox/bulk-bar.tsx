import { useSuspenseQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorMessage, fieldErrorText } from "../api/client.ts";
import {
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type Ticket,
  type TicketPriority,
  type TicketStatus,
} from "../api/types.ts";
import { meQuery } from "../auth/queries.ts";
import { useAssignees } from "../shell/directory.ts";
import { Button } from "../ui/button.tsx";
import { SelectField, TextField } from "../ui/fields.tsx";
import { humanize } from "../ui/format.ts";
import { useBulkUpdate } from "./queries.ts";
import type { BulkChanges, BulkResult } from "./types.ts";

export interface BulkOutcome {
  updated: number;
  failed: { ticket: Ticket | undefined; id: number; message: string }[];
}

interface BulkBarProps {
  selected: Ticket[];
  onDone: (outcome: BulkOutcome, succeededIds: number[]) => void;
  onMerge: () => void;
  onClear: () => void;
}

const tagList = (text: string) =>
  text
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);

// Changes for every selected ticket at once, applied by one POST /api/v1/tickets/bulk. Each
// ticket succeeds or fails on its own; the outcome names the ones that failed and why.
export function BulkBar({ selected, onDone, onMerge, onClear }: BulkBarProps) {
  const { data: me } = useSuspenseQuery(meQuery());
  // Who may take every selected ticket, by the server's rule; until it answers, nobody is offered.
  const groupIds = selected.flatMap((ticket) => (ticket.groupId === null ? [] : [ticket.groupId]));
  const agents = useAssignees(groupIds) ?? [];
  const canTake = agents.some((agent) => agent.id === me.id);
  const bulk = useBulkUpdate();
  const [assignee, setAssignee] = useState("");
  const [status, setStatus] = useState("");
  const [priority, setPriority] = useState("");
  const [addTags, setAddTags] = useState("");
  const [removeTags, setRemoveTags] = useState("");

  const changes: BulkChanges = {};
  if (assignee === "none") changes.assigneeId = null;
  else if (assignee === "me") changes.assigneeId = me.id;
  else if (assignee) changes.assigneeId = Number(assignee);
  if (status) changes.status = status as TicketStatus;
  if (priority) changes.priority = priority as TicketPriority;
  if (tagList(addTags).length) changes.addTags = tagList(addTags);
  if (tagList(removeTags).length) changes.removeTags = tagList(removeTags);
  const empty = Object.keys(changes).length === 0;

  const apply = (withChanges: BulkChanges) => {
    const ids = selected.map((ticket) => ticket.id);
    bulk.mutate(
      { ids, changes: withChanges },
      {
        onSuccess: (results) => {
          setAssignee("");
          setStatus("");
          setPriority("");
          setAddTags("");
          setRemoveTags("");
          onDone(
            outcomeOf(results, selected),
            results.filter((r) => r.ok).map((r) => r.id),
          );
        },
      },
    );
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!empty) apply(changes);
  };

  return (
    <section className="bulk-bar" aria-label="Bulk actions">
      <p className="bulk-count" aria-live="polite">
        {selected.length} selected
      </p>
      {canTake && (
        <Button onClick={() => apply({ assigneeId: me.id })} disabled={bulk.isPending}>
          Assign to me
        </Button>
      )}
      <form className="bulk-form" onSubmit={submit}>
        <SelectField
          label="Assign to"
          value={assignee}
          onChange={(event) => setAssignee(event.target.value)}
          options={[
            { value: "", label: "No change" },
            ...(canTake ? [{ value: "me", label: `Me (${me.name})` }] : []),
            { value: "none", label: "Unassigned" },
            ...agents.filter((a) => a.id !== me.id).map((a) => ({ value: String(a.id), label: a.name })),
          ]}
        />
        <SelectField
          label="Status"
          value={status}
          onChange={(event) => setStatus(event.target.value)}
          options={[
            { value: "", label: "No change" },
            ...TICKET_STATUSES.filter((s) => s !== "closed").map((s) => ({ value: s, label: humanize(s) })),
          ]}
        />
        <SelectField
          label="Priority"
          value={priority}
          onChange={(event) => setPriority(event.target.value)}
          options={[
            { value: "", label: "No change" },
            ...TICKET_PRIORITIES.map((p) => ({ value: p, label: humanize(p) })),
          ]}
        />
        <TextField
          label="Add tags"
          placeholder="vip, billing"
          value={addTags}
          onChange={(event) => setAddTags(event.target.value)}
        />
        <TextField
          label="Remove tags"
          value={removeTags}
          onChange={(event) => setRemoveTags(event.target.value)}
        />
        <Button type="submit" variant="primary" disabled={empty || bulk.isPending}>
          {bulk.isPending ? "Applying…" : `Apply to ${selected.length}`}
        </Button>
      </form>
      <Button onClick={onMerge} disabled={selected.length < 2}>
        Merge…
      </Button>
      <Button variant="ghost" onClick={onClear}>
        Clear selection
      </Button>
      {bulk.error && <p role="alert">{errorMessage(bulk.error)}</p>}
    </section>
  );
}

function outcomeOf(results: BulkResult[], selected: Ticket[]): BulkOutcome {
  const byId = new Map(selected.map((ticket) => [ticket.id, ticket]));
  return {
    updated: results.filter((r) => r.ok).length,
    failed: results.flatMap((r) =>
      r.ok
        ? []
        : [
            {
              id: r.id,
              ticket: byId.get(r.id),
              message: r.error.errors?.length
                ? r.error.errors.map(fieldErrorText).join(" ")
                : r.error.message,
            },
          ],
    ),
  };
}

// What the last bulk action did: a status line when all went well, an alert naming each ticket
// that was not changed otherwise.
export function BulkOutcomeNotice({ outcome, onDismiss }: { outcome: BulkOutcome; onDismiss: () => void }) {
  const total = outcome.updated + outcome.failed.length;
  if (outcome.failed.length === 0) {
    return (
      <div className="notice notice-ok" role="status">
        {outcome.updated === 1 ? "1 ticket updated." : `${outcome.updated} tickets updated.`}{" "}
        <Button variant="ghost" onClick={onDismiss}>
          Dismiss
        </Button>
      </div>
    );
  }
  return (
    <div className="notice notice-error" role="alert">
      <p>
        {outcome.updated} of {total} tickets updated. Not updated:
      </p>
      <ul>
        {outcome.failed.map((failure) => (
          <li key={failure.id}>
            {failure.ticket ? `#${failure.ticket.number} ${failure.ticket.subject}` : `Ticket ${failure.id}`}:{" "}
            {failure.message}
          </li>
        ))}
      </ul>
      <Button variant="ghost" onClick={onDismiss}>
        Dismiss
      </Button>
    </div>
  );
}
