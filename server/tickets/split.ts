import type { Actor } from "../auth/actor.ts";
import { requireCan } from "../auth/permissions.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import { conflict, invalid } from "../http/errors.ts";
import { nextTicketNumber } from "../workspaces/service.ts";
import { appendEvent } from "./events.ts";
import { insertMessage } from "./messages.ts";
import { TICKET_COLUMNS, type TicketRow } from "./present.ts";
import { lockTicket } from "./service.ts";

export interface SplitInput {
  messageId: number;
  subject?: string;
  version?: number;
}

// Moves one message off a ticket into a new ticket for the same requester, organization and
// group: a customer who asks a second question in the same thread gets it answered (and
// measured) on its own. The message moves rather than being copied, so it is answered once;
// the original keeps a system entry that points to the new ticket.
export async function splitTicket(db: Db, actor: Actor, id: number, input: SplitInput) {
  requireCan(actor, "ticket.create");
  requireCan(actor, "ticket.update");
  return inTransaction(db, async (trx) => {
    const original = await lockTicket(trx, actor, id);
    if (input.version !== undefined && input.version !== original.version) {
      throw conflict("ticket_version_conflict", "Someone else changed this ticket. Reload and try again.", {
        current: original,
      });
    }
    if (original.merged_into_id !== null) {
      throw conflict("ticket_merged", "This ticket was merged; split on the ticket it was merged into.", {
        mergedIntoId: original.merged_into_id,
      });
    }
    if (original.status === "closed") throw conflict("ticket_closed", "Closed tickets cannot be changed.");
    await requireSplittable(trx, original, input.messageId);

    const now = new Date();
    const ticket = await trx
      .insertInto("tickets")
      .values({
        workspace_id: original.workspace_id,
        number: await nextTicketNumber(trx, original.workspace_id),
        subject: input.subject?.trim() || original.subject,
        status: "new",
        priority: original.priority,
        requester_id: original.requester_id,
        organization_id: original.organization_id,
        group_id: original.group_id,
        channel: original.channel,
        custom_fields: JSON.stringify({}),
        created_at: now,
        updated_at: now,
      })
      .returning(TICKET_COLUMNS)
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("messages")
      .set({ ticket_id: ticket.id, moved_from_ticket_id: original.id })
      .where("workspace_id", "=", original.workspace_id)
      .where("id", "=", input.messageId)
      .execute();
    await appendEvent(trx, actor, ticket, "ticket.created", {
      status: ticket.status,
      priority: ticket.priority,
      groupId: ticket.group_id,
      splitFromId: original.id,
      messageId: input.messageId,
    });
    await insertMessage(trx, actor, ticket, {
      kind: "system",
      direction: null,
      author: { system: true },
      body: `Split from ticket #${original.number}.`,
    });
    const touched = await trx
      .updateTable("tickets")
      .set({ updated_at: now })
      .where("workspace_id", "=", original.workspace_id)
      .where("id", "=", original.id)
      .returning(TICKET_COLUMNS)
      .executeTakeFirstOrThrow();
    await appendEvent(trx, actor, touched, "ticket.split", {
      messageId: input.messageId,
      newTicketId: ticket.id,
    });
    await insertMessage(trx, actor, touched, {
      kind: "system",
      direction: null,
      author: { system: true },
      body: `A message was moved to new ticket #${ticket.number}.`,
    });
    return { original: touched, ticket };
  });
}

// The first message is the request the ticket exists for; taking it would leave a ticket about
// nothing. System entries record what happened to this ticket and stay with it.
async function requireSplittable(trx: Db, ticket: TicketRow, messageId: number) {
  const scoped = trx
    .selectFrom("messages")
    .select("id")
    .where("workspace_id", "=", ticket.workspace_id)
    .where("ticket_id", "=", ticket.id)
    .where("kind", "<>", "system");
  const message = await scoped.where("id", "=", messageId).executeTakeFirst();
  if (!message)
    throw invalid([
      { path: "messageId", message: `Message ${messageId} is not a reply or note on this ticket.` },
    ]);
  const first = await scoped.orderBy("created_at").orderBy("id").limit(1).executeTakeFirstOrThrow();
  if (first.id === messageId) {
    throw invalid([
      { path: "messageId", message: "The first message opens the ticket, so it cannot be split off." },
    ]);
  }
}
