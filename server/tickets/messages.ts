import { sql } from "kysely";
import sanitizeHtml from "sanitize-html";
import type { Actor } from "../auth/actor.ts";
import { can, requireCan } from "../auth/permissions.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { MessageKind, TicketStatus } from "../db/types.ts";
import { queueAgentReply } from "../email/outbox.ts";
import { AppError, conflict, forbidden, invalid } from "../http/errors.ts";
import { nextTicketNumber } from "../workspaces/service.ts";
import { appendEvent, insertWithEvents, type NewEvent, type TicketScope } from "./events.ts";
import { TICKET_COLUMNS, type TicketRow } from "./present.ts";
import { applyTicketChanges, lockTicket } from "./service.ts";

// Only formatting survives: no scripts, no event handlers, no styles, no remote images
// (an <img> pointing outside would tell the sender when an agent opened the ticket).
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, "img", "span", "del", "ins", "sup", "sub"],
  allowedAttributes: {
    a: ["href", "title"],
    img: ["src", "alt", "title", "width", "height"],
    td: ["colspan", "rowspan"],
    th: ["colspan", "rowspan"],
    // Quoted history and forwards that email parsing marked (server/email/html-quotes.ts), so
    // the agent app can fold the history in place.
    blockquote: ["data-parley-quote"],
    div: ["data-parley-quote"],
  },
  allowedSchemes: ["http", "https", "mailto", "tel"],
  allowedSchemesByTag: { img: ["cid", "data"] },
  transformTags: {
    a: sanitizeHtml.simpleTransform("a", { rel: "noopener noreferrer nofollow", target: "_blank" }),
  },
};

export const sanitizeMessageHtml = (html: string) => sanitizeHtml(html, SANITIZE);

export interface NewMessage {
  kind: MessageKind;
  direction: "in" | "out" | null;
  author: { user: number } | { contact: number } | { system: true };
  body: string;
  html?: string | null;
  channel?: string;
  channelMeta?: Record<string, unknown>;
  externalId?: string | null;
  // With externalId, what tells a redelivery from another message that reuses the id (email).
  externalDigest?: string | null;
  attachmentIds?: number[];
}

// Writes a message row and its event; the lifecycle rules live in addMessage. `eventsBefore` are
// the caller's events that precede the message's (a new ticket's ticket.created), written in the
// same statement.
export async function insertMessage(
  trx: Db,
  actor: Actor,
  ticket: TicketScope,
  input: NewMessage,
  eventsBefore: NewEvent[] = [],
) {
  const insert = trx
    .insertInto("messages")
    .values({
      workspace_id: ticket.workspace_id,
      ticket_id: ticket.id,
      kind: input.kind,
      direction: input.direction,
      author_type: "user" in input.author ? "user" : "contact" in input.author ? "contact" : "system",
      author_user_id: "user" in input.author ? input.author.user : null,
      author_contact_id: "contact" in input.author ? input.author.contact : null,
      body_text: input.body,
      body_html: input.html ? sanitizeMessageHtml(input.html) : null,
      channel: input.channel ?? "api",
      channel_meta: JSON.stringify(input.channelMeta ?? {}),
      external_id: input.externalId ?? null,
      external_digest: input.externalDigest ?? null,
    })
    .returningAll();
  const message = await insertWithEvents(
    trx,
    actor,
    ticket,
    insert,
    eventsBefore,
    "message.created",
    sql`jsonb_build_object('messageId', r.id, 'kind', r.kind, 'direction', r.direction)`,
  );
  if (input.attachmentIds?.length) await attachUploads(trx, actor, message.id, input.attachmentIds);
  return message;
}

// Only the uploader may attach an upload: ids are sequential, so anything looser would let one
// customer attach (and then download) another's file by guessing its id.
async function attachUploads(trx: Db, actor: Actor, messageId: number, ids: number[]) {
  let q = trx
    .updateTable("attachments")
    .set({ message_id: messageId })
    .where("workspace_id", "=", actor.workspaceId)
    .where("id", "in", ids)
    .where("message_id", "is", null);
  if (actor.type === "user") q = q.where("uploaded_by_user_id", "=", actor.userId);
  else if (actor.type === "contact") q = q.where("uploaded_by_contact_id", "=", actor.contactId);
  else q = q.where("uploaded_by_user_id", "is", null).where("uploaded_by_contact_id", "is", null);
  const attached = await q.returning("id").execute();
  if (attached.length !== new Set(ids).size) {
    throw invalid([
      {
        path: "attachmentIds",
        message: "Some of the attachments are not your uploads, or are already attached elsewhere.",
      },
    ]);
  }
}

export interface AddMessageInput {
  body: string;
  html?: string;
  kind?: "reply" | "note";
  status?: TicketStatus;
  attachmentIds?: number[];
}

// A new message on a ticket, with the rules teams rely on:
// - a customer's reply reopens a pending, on-hold or solved ticket;
// - a closed ticket is read-only, so a customer's reply opens a follow-up ticket linked to it;
// - the first public agent reply stamps first_responded_at (first response time);
// - an agent may set the status with the reply ("reply and mark pending").
export async function addMessage(db: Db, actor: Actor, ticketId: number, input: AddMessageInput) {
  const kind = input.kind ?? "reply";
  requireCan(actor, kind === "note" ? "ticket.note" : "ticket.reply");
  if (actor.type === "contact" && input.status) throw forbidden("Customers cannot set the status.");
  if (input.status && !can(actor, "ticket.update")) throw forbidden();
  return inTransaction(db, async (trx) => {
    const ticket = await lockTicketForMessage(trx, actor, ticketId);
    if (ticket.status === "closed") {
      if (actor.type !== "contact") throw conflict("ticket_closed", "Closed tickets cannot be changed.");
      return followUp(trx, actor, ticket, {
        kind: "reply",
        direction: "in",
        author: { contact: actor.contactId },
        body: input.body,
        html: input.html,
        channel: "portal",
        attachmentIds: input.attachmentIds,
      });
    }
    const fromAgent = actor.type === "user";
    const message = await insertMessage(trx, actor, ticket, {
      kind,
      direction: kind === "note" ? null : fromAgent ? "out" : "in",
      author: fromAgent
        ? { user: actor.userId }
        : actor.type === "contact"
          ? { contact: actor.contactId }
          : { system: true },
      body: input.body,
      html: input.html,
      channel: fromAgent ? "web" : actor.type === "contact" ? "portal" : "api",
      attachmentIds: input.attachmentIds,
    });
    // On an email ticket the reply also goes out as a mail, queued in this transaction.
    if (fromAgent && kind === "reply") await queueAgentReply(trx, actor, ticket, message);
    const next: { status?: TicketStatus; first_responded_at?: Date } = {};
    if (actor.type === "contact" && ["pending", "on_hold", "solved"].includes(ticket.status))
      next.status = "open";
    if (fromAgent && kind === "reply") {
      if (!ticket.first_responded_at) next.first_responded_at = message.created_at;
      if (ticket.status === "new") next.status = "open";
    }
    let updated = ticket;
    if (Object.keys(next).length > 0) updated = await setLifecycle(trx, actor, ticket, next);
    if (input.status && input.status !== updated.status) {
      updated = await applyTicketChanges(trx, actor, updated, { status: input.status });
    }
    return { message, ticket: updated };
  });
}

export interface CustomerMessage {
  contactId: number;
  body: string;
  html?: string | null;
  channel: string;
  channelMeta?: Record<string, unknown>;
  externalId?: string | null;
  externalDigest?: string | null;
  attachmentIds?: number[];
}

// A customer's message that arrived through a channel (an email reply) rather than the portal,
// on a ticket the caller has locked. The same rules as addMessage: it reopens a pending, on-hold
// or solved ticket, and on a closed one it opens a follow-up. The sender may be a CC rather than
// the requester, so the actor is whoever processes the channel (usually the system).
export async function addCustomerMessage(trx: Db, actor: Actor, ticket: TicketRow, input: CustomerMessage) {
  const message: NewMessage = {
    kind: "reply",
    direction: "in",
    author: { contact: input.contactId },
    body: input.body,
    html: input.html,
    channel: input.channel,
    channelMeta: input.channelMeta,
    externalId: input.externalId,
    externalDigest: input.externalDigest,
    attachmentIds: input.attachmentIds,
  };
  if (ticket.status === "closed") return followUp(trx, actor, ticket, message);
  const inserted = await insertMessage(trx, actor, ticket, message);
  const reopen = ["pending", "on_hold", "solved"].includes(ticket.status);
  const updated = reopen ? await setLifecycle(trx, actor, ticket, { status: "open" }) : ticket;
  return { message: inserted, ticket: updated };
}

// Merges chain (a ticket merged into one later merged again); past this many hops the chain
// is taken for a loop rather than followed.
const MAX_MERGE_HOPS = 10;

// The ticket a message goes on. A customer writing on a ticket that was merged is taken to the
// ticket it was merged into, as their email reply would be, provided they may see it (a ticket
// may be merged into another customer's); anyone else is told where to write.
async function lockTicketForMessage(trx: Db, actor: Actor, id: number) {
  let ticket = await lockTicket(trx, actor, id);
  for (let hop = 0; ticket.merged_into_id !== null; hop++) {
    // A customer is not told the id of a ticket they may not see.
    const merged = conflict(
      "ticket_merged",
      "This ticket was merged; write on the ticket it was merged into.",
      actor.type === "contact" ? {} : { mergedIntoId: ticket.merged_into_id },
    );
    if (actor.type !== "contact" || hop >= MAX_MERGE_HOPS) throw merged;
    ticket = await lockTicket(trx, actor, ticket.merged_into_id).catch((err: unknown) => {
      throw err instanceof AppError && err.code === "not_found" ? merged : err;
    });
  }
  return ticket;
}

async function setLifecycle(
  trx: Db,
  actor: Actor,
  ticket: TicketRow,
  next: { status?: TicketStatus; first_responded_at?: Date },
) {
  const updated = await trx
    .updateTable("tickets")
    .set({
      ...next,
      solved_at: next.status && next.status !== "solved" ? null : undefined,
      version: next.status ? ticket.version + 1 : ticket.version,
      updated_at: new Date(),
    })
    .where("workspace_id", "=", ticket.workspace_id)
    .where("id", "=", ticket.id)
    .returning(TICKET_COLUMNS)
    .executeTakeFirstOrThrow();
  if (next.status) {
    await appendEvent(trx, actor, updated, "ticket.updated", {
      status: { from: ticket.status, to: next.status },
    });
  }
  return updated;
}

async function followUp(trx: Db, actor: Actor, closed: TicketRow, input: NewMessage) {
  const assigneeId = await stillAssignable(trx, closed);
  const ticket = await trx
    .insertInto("tickets")
    .values({
      workspace_id: closed.workspace_id,
      number: await nextTicketNumber(trx, closed.workspace_id),
      subject: closed.subject,
      status: assigneeId ? "open" : "new",
      priority: closed.priority,
      type: closed.type,
      requester_id: closed.requester_id,
      organization_id: closed.organization_id,
      assignee_id: assigneeId,
      group_id: closed.group_id,
      channel: closed.channel,
      tags: closed.tags,
      custom_fields: JSON.stringify(closed.custom_fields),
      follow_up_of_id: closed.id,
      created_at: new Date(),
      updated_at: new Date(),
    })
    .returning(TICKET_COLUMNS)
    .executeTakeFirstOrThrow();
  await appendEvent(trx, actor, ticket, "ticket.created", {
    status: ticket.status,
    priority: ticket.priority,
    assigneeId: ticket.assignee_id,
    groupId: ticket.group_id,
    followUpOfId: closed.id,
  });
  await appendEvent(trx, actor, closed, "ticket.follow_up_created", { followUpId: ticket.id });
  const message = await insertMessage(trx, actor, ticket, input);
  return { message, ticket };
}

// The follow-up goes back to whoever handled the closed ticket, unless they have since left or
// lost the agent role: a ticket assigned to someone who never signs in again is never answered.
async function stillAssignable(trx: Db, closed: TicketRow): Promise<number | null> {
  if (closed.assignee_id === null) return null;
  const user = await trx
    .selectFrom("users")
    .select(["active", "role"])
    .where("workspace_id", "=", closed.workspace_id)
    .where("id", "=", closed.assignee_id)
    .executeTakeFirst();
  return user?.active && user.role !== "light_agent" ? closed.assignee_id : null;
}
