import { sql } from "kysely";
import { type Actor, actorRef } from "../auth/actor.ts";
import type { Db } from "../db/connection.ts";

export const EVENTS_CHANNEL = "parley_ticket_events";

export interface TicketScope {
  id: number;
  workspace_id: number;
  group_id: number | null;
  assignee_id: number | null;
  requester_id: number;
  organization_id: number | null;
}

// What every instance hears about an event: enough to decide who may see it, not the content.
// Subscribers load what they need; a NOTIFY payload must stay under 8 kB.
export interface EventNotice {
  workspaceId: number;
  ticketId: number;
  eventId: number;
  type: string;
  groupId: number | null;
  assigneeId: number | null;
  requesterId: number;
  organizationId: number | null;
  actorType: string;
  actorId: number | null;
}

// Appends the event in the caller's transaction. The NOTIFY is transactional too: PostgreSQL
// delivers it only if the transaction commits, so listeners never hear of a change that was
// rolled back, and every instance (this one included) hears of every committed one.
export async function appendEvent(
  trx: Db,
  actor: Actor,
  ticket: TicketScope,
  type: string,
  changes: Record<string, unknown> = {},
) {
  const ref = actorRef(actor);
  const event = await trx
    .insertInto("ticket_events")
    .values({
      workspace_id: ticket.workspace_id,
      ticket_id: ticket.id,
      type,
      actor_type: ref.actor_type,
      actor_id: ref.actor_id,
      changes: JSON.stringify(changes),
    })
    .returning(["id", "created_at"])
    .executeTakeFirstOrThrow();
  const notice: EventNotice = {
    workspaceId: ticket.workspace_id,
    ticketId: ticket.id,
    eventId: event.id,
    type,
    groupId: ticket.group_id,
    assigneeId: ticket.assignee_id,
    requesterId: ticket.requester_id,
    organizationId: ticket.organization_id,
    actorType: ref.actor_type,
    actorId: ref.actor_id,
  };
  await sql`select pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify(notice)})`.execute(trx);
  return event;
}

// A field-by-field diff of what changed, as the event's `changes`: { field: { from, to } }.
export function diff<T extends Record<string, unknown>>(before: T, after: Partial<T>) {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [key, to] of Object.entries(after)) {
    if (to === undefined) continue;
    const from = before[key];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[key] = { from, to };
  }
  return changes;
}
