import type { FastifyBaseLogger } from "fastify";
import { sql } from "kysely";
import { systemActor } from "../auth/actor.ts";
import { findOrCreateContactByEmail } from "../contacts/service.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { FileStore } from "../files/store.ts";
import { appendEvent } from "../tickets/events.ts";
import { addCustomerMessage } from "../tickets/messages.ts";
import type { TicketRow } from "../tickets/present.ts";
import { createTicket } from "../tickets/service.ts";
import { channelMetaFor, messageBody, resolveInlineImages, storeAttachments } from "./inbound-content.ts";
import { resolveSettings } from "./mailboxes.ts";
import { markBounced } from "./outbox.ts";
import { type Address, type ParsedEmail, parseEmail } from "./parse.ts";
import { canonicalMessageId, findThread } from "./threading.ts";
import { normalizedSubject } from "./ticket-token.ts";

export interface ProcessDeps {
  fileStore: FileStore;
  log?: FastifyBaseLogger;
}

export type ProcessOutcome =
  | { status: "processed"; ticketId: number; messageId: number }
  | { status: "ignored"; reason: string }
  // Nothing to do: processed or ignored before (a second delivery of the job, or the fast path won).
  | { status: "done" };

interface Inbound {
  workspaceId: number;
  id: number;
  mailboxId: number;
}

const MAX_PARTICIPANTS = 50;
const NO_REPLY = /^(no-?reply|do-?not-?reply|donotreply|mailer-daemon|postmaster)([+.-].*)?@/i;
const DUPLICATE_MESSAGE = "messages_external";

// Turns one stored mail into a ticket or a message on one, or records why it was ignored. Safe to
// run twice, or twice at once: the row is locked and a finished row is left alone. A failure marks
// the row failed (the reason, never the content) and rethrows, so the job retries it.
export async function processInboundEmail(
  db: Db,
  deps: ProcessDeps,
  workspaceId: number,
  inboundId: number,
): Promise<ProcessOutcome> {
  const row = await db
    .selectFrom("inbound_emails")
    .select(["status", "raw", "mailbox_id"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", inboundId)
    .executeTakeFirst();
  if (!row || row.status === "processed" || row.status === "ignored") return { status: "done" };
  const inbound: Inbound = { workspaceId, id: inboundId, mailboxId: row.mailbox_id };
  const written: string[] = [];
  let messageId: string | null = null;
  try {
    // Parsed before the transaction: parsing is CPU work, and on PGlite a transaction holds the
    // only connection.
    const parsed = await parseEmail(Buffer.from(row.raw.buffer, row.raw.byteOffset, row.raw.byteLength));
    messageId = parsed.messageId ? canonicalMessageId(parsed.messageId) : null;
    return await inTransaction(db, async (trx) => {
      const locked = await trx
        .selectFrom("inbound_emails")
        .select("status")
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", inboundId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (locked.status === "processed" || locked.status === "ignored") return { status: "done" } as const;
      const outcome = await route(trx, deps, inbound, parsed, messageId, written);
      await finish(trx, inbound, outcome);
      return outcome;
    });
  } catch (err) {
    await Promise.all(written.map((key) => deps.fileStore.delete(key).catch(() => {})));
    // The same Message-ID reached the workspace another way (a second mailbox, a concurrent run)
    // and is already a message: that message is this mail.
    if (messageId && isDuplicateMessage(err)) return recordDuplicate(db, inbound, messageId);
    await recordFailure(db, inbound, err);
    deps.log?.warn({ err: errorMessage(err), workspaceId, inboundId }, "inbound email failed");
    throw err;
  }
}

async function route(
  trx: Db,
  deps: ProcessDeps,
  inbound: Inbound,
  parsed: ParsedEmail,
  messageId: string | null,
  written: string[],
): Promise<ProcessOutcome> {
  const ws = inbound.workspaceId;
  const ignored = await ignoreReason(trx, inbound, parsed);
  if (ignored) return { status: "ignored", reason: ignored };
  if (messageId) {
    const existing = await existingMessage(trx, ws, messageId);
    if (existing) return { status: "processed", ticketId: existing.ticket_id, messageId: existing.id };
  }
  const authorAddress = await senderOf(trx, parsed);
  if (!authorAddress) return { status: "ignored", reason: "no sender address" };
  const author = await findOrCreateContactByEmail(trx, ws, authorAddress.address, authorAddress.name);
  if (await isBlocked(trx, ws, author.id)) return { status: "ignored", reason: "sender blocked" };

  const mailbox = await trx
    .selectFrom("mailboxes")
    .select(["group_id", "settings"])
    .where("workspace_id", "=", ws)
    .where("id", "=", inbound.mailboxId)
    .executeTakeFirstOrThrow();
  const settings = resolveSettings(mailbox.settings);
  const actor = systemActor(ws);
  const match = await findThread(trx, ws, parsed);

  let target: TicketRow | null = match?.ticket ?? null;
  let flagged: string | null = null;
  if (target && !(await isParticipant(trx, target, author.id))) {
    if (settings.nonParticipantReplies === "new_ticket") target = null;
    else flagged = "non_participant";
  }
  if (
    target &&
    settings.newTicketOnSubjectChange &&
    parsed.subject.trim() !== "" &&
    normalizedSubject(parsed.subject) !== normalizedSubject(target.subject)
  ) {
    target = null;
    flagged = null;
  }

  const attachments = await storeAttachments(trx, deps.fileStore, ws, parsed, written);
  const { body, html } = messageBody(parsed);
  const content = {
    body,
    html: resolveInlineImages(html, attachments.inline),
    channelMeta: channelMetaFor(parsed, inbound, attachments, flagged),
    externalId: messageId,
    attachmentIds: attachments.ids,
  };

  if (!target) {
    const ticket = await createTicket(trx, actor, {
      subject: ticketSubject(parsed.subject),
      requester: { id: author.id },
      groupId: mailbox.group_id,
      channel: "email",
      comment: { body: content.body, html: content.html ?? undefined },
      channelMessage: content,
    });
    const message = await openingMessage(trx, ws, ticket.id);
    await addParticipants(trx, ticket, await recipientContacts(trx, ws, parsed, author.id));
    return { status: "processed", ticketId: ticket.id, messageId: message };
  }

  const added = await addCustomerMessage(trx, actor, target, {
    contactId: author.id,
    channel: "email",
    ...content,
  });
  if (flagged) {
    await appendEvent(trx, actor, added.ticket, "message.flagged", {
      messageId: added.message.id,
      flag: flagged,
      contactId: author.id,
    });
  } else {
    // Someone who is not on the ticket does not get to add others to it.
    await addParticipants(trx, added.ticket, await recipientContacts(trx, ws, parsed, author.id));
  }
  return { status: "processed", ticketId: added.ticket.id, messageId: added.message.id };
}

// Mail that must never become a ticket or be answered: our own mail coming back (a loop), bounces
// and auto-replies. The raw mail stays stored with the reason, for admins to look at.
async function ignoreReason(trx: Db, inbound: Inbound, parsed: ParsedEmail): Promise<string | null> {
  if (parsed.headers["x-parley-loop"]?.length) return "mail loop: carries Parley's own loop header";
  // From only: a list or forwarding service may set Reply-To to our own address on real mail.
  if (parsed.from && (await ownMailboxes(trx, [parsed.from.address])).size > 0)
    return "mail loop: sent from a Parley mailbox";
  if (parsed.auto.isBounce) return recordBounce(trx, inbound, parsed);
  if (parsed.auto.isAutoReply) return `auto-reply${parsed.auto.reason ? `: ${parsed.auto.reason}` : ""}`;
  return null;
}

// The outbound mail the bounce reports on is marked bounced (and its ticket told) in the same
// transaction; a bounce of something Parley did not send is only recorded here.
async function recordBounce(trx: Db, inbound: Inbound, parsed: ParsedEmail): Promise<string> {
  const bounce = parsed.auto.bounce;
  const details = {
    recipient: bounce?.recipient ?? null,
    status: bounce?.status ?? null,
    action: bounce?.action ?? null,
    inboundId: inbound.id,
  };
  const original = bounce?.originalMessageId ?? parsed.inReplyTo[0] ?? null;
  const marked = original ? await markBounced(trx, inbound.workspaceId, original, details) : null;
  const summary = [details.recipient, details.status, details.action].filter(Boolean).join(" ");
  const what = marked ? `bounce of outbound mail ${marked.outboundId}` : "bounce";
  return `${what}${summary ? `: ${summary}` : ""}`.slice(0, 500);
}

// Lowercased addresses among `addresses` that belong to a Parley mailbox (of any workspace: an
// address maps to one mailbox installation-wide), plus-addressing included.
async function ownMailboxes(trx: Db, addresses: string[]): Promise<Set<string>> {
  const wanted = new Map<string, string>();
  for (const a of addresses) {
    const lower = a.trim().toLowerCase();
    wanted.set(lower, lower);
    wanted.set(lower.replace(/\+[^@]*@/, "@"), lower);
  }
  const rows = await trx
    .selectFrom("mailboxes")
    .select(sql<string>`lower(address)`.as("address"))
    .where(sql`lower(address)`, "=", sql<string>`any(${[...wanted.keys()]}::text[])`)
    .execute();
  const own = new Set<string>();
  for (const [key, original] of wanted) if (rows.some((r) => r.address === key)) own.add(original);
  return own;
}

// Replies go to Reply-To when the mail asks for it, unless that is a robot's address or our own
// (a forwarding group that sets Reply-To to itself).
async function senderOf(trx: Db, parsed: ParsedEmail): Promise<Address | null> {
  const replyTo = parsed.replyTo.filter((a) => a.address.includes("@") && !NO_REPLY.test(a.address));
  const own = replyTo.length
    ? await ownMailboxes(
        trx,
        replyTo.map((a) => a.address),
      )
    : new Set<string>();
  const chosen = replyTo.find((a) => !own.has(a.address.trim().toLowerCase()));
  if (chosen) return chosen;
  return parsed.from?.address.includes("@") ? parsed.from : null;
}

function ticketSubject(subject: string): string {
  const clean = subject.replace(/\s+/g, " ").trim();
  return clean ? [...clean].slice(0, 500).join("") : "(no subject)";
}

async function existingMessage(trx: Db, workspaceId: number, messageId: string) {
  return trx
    .selectFrom("messages")
    .select(["id", "ticket_id"])
    .where("workspace_id", "=", workspaceId)
    .where("channel", "=", "email")
    .where("external_id", "=", messageId)
    .executeTakeFirst();
}

async function openingMessage(trx: Db, workspaceId: number, ticketId: number): Promise<number> {
  const row = await trx
    .selectFrom("messages")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("ticket_id", "=", ticketId)
    .orderBy("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function isBlocked(trx: Db, workspaceId: number, contactId: number) {
  const row = await trx
    .selectFrom("contacts")
    .select("blocked")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", contactId)
    .executeTakeFirstOrThrow();
  return row.blocked;
}

async function isParticipant(trx: Db, ticket: TicketRow, contactId: number) {
  if (ticket.requester_id === contactId) return true;
  const row = await trx
    .selectFrom("ticket_participants")
    .select("contact_id")
    .where("workspace_id", "=", ticket.workspace_id)
    .where("ticket_id", "=", ticket.id)
    .where("contact_id", "=", contactId)
    .executeTakeFirst();
  return row !== undefined;
}

// The other people the mail went to (To and Cc), minus Parley's own mailboxes and the sender:
// they hear the agent's replies too. Blocked contacts are left off.
async function recipientContacts(trx: Db, workspaceId: number, parsed: ParsedEmail, authorId: number) {
  const candidates = new Map<string, string>();
  for (const a of [...parsed.to, ...parsed.cc]) {
    const address = a.address.trim().toLowerCase();
    if (address.includes("@") && !NO_REPLY.test(address) && !candidates.has(address))
      candidates.set(address, a.name);
  }
  if (candidates.size === 0) return [];
  const own = await ownMailboxes(trx, [...candidates.keys()]);
  const ids: number[] = [];
  for (const [address, name] of candidates) {
    if (own.has(address) || ids.length >= MAX_PARTICIPANTS) continue;
    const contact = await findOrCreateContactByEmail(trx, workspaceId, address, name);
    if (contact.id !== authorId && !(await isBlocked(trx, workspaceId, contact.id))) ids.push(contact.id);
  }
  return ids;
}

async function addParticipants(trx: Db, ticket: TicketRow, contactIds: number[]) {
  const ids = [...new Set(contactIds)].filter((id) => id !== ticket.requester_id);
  if (ids.length === 0) return;
  const added = await trx
    .insertInto("ticket_participants")
    .values(ids.map((id) => ({ workspace_id: ticket.workspace_id, ticket_id: ticket.id, contact_id: id })))
    .onConflict((oc) => oc.doNothing())
    .returning("contact_id")
    .execute();
  if (added.length === 0) return;
  await appendEvent(trx, systemActor(ticket.workspace_id), ticket, "ticket.participants_added", {
    contactIds: added.map((r) => r.contact_id),
  });
}

async function finish(trx: Db, inbound: Inbound, outcome: ProcessOutcome) {
  if (outcome.status === "done") return;
  await trx
    .updateTable("inbound_emails")
    .set({
      status: outcome.status,
      reason: outcome.status === "ignored" ? outcome.reason : null,
      ticket_id: outcome.status === "processed" ? outcome.ticketId : null,
      message_id: outcome.status === "processed" ? outcome.messageId : null,
      processed_at: new Date(),
    })
    .where("workspace_id", "=", inbound.workspaceId)
    .where("id", "=", inbound.id)
    .execute();
}

function isDuplicateMessage(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return (
    e?.code === "23505" && (e.constraint === DUPLICATE_MESSAGE || !!e.message?.includes(DUPLICATE_MESSAGE))
  );
}

async function recordDuplicate(db: Db, inbound: Inbound, messageId: string): Promise<ProcessOutcome> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("inbound_emails")
      .select("status")
      .where("workspace_id", "=", inbound.workspaceId)
      .where("id", "=", inbound.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (row.status === "processed" || row.status === "ignored") return { status: "done" } as const;
    const existing = await existingMessage(trx, inbound.workspaceId, messageId);
    if (!existing) throw new Error("a message with this Message-ID exists but could not be found");
    const outcome = { status: "processed", ticketId: existing.ticket_id, messageId: existing.id } as const;
    await finish(trx, inbound, outcome);
    return outcome;
  });
}

// Only the error's message is kept: a stack or the mail's content has no place in a status column.
function errorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, " ").slice(0, 500) || "unknown error";
}

async function recordFailure(db: Db, inbound: Inbound, err: unknown) {
  await db
    .updateTable("inbound_emails")
    .set((eb) => ({ status: "failed", reason: errorMessage(err), attempts: eb("attempts", "+", 1) }))
    .where("workspace_id", "=", inbound.workspaceId)
    .where("id", "=", inbound.id)
    .where("status", "in", ["received", "failed"])
    .execute()
    .catch(() => {});
}
