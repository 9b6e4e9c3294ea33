import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/connection.ts";
import type { EventBus } from "../realtime/bus.ts";
import type { JobQueue } from "./queue.ts";

export const TICKET_ASSIGNED = "notifications.ticket_assigned";

export interface TicketAssignedJob {
  workspaceId: number;
  ticketId: number;
  eventId: number;
  assigneeId: number;
}

export async function recordAssignment(db: Db, job: TicketAssignedJob) {
  await db
    .insertInto("notifications")
    .values({
      workspace_id: job.workspaceId,
      user_id: job.assigneeId,
      ticket_id: job.ticketId,
      event_id: job.eventId,
      kind: "ticket_assigned",
    })
    // A retried attempt whose first try committed: the notification is already there.
    .onConflict((oc) => oc.columns(["workspace_id", "user_id", "event_id", "kind"]).doNothing())
    .execute();
}

// Tells an agent a ticket was given to them (not when they took it themselves). The notification
// row is written by the tickets module with the event that assigns the ticket, in the same
// transaction (appendEvents in server/tickets/events.ts), so it can no longer be lost between a
// commit and an enqueue. This queue's worker stays to finish jobs enqueued by earlier versions,
// which produced the notification from the event bus after commit.
export async function startAssignmentNotifications(
  queue: JobQueue,
  _bus: EventBus,
  db: Db,
  _log: FastifyBaseLogger,
) {
  await queue.declare(TICKET_ASSIGNED, { retryLimit: 5, retryDelay: 2, retryBackoff: true });
  await queue.registerWorker<TicketAssignedJob>(TICKET_ASSIGNED, (job) => recordAssignment(db, job));
  return () => {};
}
