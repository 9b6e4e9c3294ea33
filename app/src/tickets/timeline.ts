import type { Message, TicketEvent } from "../api/types.ts";
import { humanize } from "../ui/format.ts";

export type TimelineEntry =
  | { kind: "message"; at: string; message: Message }
  | { kind: "event"; at: string; event: TicketEvent; text: string };

interface Names {
  users: Map<number, string>;
  groups: Map<number, string>;
}

type Change = { from?: unknown; to?: unknown };
const change = (changes: Record<string, unknown>, key: string) => changes[key] as Change | undefined;

// The other ticket of a split, which the thread shows as a link after the event's text.
export function linkedTicketId(event: TicketEvent): number | null {
  const id = event.type === "ticket.split" ? event.changes?.newTicketId : event.changes?.splitFromId;
  return typeof id === "number" && (event.type === "ticket.split" || event.type === "ticket.created")
    ? id
    : null;
}

function actorName(event: TicketEvent, names: Names) {
  if (event.actor?.type === "user") return names.users.get(event.actor.id ?? 0) ?? "An agent";
  if (event.actor?.type === "contact") return "The customer";
  return "Parley";
}

// One compact line per change an agent cares about between messages: who set what. Changes of
// other fields (tags, custom fields) stay in the audit trail, not in the conversation.
export function describeEvent(event: TicketEvent, names: Names): string | null {
  const who = actorName(event, names);
  const changes = event.changes ?? {};
  if (event.type === "ticket.merged") return `${who} merged this ticket into another`;
  if (event.type === "ticket.merge_received") return `${who} merged another ticket into this one`;
  if (event.type === "ticket.follow_up_created") return "A follow-up ticket was opened for a new reply";
  if (event.type === "ticket.split") return `${who} split a message off into`;
  if (event.type === "ticket.created" && changes.splitFromId) return `${who} split this ticket off`;
  if (event.type !== "ticket.updated") return null;
  const parts: string[] = [];
  const status = change(changes, "status");
  if (status) parts.push(`set status to ${humanize(String(status.to))}`);
  const priority = change(changes, "priority");
  if (priority) parts.push(`set priority to ${humanize(String(priority.to))}`);
  const type = change(changes, "type");
  if (type) parts.push(`set type to ${humanize(String(type.to))}`);
  const assignee = change(changes, "assigneeId");
  if (assignee) {
    const to = assignee.to as number | null;
    if (to === null) parts.push("unassigned the ticket");
    else if (event.actor?.type === "user" && event.actor.id === to) parts.push("took the ticket");
    else parts.push(`assigned the ticket to ${names.users.get(to) ?? "an agent"}`);
  }
  const group = change(changes, "groupId");
  if (group) {
    const to = group.to as number | null;
    parts.push(
      to === null ? "removed the group" : `moved the ticket to ${names.groups.get(to) ?? "a group"}`,
    );
  }
  if (parts.length === 0) return null;
  return `${who} ${joinParts(parts)}`;
}

function joinParts(parts: string[]) {
  if (parts.length === 1) return parts[0];
  return `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

// Messages and the changes between them, by time. A reply sent with a status change is written
// in one transaction, so both carry the same time: the message comes first, then what it did.
export function buildTimeline(messages: Message[], events: TicketEvent[], names: Names): TimelineEntry[] {
  const entries: TimelineEntry[] = messages.map((message) => ({
    kind: "message",
    at: message.createdAt,
    message,
  }));
  for (const event of events) {
    const text = describeEvent(event, names);
    if (text) entries.push({ kind: "event", at: event.createdAt, event, text });
  }
  const rank = (e: TimelineEntry) => (e.kind === "message" ? 0 : 1);
  const id = (e: TimelineEntry) => (e.kind === "message" ? e.message.id : e.event.id);
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || rank(a) - rank(b) || id(a) - id(b));
}
