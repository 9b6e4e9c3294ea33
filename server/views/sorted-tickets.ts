import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { UserActor } from "../auth/actor.ts";
import type { Db } from "../db/connection.ts";
import type { Database } from "../db/types.ts";
import { badRequest } from "../http/errors.ts";
import type { TicketFilters } from "../tickets/filters.ts";
import type { TicketRow } from "../tickets/present.ts";
import { listTickets } from "../tickets/queries.ts";
import {
  cursorDate,
  cursorId,
  decodeSortCursor,
  encodeSortCursor,
  matching,
  type SortedPage,
  type SortedPageInput,
  STATUS_ORDER,
  ticketColumns,
} from "./sort-query.ts";
import { byRequester, mergedByStatus } from "./text-sorts.ts";

export { VIEW_SORT_FIELDS, type ViewSortField } from "./sort-query.ts";

// Every column of the agent app's ticket list can sort it. Each sort pages by keyset, never by
// offset, and reads about a page of index entries per page, so page 100 costs what page 1 costs
// (docs/views.md, "Sorting and paging"):
// - updated_at, created_at, number: the ticket list's own sorts (tickets/queries.ts); with a
//   filter on several statuses, updated_at merges one index range per status (text-sorts.ts).
// - subject: one index range per status, merged; requester: requesters walked in name order.
// - status, priority, assignee, group: few distinct values. The values are walked in order and
//   each value's tickets read newest activity first through an index on (value, updated_at).
export async function sortedTickets(
  db: Db,
  actor: UserActor,
  filters: TicketFilters,
  input: SortedPageInput,
): Promise<SortedPage> {
  const { sort, direction, limit, cursor } = input;
  if (sort === "subject" || (sort === "updated_at" && (filters.status?.length ?? 0) > 1)) {
    return mergedByStatus(db, actor, filters, { ...input, sort });
  }
  if (sort === "updated_at" || sort === "created_at" || sort === "number") {
    return listTickets(db, actor, { ...filters, sort, direction, limit, cursor });
  }
  if (sort === "requester") return byRequester(db, actor, filters, input);
  return groupedSorted(db, actor, filters, { ...input, sort });
}

type Grouped = "status" | "priority" | "assignee" | "group";
type GroupValue = string | number | null;
type TicketEb = ExpressionBuilder<Database & { t: Database["tickets"] }, "t">;

const PRIORITY_ORDER = ["low", "normal", "high", "urgent"] as const;
// Values read by the first statement of a page; each further statement reads twice as many.
// Most pages are filled by one value, and a value whose tickets are not in updated_at order in
// any index (an agent's tickets of every status) costs a sort of all of them.
const FIRST_VALUES = 1;
// Values one request may read. Where a value's tickets have no index in updated_at order (an
// agent's tickets of every status), each value read costs a sort of all of them, and a view
// with few matches per value would otherwise read every value for one page. Past the budget a
// page is returned short, with a cursor at the next value; the app keeps loading while the end
// of the list is in view.
const VALUES_PER_PAGE = 8;

// The values of a grouped sort in display order. Statuses and priorities go in their working
// order (new before open; low before urgent), agents and groups by name with "none" last; desc
// reverses the whole list. A filter on the column leaves only the values it allows, and is then
// dropped from the query: each branch already pins the value, and a second `in (...)` on the
// indexed column would stop the index from giving the rows in order.
async function sortValues(db: Db, actor: UserActor, filters: TicketFilters, sort: Grouped) {
  const { status, priority, assigneeId, groupId, ...rest } = filters;
  const keep = (values: GroupValue[], others: TicketFilters) => ({ values, filters: others });
  if (sort === "status") {
    return keep(
      STATUS_ORDER.filter((s) => !status?.length || status.includes(s)),
      { ...rest, priority, assigneeId, groupId },
    );
  }
  if (sort === "priority") {
    return keep(
      PRIORITY_ORDER.filter((p) => !priority?.length || priority.includes(p)),
      { ...rest, status, assigneeId, groupId },
    );
  }
  const pinned = sort === "assignee" ? assigneeId : groupId;
  const others =
    sort === "assignee" ? { ...rest, status, priority, groupId } : { ...rest, status, priority, assigneeId };
  if (pinned === "none") return keep([null], others);
  if (pinned === "me") return keep([actor.userId], others);
  if (pinned !== undefined) return keep([pinned], others);
  const named = await db
    .selectFrom(sort === "assignee" ? "users" : "groups")
    .select("id")
    .where("workspace_id", "=", actor.workspaceId)
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .execute();
  return keep([...named.map((r) => r.id), null], others);
}

function valueCondition(actor: UserActor, sort: Grouped, value: GroupValue) {
  return (eb: TicketEb): Expression<SqlBool> => {
    if (sort === "status") return eb("t.status", "=", value as TicketRow["status"]);
    if (sort === "priority") return eb("t.priority", "=", value as TicketRow["priority"]);
    const column = sort === "assignee" ? "t.assignee_id" : "t.group_id";
    const pinned = value === null ? eb(column, "is", null) : eb(column, "=", value as number);
    // An agent limited to their groups sees another group's tickets only when assigned to
    // them; said outright, the planner reads their own tickets instead of the whole group.
    const restricted = actor.role !== "admin" && actor.ticketAccess === "groups";
    if (sort === "group" && restricted && (value === null || !actor.groupIds.includes(value as number))) {
      return eb.and([pinned, eb("t.assignee_id", "=", actor.userId)]);
    }
    return pinned;
  };
}

// Within one agent or group, newest activity first, but never by walking the whole desk's
// updated_at index: with a LIMIT the planner bets that a value's tickets turn up early in it, and
// for an agent with no ticket the viewer may see, it reads every ticket (14 s at 1M). Sorting by
// an expression leaves it the value's own index: its active tickets, or all of its tickets.
// Statuses keep the index order, which (status, updated_at) gives for free.
const newest = (sort: Grouped) =>
  sort === "assignee" || sort === "group" ? sql`(t.updated_at + interval '0 seconds')` : sql`t.updated_at`;

async function groupedSorted(
  db: Db,
  actor: UserActor,
  filters: TicketFilters,
  { sort, direction, limit, cursor }: SortedPageInput & { sort: Grouped },
): Promise<SortedPage> {
  const walk = await sortValues(db, actor, filters, sort);
  const values = direction === "desc" ? walk.values.reverse() : walk.values;
  let start = 0;
  let keyset: { updatedAt: Date; id: number } | null = null;
  if (cursor !== undefined) {
    const k = decodeSortCursor(cursor, sort, direction);
    start = values.indexOf(k[0] as GroupValue);
    if (start < 0)
      throw badRequest("invalid_cursor", "The cursor is not one this API gave out for this sort.");
    // [value, null, null] starts at the top of that value (a page that ran out of budget).
    keyset = k[1] === null ? null : { updatedAt: cursorDate(k[1]), id: cursorId(k[2]) };
  }
  const end = Math.min(values.length, start + VALUES_PER_PAGE);
  const found: { value: GroupValue; row: TicketRow }[] = [];
  // One row past the page says whether another page exists.
  for (let i = start, size = FIRST_VALUES; i < end && found.length <= limit; i += size, size *= 2) {
    const need = limit + 1 - found.length;
    const parts = values.slice(i, Math.min(end, i + size)).map((value, offset) => {
      let q = matching(db, actor, walk.filters)
        .select([...ticketColumns, sql<number>`${i + offset}::int`.as("sort_ord")])
        .where(valueCondition(actor, sort, value));
      if (keyset && i + offset === start) {
        const { updatedAt, id } = keyset;
        q = q.where((eb) => eb(eb.refTuple("t.updated_at", "t.id"), "<", eb.tuple(updatedAt as any, id)));
      }
      return sql`(${q.orderBy(newest(sort), "desc").orderBy("t.id", "desc").limit(need)})`;
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
  let nextCursor: string | null = null;
  if (found.length > limit && last) {
    nextCursor = encodeSortCursor(sort, direction, [
      last.value,
      last.row.updated_at.toISOString(),
      last.row.id,
    ]);
  } else if (end < values.length) {
    // Out of budget before the page filled: the next page starts at the next value.
    nextCursor = encodeSortCursor(sort, direction, [values[end], null, null]);
  }
  return { rows: page.map((f) => f.row), nextCursor };
}
