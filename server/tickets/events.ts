import { type Compilable, type RawBuilder, sql } from "kysely";
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
  // message.created only: the message's kind, so a subscriber that cares only for notes (or only
  // for replies) need not load the event. Absent from notices of writers that do not set it.
  messageKind?: string | null;
}

export interface NewEvent {
  type: string;
  changes?: Record<string, unknown>;
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
  const [event] = await appendEvents(trx, actor, ticket, [{ type, changes }]);
  return event;
}

// Several events of one ticket, in order, with their NOTIFYs (one per event, each an
// EventNotice), in a single statement: every round trip in a write costs the server a parse
// and a plan. PostgreSQL evaluates pg_notify after the sort, so notices go out in event order.
export async function appendEvents(trx: Db, actor: Actor, ticket: TicketScope, events: NewEvent[]) {
  const { rows: inserted } = await sql<{ id: number; created_at: Date }>`
    with ev as (
      insert into ticket_events (workspace_id, ticket_id, type, actor_type, actor_id, changes)
      select ${eventColumns(actor, ticket)}, x.changes
      from ${eventRecords(events)}
      order by x.ord
      returning id, type, created_at, changes
    )${assignmentNotification(actor, ticket)}
    select ev.id, ev.created_at, ${notify(actor, ticket)} as notified
    from ev
    order by ev.id`.execute(trx);
  return inserted.map((e) => ({ id: e.id, created_at: e.created_at }));
}

// A row and its events in one statement: `insert` (an INSERT ... RETURNING *, seen as `r`), then
// the events in `before`, then one of `type` whose changes are SQL over `r` (its id is known
// only there), with a NOTIFY each, in event order.
export async function insertWithEvents<R extends object>(
  trx: Db,
  actor: Actor,
  ticket: TicketScope,
  insert: Compilable<R>,
  before: NewEvent[],
  type: string,
  changes: RawBuilder<unknown>,
): Promise<R> {
  const { rows } = await sql<R & { parley_notified: unknown }>`
    with r as (${insert}),
    ev as (
      insert into ticket_events (workspace_id, ticket_id, type, actor_type, actor_id, changes)
      select ${eventColumns(actor, ticket)}, x.changes
      from (
        select x.ord, x.type, x.changes from ${eventRecords(before)}
        union all
        select ${before.length}::int, ${type}::text, ${changes} from r
      ) as x
      order by x.ord
      returning id, type, changes
    )${assignmentNotification(actor, ticket)}
    select r.*, (select count(*) from (select ${notify(actor, ticket)} from ev order by ev.id) as n)
      as parley_notified
    from r`.execute(trx);
  if (rows.length !== 1) throw new Error("insertWithEvents: the insert returned no row");
  const { parley_notified: _, ...row } = rows[0];
  return row as unknown as R;
}

// The assignee's "ticket_assigned" notification, as one more CTE after `ev`: written with the
// event that assigns them (a new ticket with an assignee, or a change of assignee), in the same
// statement, so it exists exactly when the assignment commits. Nobody is told of a ticket they
// took themselves.
function assignmentNotification(actor: Actor, ticket: TicketScope) {
  const assignee = ticket.assignee_id;
  if (assignee === null || (actor.type === "user" && actor.userId === assignee)) return sql``;
  return sql`,
    assigned as (
      insert into notifications (workspace_id, user_id, ticket_id, event_id, kind)
      select ${ticket.workspace_id}::bigint, ${assignee}::bigint, ${ticket.id}::bigint, ev.id, 'ticket_assigned'
      from ev
      where ${assigns(sql`ev`)}
      on conflict do nothing
    )`;
}

// Whether an inserted event row `ev` gives its ticket to its (current) assignee.
export function assigns(ev: RawBuilder<unknown>) {
  return sql`(${ev}.type = 'ticket.created'
    or (${ev}.type = 'ticket.updated' and jsonb_exists(${ev}.changes, 'assigneeId')))`;
}

function eventColumns(actor: Actor, ticket: TicketScope) {
  const ref = actorRef(actor);
  return sql`${ticket.workspace_id}::bigint, ${ticket.id}::bigint, x.type, ${ref.actor_type}, ${ref.actor_id}::bigint`;
}

function eventRecords(events: NewEvent[]) {
  const rows = JSON.stringify(events.map((e, ord) => ({ ord, type: e.type, changes: e.changes ?? {} })));
  return sql`jsonb_to_recordset(${rows}::jsonb) as x(ord int, type text, changes jsonb)`;
}

// The EventNotice of an inserted event row `ev`.
function notify(actor: Actor, ticket: TicketScope) {
  const ref = actorRef(actor);
  const notice: Omit<EventNotice, "eventId" | "type"> = {
    workspaceId: ticket.workspace_id,
    ticketId: ticket.id,
    groupId: ticket.group_id,
    assigneeId: ticket.assignee_id,
    requesterId: ticket.requester_id,
    organizationId: ticket.organization_id,
    actorType: ref.actor_type,
    actorId: ref.actor_id,
  };
  return sql`pg_notify(${EVENTS_CHANNEL}, (${JSON.stringify(notice)}::jsonb
    || jsonb_build_object('eventId', ev.id, 'type', ev.type, 'messageKind', ${messageKind(sql`ev`)}))::text)`;
}

// The messageKind of an EventNotice, from an inserted event row.
export function messageKind(ev: RawBuilder<unknown>) {
  return sql`case when ${ev}.type = 'message.created' then ${ev}.changes->>'kind' end`;
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
