import { type RawBuilder, sql } from "kysely";
import { type Actor, actorRef } from "../auth/actor.ts";
import { ticketVisibleTo } from "../auth/permissions.ts";
import type { Db } from "../db/connection.ts";
import { appendEvent, EVENTS_CHANNEL } from "./events.ts";
import { activeFieldDefinitions } from "./field-values.ts";
import { TICKET_COLUMNS, type TicketRow } from "./present.ts";
import { decodeCursor, encodeCursor } from "./queries.ts";

const UNSOLVED = ["new", "open", "pending", "on_hold"] as const;

// One page of a problem's incidents that the actor may see, oldest link first.
export async function problemIncidents(
  db: Db,
  actor: Actor,
  problemId: number,
  page: { limit?: number; cursor?: string },
) {
  const limit = page.limit ?? 50;
  let q = db
    .selectFrom("tickets as t")
    .select(TICKET_COLUMNS.map((c) => `t.${c}` as const))
    .where("t.workspace_id", "=", actor.workspaceId)
    .where("t.problem_id", "=", problemId)
    .where(ticketVisibleTo(actor));
  if (page.cursor) q = q.where("t.id", ">", decodeCursor(page.cursor)[1]);
  const rows = (await q
    .orderBy("t.id")
    .limit(limit + 1)
    .execute()) as TicketRow[];
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { rows: data, nextCursor: rows.length > limit && last ? encodeCursor(last.id, last.id) : null };
}

export async function hasIncidents(db: Db, workspaceId: number, problemId: number) {
  const row = await db
    .selectFrom("tickets")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("problem_id", "=", problemId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

// Solving a problem solves its unsolved incidents and posts the problem's latest public agent
// reply on each, so every affected customer hears the fix. A problem may carry thousands of
// incidents: the work is a fixed number of set-based statements, whatever the count.
// An incident that misses a required_on_solve value keeps its status (solving it would break
// the rule agents obey) but still gets the reply; the problem's event lists it as left open.
export async function solveIncidents(trx: Db, actor: Actor, problem: TicketRow) {
  const ws = problem.workspace_id;
  const reply = await trx
    .selectFrom("messages")
    .select(["id", "body_text", "body_html", "author_user_id"])
    .where("workspace_id", "=", ws)
    .where("ticket_id", "=", problem.id)
    .where("kind", "=", "reply")
    .where("direction", "=", "out")
    .where("author_type", "=", "user")
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  const canSolve = await requiredFieldsFilled(trx, ws);
  const now = new Date();
  const { rows: touched } = await sql<{ id: number; from_status: string; to_status: string }>`
    with target as (
      select id, status, ${canSolve} as can_solve from tickets t
      where t.workspace_id = ${ws} and t.problem_id = ${problem.id}
        and t.status = any(${[...UNSOLVED]}::text[])
        ${reply ? sql`` : sql`and ${canSolve}`}
      order by t.id
      for update
    )
    update tickets t set
      status = case when target.can_solve then 'solved' else t.status end,
      solved_at = case when target.can_solve then ${now}::timestamptz else t.solved_at end,
      version = t.version + case when target.can_solve then 1 else 0 end,
      first_responded_at = ${reply ? sql`coalesce(t.first_responded_at, ${now}::timestamptz)` : sql`t.first_responded_at`},
      updated_at = ${now}::timestamptz
    from target
    where t.workspace_id = ${ws} and t.id = target.id
    returning t.id, target.status as from_status, t.status as to_status`.execute(trx);
  if (touched.length === 0) return;
  const ids = touched.map((t) => t.id).sort((a, b) => a - b);
  const events: BulkEvent[] = touched
    .filter((t) => t.to_status === "solved")
    .map((t) => ({
      ticketId: t.id,
      type: "ticket.updated",
      changes: { status: { from: t.from_status, to: "solved" }, solvedWithProblemId: problem.id },
    }));
  if (reply) {
    const { rows: copies } = await sql<{ id: number; ticket_id: number }>`
      insert into messages (workspace_id, ticket_id, kind, direction, author_type, author_user_id,
        body_text, body_html, channel, channel_meta, created_at)
      select ${ws}, i.id, 'reply', 'out', 'user', ${reply.author_user_id}::bigint, ${reply.body_text}::text,
        ${reply.body_html}::text, 'web', ${JSON.stringify({ copiedFromMessageId: reply.id, problemId: problem.id })}::jsonb,
        ${now}::timestamptz
      from unnest(${ids}::bigint[]) as i(id)
      order by i.id
      returning id, ticket_id`.execute(trx);
    for (const m of copies) {
      events.push({
        ticketId: m.ticket_id,
        type: "message.created",
        changes: { messageId: m.id, kind: "reply", direction: "out" },
      });
    }
  }
  await appendEventsInBulk(trx, actor, ws, events);
  await appendEvent(trx, actor, problem, "problem.incidents_solved", {
    solvedIds: touched.filter((t) => t.to_status === "solved").map((t) => t.id),
    leftOpenIds: touched.filter((t) => t.to_status !== "solved").map((t) => t.id),
    replyMessageId: reply?.id ?? null,
  });
}

// The same test as missingOnSolve, in SQL over the tickets row `t`.
async function requiredFieldsFilled(trx: Db, workspaceId: number): Promise<RawBuilder<boolean>> {
  const required = (await activeFieldDefinitions(trx, workspaceId)).filter((d) => d.required_on_solve);
  if (required.length === 0) return sql<boolean>`true`;
  return sql<boolean>`(${sql.join(
    required.map(
      (d) =>
        sql`coalesce(t.custom_fields -> ${d.key} not in ('null'::jsonb, '""'::jsonb, '[]'::jsonb), false)`,
    ),
    sql` and `,
  )})`;
}

interface BulkEvent {
  ticketId: number;
  type: string;
  changes: Record<string, unknown>;
}

// appendEvent for many tickets in two statements: the rows, then one NOTIFY per row with the
// same notice appendEvent sends.
async function appendEventsInBulk(trx: Db, actor: Actor, workspaceId: number, events: BulkEvent[]) {
  if (events.length === 0) return;
  const ref = actorRef(actor);
  const rows = JSON.stringify(
    events.map((e, ord) => ({ ord, ticket_id: e.ticketId, type: e.type, changes: e.changes })),
  );
  await sql`
    with ev as (
      insert into ticket_events (workspace_id, ticket_id, type, actor_type, actor_id, changes)
      select ${workspaceId}, x.ticket_id, x.type, ${ref.actor_type}, ${ref.actor_id}::bigint, x.changes
      from jsonb_to_recordset(${rows}::jsonb) as x(ord int, ticket_id bigint, type text, changes jsonb)
      order by x.ord
      returning id, ticket_id, type
    )
    select pg_notify(${EVENTS_CHANNEL}, json_build_object(
      'workspaceId', t.workspace_id, 'ticketId', t.id, 'eventId', ev.id, 'type', ev.type,
      'groupId', t.group_id, 'assigneeId', t.assignee_id, 'requesterId', t.requester_id,
      'organizationId', t.organization_id, 'actorType', ${ref.actor_type}::text,
      'actorId', ${ref.actor_id}::bigint)::text)
    from ev join tickets t on t.workspace_id = ${workspaceId} and t.id = ev.ticket_id
    order by ev.id`.execute(trx);
}
