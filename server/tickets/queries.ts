import { sql } from "kysely";
import type { Static } from "typebox";
import type { Actor } from "../auth/actor.ts";
import { ticketVisibleTo } from "../auth/permissions.ts";
import type { Db } from "../db/connection.ts";
import { badRequest } from "../http/errors.ts";
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
    .where("t.merged_into_id", "is", null);
  if (f.status?.length) q = q.where("t.status", "in", f.status);
  if (f.priority?.length) q = q.where("t.priority", "in", f.priority);
  if (f.assigneeId === "none") q = q.where("t.assignee_id", "is", null);
  else if (f.assigneeId === "me")
    q = q.where("t.assignee_id", "=", actor.type === "user" ? actor.userId : -1);
  else if (f.assigneeId !== undefined) q = q.where("t.assignee_id", "=", f.assigneeId);
  if (f.groupId === "none") q = q.where("t.group_id", "is", null);
  else if (f.groupId !== undefined) q = q.where("t.group_id", "=", f.groupId);
  if (f.requesterId !== undefined) q = q.where("t.requester_id", "=", f.requesterId);
  if (f.organizationId !== undefined) q = q.where("t.organization_id", "=", f.organizationId);
  if (f.tag?.length) q = q.where("t.tags", "@>", sql<string[]>`${f.tag.map((t) => t.toLowerCase())}::text[]`);
  if (f.createdAfter) q = q.where("t.created_at", ">=", new Date(f.createdAfter));
  if (f.createdBefore) q = q.where("t.created_at", "<", new Date(f.createdBefore));
  if (f.updatedAfter) q = q.where("t.updated_at", ">=", new Date(f.updatedAfter));
  if (f.updatedBefore) q = q.where("t.updated_at", "<", new Date(f.updatedBefore));
  if (f.cursor) {
    const [value, id] = decodeCursor(f.cursor);
    const sortValue = sort === "number" ? Number(value) : new Date(String(value));
    if (sort !== "number" && Number.isNaN((sortValue as Date).getTime())) {
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
  // Customers never see internal notes.
  if (actor.type === "contact") q = q.where("kind", "<>", "note");
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
