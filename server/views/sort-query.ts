import { sql } from "kysely";
import type { UserActor } from "../auth/actor.ts";
import { ticketVisibleTo } from "../auth/permissions.ts";
import type { Db } from "../db/connection.ts";
import { isStorableDate } from "../http/dates.ts";
import { badRequest } from "../http/errors.ts";
import { type TicketFilters, ticketFilterConditions } from "../tickets/filters.ts";
import { TICKET_COLUMNS, type TicketRow } from "../tickets/present.ts";

// What the sorts of a view run share: the sort names, their cursors and the base query.
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

export type SortedPage = { rows: TicketRow[]; nextCursor: string | null };

export const STATUS_ORDER = ["new", "open", "pending", "on_hold", "solved", "closed"] as const;

export const ticketColumns = TICKET_COLUMNS.map((c) => `t.${c}` as const);

// The tickets of a view the actor may see, as `t`.
export function matching(db: Db, actor: UserActor, filters: TicketFilters) {
  return db
    .selectFrom("tickets as t")
    .where("t.workspace_id", "=", actor.workspaceId)
    .where(ticketVisibleTo(actor))
    .where(ticketFilterConditions(actor, filters));
}

// "<" or ">" for a keyset comparison in this direction, as SQL.
export const after = (direction: Direction) => sql.raw(direction === "asc" ? ">" : "<");

// Cursors of these sorts name the sort they came from, so one cannot be replayed on another.
export function encodeSortCursor(sort: ViewSortField, direction: Direction, key: unknown[]) {
  return Buffer.from(JSON.stringify({ s: sort, d: direction, k: key })).toString("base64url");
}

const invalidCursor = () =>
  badRequest("invalid_cursor", "The cursor is not one this API gave out for this sort.");

export function decodeSortCursor(cursor: string, sort: ViewSortField, direction: Direction): unknown[] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (parsed?.s === sort && parsed.d === direction && Array.isArray(parsed.k)) return parsed.k;
  } catch {
    // fall through to the error below
  }
  throw invalidCursor();
}

export function cursorDate(value: unknown): Date {
  const date = new Date(String(value));
  if (typeof value !== "string" || !isStorableDate(date)) throw invalidCursor();
  return date;
}

export function cursorId(value: unknown): number {
  if (!Number.isSafeInteger(value)) throw invalidCursor();
  return value as number;
}

export function cursorText(value: unknown): string {
  if (typeof value !== "string") throw invalidCursor();
  return value;
}
