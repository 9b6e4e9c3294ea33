import type { Static } from "typebox";
import type { Actor } from "../auth/actor.ts";
import { ticketVisibleTo } from "../auth/permissions.ts";
import type { Db } from "../db/connection.ts";
import { isStorableDate } from "../http/dates.ts";
import { badRequest } from "../http/errors.ts";
import { ticketFilterConditions } from "./filters.ts";
import { TICKET_COLUMNS, type TicketRow } from "./present.ts";
import type { TicketListQuery } from "./schemas.ts";

export type TicketFilters = Static<typeof TicketListQuery>;

// Cursors are opaque to clients: the sort value and id of the last row, base64url JSON.
export function encodeCursor(value: unknown, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString("base64url");
}

export function decodeCursor(cursor: string): [string | number, number] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 2 && Number.isInteger(parsed[1])) {
      return parsed as [string | number, number];
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest("invalid_cursor", "The cursor is not one this API gave out.");
}

// One page of the tickets an actor may see, filtered and sorted, with keyset pagination so
// page 1,000 costs the same as page 1. Ticket timestamps are written from JavaScript Dates
// (millisecond precision), which is what lets a cursor carry them exactly.
export async function listTickets(db: Db, actor: Actor, f: TicketFilters) {
  const sort = f.sort ?? "updated_at";
  const direction = f.direction ?? "desc";
  const limit = f.limit ?? 50;
  let q = db
    .selectFrom("tickets as t")
    .select(TICKET_COLUMNS.map((c) => `t.${c}` as const))
    .where("t.workspace_id", "=", actor.workspaceId)
    .where(ticketVisibleTo(actor))
    .where(ticketFilterConditions(actor, f));
  if (f.cursor) {
    const [value, id] = decodeCursor(f.cursor);
    const sortValue = sort === "number" ? Number(value) : new Date(String(value));
    // A date PostgreSQL cannot hold (year 0, NaN) is no cursor this API gave out.
    if (sort !== "number" && !isStorableDate(sortValue as Date)) {
      throw badRequest("invalid_cursor", "The cursor is not one this API gave out.");
    }
    const op = direction === "desc" ? "<" : ">";
    q = q.where((eb) => eb(eb.refTuple(`t.${sort}`, "t.id"), op, eb.tuple(sortValue as any, id)));
  }
  const rows = (await q
    .orderBy(`t.${sort}`, direction)
    .orderBy("t.id", direction)
    .limit(limit + 1)
    .execute()) as TicketRow[];
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor(sort === "number" ? last.number : (last[sort] as Date).toISOString(), last.id)
      : null;
  return { rows: page, nextCursor };
}

export async function ticketMessages(db: Db, actor: Actor, ticketId: number) {
  let q = db
    .selectFrom("messages")
    .selectAll()
    .where("workspace_id", "=", actor.workspaceId)
    .where("ticket_id", "=", ticketId);
  // Customers see the public conversation: never internal notes, nor system entries (merge and
  // split notices name other tickets).
  if (actor.type === "contact") q = q.where("kind", "=", "reply");
  return q.orderBy("created_at").orderBy("id").execute();
}

export async function ticketEvents(db: Db, actor: Actor, ticketId: number, afterId: number, limit: number) {
  return db
    .selectFrom("ticket_events")
    .select(["id", "type", "actor_type", "actor_id", "changes", "created_at"])
    .where("workspace_id", "=", actor.workspaceId)
    .where("ticket_id", "=", ticketId)
    .where("id", ">", afterId)
    .orderBy("id")
    .limit(limit)
    .execute();
}
