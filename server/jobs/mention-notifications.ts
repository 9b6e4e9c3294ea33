import type { FastifyBaseLogger } from "fastify";
import { systemActor, type UserActor } from "../auth/actor.ts";
import { canSeeTicket } from "../auth/permissions.ts";
import type { Db } from "../db/connection.ts";
import type { EventBus } from "../realtime/bus.ts";
import type { EventNotice } from "../tickets/events.ts";
import { ticketMessages } from "../tickets/queries.ts";
import { activeUsers } from "../workspaces/users.ts";
import { type JobQueue, jobIdFor } from "./queue.ts";

export const NOTE_MENTION = "notifications.note_mention";

export interface NoteMentionJob {
  workspaceId: number;
  ticketId: number;
  eventId: number;
  messageId: number;
  authorId: number;
  ticket: {
    groupId: number | null;
    assigneeId: number | null;
    requesterId: number;
    organizationId: number | null;
  };
}

// The people a note names as "@Name". At each "@" the longest agent name that follows wins and must
// end at a word boundary, so "@Ada Lovelace" names Ada Lovelace even when an "Ada" also works here,
// and "@Adam" names neither. Matching the stored plain text (not the editor's markup, which the
// sanitizer strips) makes a note written through the API mention people the same way.
export function mentionedUserIds(text: string, users: { id: number; name: string }[]): number[] {
  const byLength = [...users].filter((u) => u.name.trim()).sort((a, b) => b.name.length - a.name.length);
  const found = new Set<number>();
  const lower = text.toLowerCase();
  for (let at = lower.indexOf("@"); at !== -1; at = lower.indexOf("@", at + 1)) {
    const user = byLength.find((u) => {
      const name = u.name.toLowerCase();
      if (!lower.startsWith(name, at + 1)) return false;
      const next = lower.charAt(at + 1 + name.length);
      return next === "" || !/[\p{L}\p{N}_]/u.test(next);
    });
    if (user) found.add(user.id);
  }
  return [...found];
}

// Leaves a "mentioned" notification for each agent a note names, except its author and anyone
// who may not see the ticket (a notice they could not open would only confuse).
export async function recordMentions(db: Db, job: NoteMentionJob) {
  const messages = await ticketMessages(db, systemActor(job.workspaceId), job.ticketId);
  const note = messages.find((m) => m.id === job.messageId && m.kind === "note");
  if (!note?.body_text.includes("@")) return [];
  const users = await activeUsers(db, job.workspaceId);
  const ticket = {
    group_id: job.ticket.groupId,
    assignee_id: job.ticket.assigneeId,
    requester_id: job.ticket.requesterId,
    organization_id: job.ticket.organizationId,
  };
  const recipients = mentionedUserIds(note.body_text, users).filter((id) => {
    const user = users.find((u) => u.id === id);
    if (!user || id === job.authorId) return false;
    const actor: UserActor = {
      type: "user",
      workspaceId: job.workspaceId,
      userId: user.id,
      role: user.role,
      ticketAccess: user.ticketAccess,
      groupIds: user.groupIds,
      scopes: null,
    };
    return canSeeTicket(actor, ticket);
  });
  if (recipients.length === 0) return [];
  await db
    .insertInto("notifications")
    .values(
      recipients.map((userId) => ({
        workspace_id: job.workspaceId,
        user_id: userId,
        ticket_id: job.ticketId,
        event_id: job.eventId,
        kind: "mentioned",
      })),
    )
    // A retried attempt whose first try committed: the notifications are already there.
    .onConflict((oc) => oc.columns(["workspace_id", "user_id", "event_id", "kind"]).doNothing())
    .execute();
  return recipients;
}

// Produced from the event bus after commit, like assignment notifications (see there for why a
// crash in between may lose one).
export async function startMentionNotifications(
  queue: JobQueue,
  bus: EventBus,
  db: Db,
  log: FastifyBaseLogger,
) {
  await queue.declare(NOTE_MENTION, { retryLimit: 5, retryDelay: 2, retryBackoff: true });
  await queue.registerWorker<NoteMentionJob>(NOTE_MENTION, async (job) => {
    await recordMentions(db, job);
  });
  return bus.onTicketEvent((notice) => {
    enqueueIfNote(queue, bus, db, notice).catch((err) =>
      log.error({ err, eventId: notice.eventId }, "could not enqueue the mention notification"),
    );
  });
}

async function enqueueIfNote(queue: JobQueue, bus: EventBus, db: Db, notice: EventNotice) {
  if (notice.type !== "message.created" || notice.actorType !== "user" || notice.actorId === null) return;
  // Every ticket an agent or integration opens starts with a message: skip the event load for
  // those the notice already says are not notes.
  if (notice.messageKind != null && notice.messageKind !== "note") return;
  const details = await bus.eventDetails(notice);
  if (details?.changes.kind !== "note" || typeof details.changes.messageId !== "number") return;
  const job: NoteMentionJob = {
    workspaceId: notice.workspaceId,
    ticketId: notice.ticketId,
    eventId: notice.eventId,
    messageId: details.changes.messageId,
    authorId: notice.actorId,
    ticket: {
      groupId: notice.groupId,
      assigneeId: notice.assigneeId,
      requesterId: notice.requesterId,
      organizationId: notice.organizationId,
    },
  };
  await queue.enqueue(db, NOTE_MENTION, job, {
    id: jobIdFor(`${NOTE_MENTION}:${notice.workspaceId}:${notice.eventId}`),
  });
}
