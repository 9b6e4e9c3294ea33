import type { Actor } from "../auth/actor.ts";
import type { EventNotice } from "../tickets/events.ts";
import type { EventDetails } from "./bus.ts";

export interface RealtimeEvent {
  id: number;
  type: string;
  ticketId: number;
  actor?: { type: string; id: number | null };
  changes: Record<string, unknown>;
  createdAt: string;
}

// What one connection is told about one event. Agents get the audit entry as the events API
// shows it. Customers get only what their portal shows: that their ticket was created, a public
// reply arrived, or its status moved; never notes, assignments, tags or who did what inside.
export function presentEventFor(actor: Actor, notice: EventNotice, e: EventDetails): RealtimeEvent | null {
  const base = { id: e.id, type: e.type, ticketId: notice.ticketId, createdAt: e.createdAt.toISOString() };
  if (actor.type !== "contact") {
    return { ...base, actor: { type: e.actorType, id: e.actorId }, changes: e.changes };
  }
  if (e.type === "ticket.created") return { ...base, changes: {} };
  if (e.type === "message.created") {
    if (e.changes.kind !== "reply") return null;
    return { ...base, changes: { messageId: e.changes.messageId } };
  }
  if (e.type === "ticket.updated" && e.changes.status !== undefined) {
    return { ...base, changes: { status: e.changes.status } };
  }
  return null;
}
