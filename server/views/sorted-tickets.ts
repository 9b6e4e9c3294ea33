import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { UserActor } from "../auth/actor.ts";
import { ticketVisibleTo } from "../auth/permissions.ts";
import type { Db } from "../db/connection.ts";
import type { Database } from "../db/types.ts";
import { badRequest } from "../http/errors.ts";
import { type TicketFilters, ticketFilterConditions } from "../tickets/filters.ts";
import { TICKET_COLUMNS, type TicketRow } from "../tickets/present.ts";
import { listTickets } from "../tickets/queries.ts";

// Every column of the agent app's ticket list can sort it. Each sort pages by keyset, never by
// offset, so page 100 costs what page 1 costs:
// - updated_at, created_at, number: the ticket list's own indexed sorts (tickets/queries.ts).
// - status, priority, assignee, group: few distinct values. The values are walked in order and
//   each value's tickets read newest activity first through an index on (value, updated_at), so
//   a page reads at most a few short index ranges.
// - subject, requester: ordered by text. These read the view's matching tickets and keep the
//   top of them; docs/views.md says what that costs on a big view.
export const VIEW_SORT_FIELDS = [
  "updated_at",
  "created_at",
  "number",
  "subject",
  "requester",
  "status",
  "priority",
  "assignee",
  "group",
] as const;
export type ViewSortField = (typeof VIEW_SORT_FIELDS)[number];
export type Direction = "asc" | "desc";

export interface SortedPageInput {
  sort: ViewSortField;
  direction: Direction;
  limit: number;
  cursor?: string;
}

type TicketEb = ExpressionBuilder<Database & { t: Database["tickets"] }, "t">;
type GroupValue = string | number | null;
type Page = { rows: TicketRow[]; nextCursor: string | null };

const STATUS_ORDER = ["new", "open", "pending", "on_hold", "solved", "closed"] as const;
const PRIORITY_ORDER = ["low", "normal", "high", "urgent"] as const;
// How many values one statement reads; most pages are filled by the first value or two.
const VALUES_PER_STATEMENT = 6;

export async function sortedTickets(
  db: Db,
  actor: UserActor,
  filters: TicketFilters,
  input: SortedPageInput,
): Promise<Page> {
  const { sort, direction, limit, cursor } = input;
  if (sort === "updated_at" || sort === "created_at" || sort === "number") {
    return listTickets(db, actor, { ...filters, sort, direction, limit, cursor });
  }
  const after = cursor === undefined ? null : decodeSortCursor(cursor, sort, direction);
  if (sort === "subject" || sort === "requester") return textSorted(db, actor, filters, input, after);
  return groupedSorted(db, actor, filters, input, after);
}

// Cursors of these sorts name the sort they came from, so one cannot be replayed on another.
function encodeSortCursor(sort: ViewSortField, direction: Direction, key: unknown[]) {
  return Buffer.from(JSON.stringify({ s: sort, d: direction, k: key })).toString("base64url");
}

function decodeSortCursor(cursor: string, sort: ViewSortField, direction: Direction): unknown[] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (parsed?.s === sort && parsed.d === direction && Array.isArray(parsed.k)) return parsed.k;
  } catch {
    // fall through to the error below
  }
  throw badRequest("invalid_cursor", "The cursor is not one this API gave out for this sort.");
}

function cursorDate(value: unknown): Date {
  const date = new Date(String(value));
  if (typeof value !== "string" || Number.isNaN(date.getTime())) {
    throw badRequest("invalid_cursor", "The cursor is not one this API gave out for this sort.");
  }
  return date;
}

function cursorId(value: unknown): number {
  if (!Number.isSafeInteger(value)) {
    throw badRequest("invalid_cursor", "The cursor is not one this API gave out for this sort.");
  }
  return value as number;
}

function matching(db: Db, actor: UserActor, filters: TicketFilters) {
  return db
    .selectFrom("tickets as t")
    .where("t.workspace_id", "=", actor.workspaceId)
    .where(ticketVisibleTo(actor))
    .where(ticketFilterConditions(actor, filters));
}

const ticketColumns = TICKET_COLUMNS.map((c) => `t.${c}` as const);

// Subject and requester name, case-insensitively, then ids so equal names keep a fixed order.
async function textSorted(
  db: Db,
  actor: UserActor,
  filters: TicketFilters,
  { sort, direction, limit }: SortedPageInput,
  after: unknown[] | null,
): Promise<Page> {
  const op = direction === "asc" ? ">" : "<";
  let rows: (TicketRow & { sort_key: string; sort_id: number })[];
  if (sort === "subject") {
    let q = matching(db, actor, filters).select([
      ...ticketColumns,
      sql<string>`lower(t.subject)`.as("sort_key"),
    ]);
    if (after) {
      const [key, id] = [String(after[0]), cursorId(after[1])];
      q = q.where(sql<SqlBool>`(lower(t.subject), t.id) ${sql.raw(op)} (${key}, ${id})`);
    }
    rows = (await q
      .orderBy(sql`lower(t.subject)`, direction)
      .orderBy("t.id", direction)
      .limit(limit + 1)
      .execute()) as typeof rows;
    rows = rows.map((r) => ({ ...r, sort_id: r.id }));
  } else {
    let q = matching(db, actor, filters)
      .innerJoin("contacts as c", (j) =>
        j.onRef("c.workspace_id", "=", "t.workspace_id").onRef("c.id", "=", "t.requester_id"),
      )
      .select([...ticketColumns, sql<string>`lower(c.name)`.as("sort_key"), "c.id as sort_id"]);
    if (after) {
      const [key, contactId, id] = [String(after[0]), cursorId(after[1]), cursorId(after[2])];
      q = q.where(sql<SqlBool>`(lower(c.name), c.id, t.id) ${sql.raw(op)} (${key}, ${contactId}, ${id})`);
    }
    rows = (await q
      .orderBy(sql`lower(c.name)`, direction)
      .orderBy("c.id", direction)
      .orderBy("t.id", direction)
      .limit(limit + 1)
      .execute()) as typeof rows;
  }
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const key = (r: (typeof rows)[number]) =>
    sort === "subject" ? [r.sort_key, r.id] : [r.sort_key, r.sort_id, r.id];
  return {
    rows: page.map(({ sort_key: _k, sort_id: _i, ...ticket }) => ticket as TicketRow),
    nextCursor: rows.length > limit && last ? encodeSortCursor(sort, direction, key(last)) : null,
  };
}

// The values of a grouped sort in display order. Statuses and priorities go in their working
// order (new before open; low before urgent), agents and groups by name with "none" last; desc
// reverses the whole list. A filter that pins the column leaves only the values it allows.
async function sortValues(
  db: Db,
  actor: UserActor,
  filters: TicketFilters,
  sort: "status" | "priority" | "assignee" | "group",
): Promise<GroupValue[]> {
  if (sort === "status")
    return STATUS_ORDER.filter((s) => !filters.status?.length || filters.status.includes(s));
  if (sort === "priority") {
    return PRIORITY_ORDER.filter((p) => !filters.priority?.length || filters.priority.includes(p));
  }
  const pinned = sort === "assignee" ? filters.assigneeId : filters.groupId;
  if (pinned === "none") return [null];
  if (pinned === "me") return [actor.userId];
  if (pinned !== undefined) return [pinned];
  const table = sort === "assignee" ? "users" : "groups";
  const named = await db
    .selectFrom(table)
    .select("id")
    .where("workspace_id", "=", actor.workspaceId)
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .execute();
  return [...named.map((r) => r.id), null];
}

function valueCondition(sort: "status" | "priority" | "assignee" | "group", value: GroupValue) {
  return (eb: TicketEb): Expression<SqlBool> => {
    if (sort === "status") return eb("t.status", "=", value as TicketRow["status"]);
    if (sort === "priority") return eb("t.priority", "=", value as TicketRow["priority"]);
    const column = sort === "assignee" ? "t.assignee_id" : "t.group_id";
    return value === null ? eb(column, "is", null) : eb(column, "=", value as number);
  };
}

async function groupedSorted(
  db: Db,
  actor: UserActor,
  filters: TicketFilters,
  { sort, direction, limit }: SortedPageInput,
  after: unknown[] | null,
): Promise<Page> {
  const grouped = sort as "status" | "priority" | "assignee" | "group";
  let values = await sortValues(db, actor, filters, grouped);
  if (direction === "desc") values = values.reverse();
  let start = 0;
  let keyset: { updatedAt: Date; id: number } | null = null;
  if (after) {
    start = values.indexOf(after[0] as GroupValue);
    if (start < 0)
      throw badRequest("invalid_cursor", "The cursor is not one this API gave out for this sort.");
    keyset = { updatedAt: cursorDate(after[1]), id: cursorId(after[2]) };
  }
  const found: { value: GroupValue; row: TicketRow }[] = [];
  // One row past the page says whether another page exists.
  for (let i = start; i < values.length && found.length <= limit; i += VALUES_PER_STATEMENT) {
    const batch = values.slice(i, i + VALUES_PER_STATEMENT);
    const need = limit + 1 - found.length;
    const parts = batch.map((value, offset) => {
      let q = matching(db, actor, filters)
        .select([...ticketColumns, sql<number>`${i + offset}::int`.as("sort_ord")])
        .where(valueCondition(grouped, value));
      if (keyset && i + offset === start) {
        const { updatedAt, id } = keyset;
        q = q.where((eb) => eb(eb.refTuple("t.updated_at", "t.id"), "<", eb.tuple(updatedAt as any, id)));
      }
      return sql`(${q.orderBy("t.updated_at", "desc").orderBy("t.id", "desc").limit(need)})`;
    });
    const { rows } = await sql<
      TicketRow & { sort_ord: number }
    >`${sql.join(parts, sql` union all `)}`.execute(db);
    rows.sort(
      (a, b) => a.sort_ord - b.sort_ord || b.updated_at.getTime() - a.updated_at.getTime() || b.id - a.id,
    );
    for (const { sort_ord, ...row } of rows.slice(0, need)) found.push({ value: values[sort_ord], row });
  }
  const page = found.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map((f) => f.row),
    nextCursor:
      found.length > limit && last
        ? encodeSortCursor(sort, direction, [last.value, last.row.updated_at.toISOString(), last.row.id])
        : null,
  };
}
