import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import { Type } from "typebox";
import type { Actor } from "../auth/actor.ts";
import type { Database, TicketPriority, TicketStatus } from "../db/types.ts";
import { badRequest } from "../http/errors.ts";
import { Id, Priority, Status } from "./schemas.ts";

// The ticket filters shared by GET /api/v1/tickets, search and saved views: one definition, so a
// view's count, its list and a filtered search always agree.
export const TicketFilterFields = {
  status: Type.Optional(Type.Array(Status, { maxItems: 6 })),
  priority: Type.Optional(Type.Array(Priority, { maxItems: 4 })),
  assigneeId: Type.Optional(Type.Union([Id, Type.Literal("me"), Type.Literal("none")])),
  groupId: Type.Optional(Type.Union([Id, Type.Literal("none")])),
  requesterId: Type.Optional(Id),
  organizationId: Type.Optional(Id),
  tag: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
  createdAfter: Type.Optional(Type.String({ format: "date-time" })),
  createdBefore: Type.Optional(Type.String({ format: "date-time" })),
  updatedAfter: Type.Optional(Type.String({ format: "date-time" })),
  updatedBefore: Type.Optional(Type.String({ format: "date-time" })),
};

export interface TicketFilters {
  status?: TicketStatus[];
  priority?: TicketPriority[];
  assigneeId?: number | "me" | "none";
  groupId?: number | "none";
  requesterId?: number;
  organizationId?: number;
  tag?: string[];
  createdAfter?: string;
  createdBefore?: string;
  updatedAfter?: string;
  updatedBefore?: string;
  // Relative windows, for saved views that must mean "the last 7 days" whenever they run.
  createdWithinDays?: number;
  updatedWithinDays?: number;
}

const DAY_MS = 86_400_000;

// Customers do not see tags, priority, assignee or group, so they may not filter on them either:
// a filter that finds their ticket would tell what it holds.
function refuseInternalFilters(f: TicketFilters) {
  const internal = (["tag", "priority", "assigneeId", "groupId"] as const).filter((k) =>
    Array.isArray(f[k]) ? (f[k] as unknown[]).length > 0 : f[k] !== undefined,
  );
  if (internal.length) {
    throw badRequest("not_available", `Customers cannot filter tickets by ${internal.join(", ")}.`);
  }
}

type TicketEb = ExpressionBuilder<Database & { t: Database["tickets"] }, "t">;

// The filters as SQL conditions over the tickets table `t` (visibility is applied separately,
// with ticketVisibleTo). "me" is the asking agent; for anyone else it matches nothing.
export function ticketFilterConditions(actor: Actor, f: TicketFilters, now = new Date()) {
  if (actor.type === "contact") refuseInternalFilters(f);
  return (eb: TicketEb): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [eb("t.merged_into_id", "is", null)];
    if (f.status?.length) conditions.push(eb("t.status", "in", f.status));
    if (f.priority?.length) conditions.push(eb("t.priority", "in", f.priority));
    if (f.assigneeId === "none") conditions.push(eb("t.assignee_id", "is", null));
    else if (f.assigneeId === "me")
      conditions.push(eb("t.assignee_id", "=", actor.type === "user" ? actor.userId : -1));
    else if (f.assigneeId !== undefined) conditions.push(eb("t.assignee_id", "=", f.assigneeId));
    if (f.groupId === "none") conditions.push(eb("t.group_id", "is", null));
    else if (f.groupId !== undefined) conditions.push(eb("t.group_id", "=", f.groupId));
    if (f.requesterId !== undefined) conditions.push(eb("t.requester_id", "=", f.requesterId));
    if (f.organizationId !== undefined) conditions.push(eb("t.organization_id", "=", f.organizationId));
    if (f.tag?.length) {
      const tags = f.tag.map((t) => t.toLowerCase());
      conditions.push(eb("t.tags", "@>", sql<string[]>`${tags}::text[]`));
    }
    if (f.createdAfter) conditions.push(eb("t.created_at", ">=", new Date(f.createdAfter)));
    if (f.createdBefore) conditions.push(eb("t.created_at", "<", new Date(f.createdBefore)));
    if (f.updatedAfter) conditions.push(eb("t.updated_at", ">=", new Date(f.updatedAfter)));
    if (f.updatedBefore) conditions.push(eb("t.updated_at", "<", new Date(f.updatedBefore)));
    if (f.createdWithinDays !== undefined) {
      conditions.push(eb("t.created_at", ">=", new Date(now.getTime() - f.createdWithinDays * DAY_MS)));
    }
    if (f.updatedWithinDays !== undefined) {
      conditions.push(eb("t.updated_at", ">=", new Date(now.getTime() - f.updatedWithinDays * DAY_MS)));
    }
    return eb.and(conditions);
  };
}

// A relative window as the absolute bound listTickets understands; the later bound wins when a
// view has both.
export function absoluteWindow(after: string | undefined, withinDays: number | undefined, now = new Date()) {
  if (withinDays === undefined) return after;
  const relative = new Date(now.getTime() - withinDays * DAY_MS);
  if (after && new Date(after) > relative) return after;
  return relative.toISOString();
}
