import { type SqlBool, sql } from "kysely";
import type { UserActor } from "../auth/actor.ts";
import type { Db } from "../db/connection.ts";
import type { TicketStatus } from "../db/types.ts";
import type { TicketFilters } from "../tickets/filters.ts";
import type { TicketRow } from "../tickets/present.ts";
import { decodeCursor, encodeCursor } from "../tickets/queries.ts";
import {
  after,
  cursorDate,
  cursorId,
  cursorText,
  decodeSortCursor,
  encodeSortCursor,
  matching,
  type SortedPage,
  type SortedPageInput,
  STATUS_ORDER,
  ticketColumns,
} from "./sort-query.ts";

type Keyed = TicketRow & { sort_key: string | Date };

// Sorts by a key indexed per status, (status, updated_at) and (status, lower(subject)): one
// ordered index range per status of the view, each cut at the cursor and at a page, merged. A
// single range over `status in (...)` cannot come out in order, and without the status the
// index would be walked through every closed ticket to find a few open ones.
export async function mergedByStatus(
  db: Db,
  actor: UserActor,
  filters: TicketFilters,
  { sort, direction, limit, cursor }: SortedPageInput & { sort: "updated_at" | "subject" },
): Promise<SortedPage> {
  const { status, ...rest } = filters;
  const statuses: TicketStatus[] = status?.length ? status : [...STATUS_ORDER];
  const key = sort === "subject" ? sql<string | Date>`lower(t.subject)` : sql<string | Date>`t.updated_at`;
  // updated_at keeps the ticket list's cursor, so a page reads the same however it was found.
  let from: [string | Date, number] | null = null;
  if (cursor !== undefined && sort === "updated_at") {
    const [value, id] = decodeCursor(cursor);
    from = [cursorDate(value), id];
  } else if (cursor !== undefined) {
    const [value, id] = decodeSortCursor(cursor, sort, direction);
    from = [cursorText(value), cursorId(id)];
  }
  const branches = statuses.map((s) => {
    let q = matching(db, actor, rest)
      .select([...ticketColumns, key.as("sort_key")])
      .where("t.status", "=", s);
    if (from) q = q.where(sql<SqlBool>`(${key}, t.id) ${after(direction)} (${from[0]}, ${from[1]})`);
    return sql`(${q
      .orderBy(key, direction)
      .orderBy("t.id", direction)
      .limit(limit + 1)})`;
  });
  const dir = sql.raw(direction);
  const { rows } = await sql<Keyed>`select * from (${sql.join(branches, sql` union all `)}) u
    order by sort_key ${dir}, id ${dir} limit ${limit + 1}`.execute(db);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  let nextCursor: string | null = null;
  if (rows.length > limit && last) {
    nextCursor =
      sort === "updated_at"
        ? encodeCursor((last.sort_key as Date).toISOString(), last.id)
        : encodeSortCursor(sort, direction, [last.sort_key, last.id]);
  }
  return { rows: page.map(({ sort_key: _k, ...ticket }) => ticket as TicketRow), nextCursor };
}

// By the requester's name, case-insensitively, then requester, then ticket. The requesters are
// walked in name order (contacts_name_order) and each one's tickets found through
// tickets_requester, until the page is full; for a small view the planner joins and sorts it
// instead. The cursor is split so its (name, requester) half is a range on that index.
export async function byRequester(
  db: Db,
  actor: UserActor,
  filters: TicketFilters,
  { direction, limit, cursor }: SortedPageInput,
): Promise<SortedPage> {
  let q = matching(db, actor, filters)
    .innerJoin("contacts as c", (j) =>
      j.onRef("c.workspace_id", "=", "t.workspace_id").onRef("c.id", "=", "t.requester_id"),
    )
    .select([...ticketColumns, sql<string>`lower(c.name)`.as("sort_key"), "c.id as sort_id"]);
  if (cursor !== undefined) {
    const k = decodeSortCursor(cursor, "requester", direction);
    const [name, contactId, id] = [cursorText(k[0]), cursorId(k[1]), cursorId(k[2])];
    const op = after(direction);
    const orEqual = sql.raw(direction === "asc" ? ">=" : "<=");
    q = q
      .where(sql<SqlBool>`(lower(c.name), c.id) ${orEqual} (${name}, ${contactId})`)
      .where(sql<SqlBool>`((lower(c.name), c.id) ${op} (${name}, ${contactId}) or t.id ${op} ${id})`);
  }
  const rows = (await q
    .orderBy(sql`lower(c.name)`, direction)
    .orderBy("c.id", direction)
    .orderBy("t.id", direction)
    .limit(limit + 1)
    .execute()) as (TicketRow & { sort_key: string; sort_id: number })[];
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map(({ sort_key: _k, sort_id: _i, ...ticket }) => ticket as TicketRow),
    nextCursor:
      rows.length > limit && last
        ? encodeSortCursor("requester", direction, [last.sort_key, last.sort_id, last.id])
        : null,
  };
}
