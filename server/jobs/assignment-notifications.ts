import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/connection.ts";
import type { EventBus } from "../realtime/bus.ts";
import type { EventNotice } from "../tickets/events.ts";
import { type JobQueue, jobIdFor } from "./queue.ts";

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

// Tells an agent a ticket was given to them (not when they took it themselves). Produced from the
// event bus, after commit: a crash between the commit and this enqueue loses the notification,
// which is acceptable for a notice and not for work that must happen; that work is enqueued with
// queue.enqueue(trx, ...) in the transaction that makes the change.
export async function startAssignmentNotifications(
  queue: JobQueue,
  bus: EventBus,
  db: Db,
  log: FastifyBaseLogger,
) {
  await queue.declare(TICKET_ASSIGNED, { retryLimit: 5, retryDelay: 2, retryBackoff: true });
  await queue.registerWorker<TicketAssignedJob>(TICKET_ASSIGNED, (job) => recordAssignment(db, job));
  return bus.onTicketEvent((notice) => {
    enqueueIfAssigned(queue, bus, db, notice).catch((err) =>
      log.error({ err, eventId: notice.eventId }, "could not enqueue the assignment notification"),
    );
  });
}

async function enqueueIfAssigned(queue: JobQueue, bus: EventBus, db: Db, notice: EventNotice) {
  if (notice.type !== "ticket.updated" && notice.type !== "ticket.created") return;
  const assigneeId = notice.assigneeId;
  if (assigneeId === null) return;
  if (notice.actorType === "user" && notice.actorId === assigneeId) return;
  if (notice.type === "ticket.updated") {
    const details = await bus.eventDetails(notice);
    if (!details || details.changes.assigneeId === undefined) return;
  }
  const job: TicketAssignedJob = {
    workspaceId: notice.workspaceId,
    ticketId: notice.ticketId,
    eventId: notice.eventId,
    assigneeId,
  };
  await queue.enqueue(db, TICKET_ASSIGNED, job, {
    id: jobIdFor(`${TICKET_ASSIGNED}:${notice.workspaceId}:${notice.eventId}`),
  });
}
