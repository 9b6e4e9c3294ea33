import { sql } from "kysely";
import { type Actor, actorRef } from "../auth/actor.ts";
import type { Db } from "../db/connection.ts";
import type { MessageKind, TicketPriority, TicketStatus, TicketType } from "../db/types.ts";
import { assigns, EVENTS_CHANNEL, messageKind } from "./events.ts";
import { normalizeTags } from "./field-values.ts";
import { sanitizeMessageHtml } from "./messages.ts";
import { TICKET_COLUMNS, type TicketRow } from "./present.ts";
import type { CreateTicketInput } from "./service.ts";

// Everything a new ticket, its opening message and their two events are made of, once the
// requester is known and the input has been checked.
export interface TicketDraft {
  workspaceId: number;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority;
  type: TicketType;
  requesterId: number;
  organizationId: number | null;
  assigneeId: number | null;
  groupId: number | null;
  channel: string;
  tags: string[];
  customFields: Record<string, unknown>;
  actor: { type: "user" | "contact" | "system"; id: number | null };
  message: {
    kind: MessageKind;
    direction: "in" | null;
    author: { user: number } | { contact: number };
    body: string;
    // As given: sanitized when written.
    html: string | null;
  };
}

// The status a ticket opens with: new, or open when someone is already assigned.
export const openingStatus = (input: CreateTicketInput): TicketStatus =>
  input.status ?? (input.assigneeId ? "open" : "new");

// A ticket opens in the state it describes; solved or closed would skip its whole life.
export const startsDone = (status: TicketStatus) => status === "solved" || status === "closed";

// What the request turns into, the same for one ticket or a batch. The opening comment is the
// customer's request, even when an agent or an integration types it in for them; an agent's
// private comment (public: false) is an internal note instead.
export function draftTicket(
  actor: Actor,
  input: CreateTicketInput,
  requester: { id: number; organization_id: number | null },
  customFields: Record<string, unknown>,
): TicketDraft {
  const ref = actorRef(actor);
  const fromAgent = actor.type === "user" && input.comment.public === false;
  return {
    workspaceId: actor.workspaceId,
    subject: input.subject.trim(),
    status: openingStatus(input),
    priority: input.priority ?? "normal",
    type: input.type ?? "question",
    requesterId: requester.id,
    organizationId: requester.organization_id,
    assigneeId: input.assigneeId ?? null,
    groupId: input.groupId ?? null,
    channel: input.channel ?? (actor.type === "contact" ? "portal" : "api"),
    tags: normalizeTags(input.tags ?? []),
    customFields,
    actor: { type: ref.actor_type, id: ref.actor_id },
    message: {
      kind: fromAgent ? "note" : "reply",
      direction: fromAgent ? null : "in",
      author: actor.type === "user" && fromAgent ? { user: actor.userId } : { contact: requester.id },
      body: input.comment.body,
      html: input.comment.html ?? null,
    },
  };
}

// The changes recorded by a ticket.created event.
export const createdChanges = (t: Pick<TicketRow, "status" | "priority" | "assignee_id" | "group_id">) => ({
  status: t.status,
  priority: t.priority,
  assigneeId: t.assignee_id,
  groupId: t.group_id,
});

const RETURNED = sql.join(TICKET_COLUMNS.map((c) => sql.ref(`t.${c}`)));

// Writes many drafted tickets in one statement: the tickets (each drawing its number from its
// workspace's sequence), their opening messages, a ticket.created and a message.created event
// each, an assignee's notification, and one NOTIFY per event in event order, exactly as
// createTicket writes one ticket.
// One statement for a batch costs PostgreSQL one parse, one plan and one set of round trips
// instead of one per ticket. Returns the tickets in the order of `drafts`.
export async function insertTicketDrafts(trx: Db, drafts: TicketDraft[], now: Date): Promise<TicketRow[]> {
  if (drafts.length === 0) return [];
  const rows = JSON.stringify(
    drafts.map((d, ord) => ({
      ord,
      ws: d.workspaceId,
      subject: d.subject,
      status: d.status,
      priority: d.priority,
      type: d.type,
      requester_id: d.requesterId,
      organization_id: d.organizationId,
      assignee_id: d.assigneeId,
      group_id: d.groupId,
      channel: d.channel,
      tags: d.tags,
      custom_fields: d.customFields,
      actor_type: d.actor.type,
      actor_id: d.actor.id,
      kind: d.message.kind,
      direction: d.message.direction,
      author_user_id: "user" in d.message.author ? d.message.author.user : null,
      author_contact_id: "contact" in d.message.author ? d.message.author.contact : null,
      body_text: d.message.body,
      body_html: d.message.html ? sanitizeMessageHtml(d.message.html) : null,
    })),
  );
  // The number is drawn in `x`, which is materialized once: it is then the key that ties each
  // inserted ticket back to its draft (ticket ids are only known after the insert).
  const { rows: inserted } = await sql<TicketRow & { ord: number; parley_notified: unknown }>`
    with x as materialized (
      select x.*, nextval(('ticket_numbers_' || x.ws)::regclass) as number
      from jsonb_to_recordset(${rows}::jsonb) as x(
        ord int, ws bigint, subject text, status text, priority text, type text,
        requester_id bigint, organization_id bigint, assignee_id bigint, group_id bigint,
        channel text, tags text[], custom_fields jsonb, actor_type text, actor_id bigint,
        kind text, direction text, author_user_id bigint, author_contact_id bigint,
        body_text text, body_html text)
      order by x.ord
    ),
    t as (
      insert into tickets (workspace_id, number, subject, status, priority, type, requester_id,
        organization_id, assignee_id, group_id, channel, tags, custom_fields, created_at, updated_at)
      select ws, number, subject, status, priority, type, requester_id, organization_id,
        assignee_id, group_id, channel, tags, custom_fields, ${now}::timestamptz, ${now}::timestamptz
      from x order by ord
      returning ${sql.join(TICKET_COLUMNS.map((c) => sql.ref(c)))}
    ),
    tx as (
      select t.*, x.ord, x.actor_type, x.actor_id, x.kind, x.direction, x.author_user_id,
        x.author_contact_id, x.body_text, x.body_html
      from t join x on x.ws = t.workspace_id and x.number = t.number
    ),
    m as (
      insert into messages (workspace_id, ticket_id, kind, direction, author_type, author_user_id,
        author_contact_id, body_text, body_html, channel)
      select workspace_id, id, kind, direction,
        case when author_user_id is not null then 'user' else 'contact' end,
        author_user_id, author_contact_id, body_text, body_html, channel
      from tx order by ord
      returning workspace_id, id, ticket_id, kind, direction
    ),
    ev as (
      insert into ticket_events (workspace_id, ticket_id, type, actor_type, actor_id, changes)
      select e.workspace_id, e.ticket_id, e.type, e.actor_type, e.actor_id, e.changes
      from (
        select tx.ord, 0 as step, tx.workspace_id, tx.id as ticket_id, 'ticket.created' as type,
          tx.actor_type, tx.actor_id,
          jsonb_build_object('status', tx.status, 'priority', tx.priority,
            'assigneeId', tx.assignee_id, 'groupId', tx.group_id) as changes
        from tx
        union all
        select tx.ord, 1, m.workspace_id, m.ticket_id, 'message.created', tx.actor_type, tx.actor_id,
          jsonb_build_object('messageId', m.id, 'kind', m.kind, 'direction', m.direction)
        from m join tx on tx.workspace_id = m.workspace_id and tx.id = m.ticket_id
      ) as e
      order by e.ord, e.step
      returning workspace_id, id, ticket_id, type, changes
    ),
    -- A ticket given to someone other than its creator tells them, as appendEvents does.
    assigned as (
      insert into notifications (workspace_id, user_id, ticket_id, event_id, kind)
      select ev.workspace_id, n.assignee_id, ev.ticket_id, ev.id, 'ticket_assigned'
      from ev join tx as n on n.workspace_id = ev.workspace_id and n.id = ev.ticket_id
      where ${assigns(sql`ev`)} and n.assignee_id is not null
        and not (n.actor_type = 'user' and n.actor_id = n.assignee_id)
      on conflict do nothing
    )
    select ${RETURNED}, tx.ord, (
      select count(*) from (
        select pg_notify(${EVENTS_CHANNEL}, jsonb_build_object(
          'workspaceId', ev.workspace_id, 'ticketId', ev.ticket_id, 'eventId', ev.id, 'type', ev.type,
          'groupId', n.group_id, 'assigneeId', n.assignee_id, 'requesterId', n.requester_id,
          'organizationId', n.organization_id, 'actorType', n.actor_type, 'actorId', n.actor_id,
          'messageKind', ${messageKind(sql`ev`)})::text)
        from ev join tx as n on n.workspace_id = ev.workspace_id and n.id = ev.ticket_id
        order by ev.id
      ) as notified
    ) as parley_notified
    from t join tx on tx.workspace_id = t.workspace_id and tx.id = t.id`.execute(trx);
  if (inserted.length !== drafts.length) throw new Error("insertTicketDrafts: a ticket was not written");
  const byOrd: TicketRow[] = new Array(drafts.length);
  for (const { ord, parley_notified: _, ...row } of inserted) byOrd[ord] = row as TicketRow;
  return byOrd;
}
