import { sql } from "kysely";
import { systemActor } from "../auth/actor.ts";
import { contactKey, findOrCreateContactsByEmail } from "../contacts/service.ts";
import type { Db } from "../db/connection.ts";
import type { FileStore } from "../files/store.ts";
import { appendEvent } from "../tickets/events.ts";
import { addCustomerMessage } from "../tickets/messages.ts";
import type { TicketRow } from "../tickets/present.ts";
import { createTicket } from "../tickets/service.ts";
import { automaticKind } from "./auto-detect.ts";
import { channelMetaFor, messageBody, resolveInlineImages, storeAttachments } from "./inbound-content.ts";
import { MAX_PARTICIPANTS, otherRecipients, ownMailboxes, senderOf } from "./inbound-senders.ts";
import type { MailboxDirectory } from "./mailbox-directory.ts";
import type { ResolvedSettings } from "./mailboxes.ts";
import { markBounced, withInboundMailbox } from "./outbox.ts";
import type { Address, ParsedEmail } from "./parse.ts";
import { findThread } from "./threading.ts";
import { normalizedSubject } from "./ticket-token.ts";

// What a stored mail becomes, decided and written inside the transaction of a batch of mails
// (process.ts): nothing (ignored, with the reason), a new ticket, or a message on a ticket. The
// batch shares what several mails would otherwise each ask the database: the messages known by
// Message-ID, the contacts by address, whether they are blocked, the mailboxes.

// The tag on a ticket that automated mail opened (a monitoring alert, an ITSM notification).
export const AUTOMATED_TAG = "automated";

export type ProcessOutcome =
  | { status: "processed"; ticketId: number; messageId: number }
  | { status: "ignored"; reason: string }
  // Cannot become a ticket as it is (no valid sender address): failed at once with the reason for
  // the failed-mail list, and not retried, since a retry would read the same bytes.
  | { status: "failed"; reason: string }
  // Nothing to do: processed or ignored before (a second run, or another process won).
  | { status: "done" };

// A new ticket's opening message id is read once for the whole batch, at its end.
export type Delivered = ProcessOutcome | { status: "processed"; ticketId: number; messageId: null };

export interface Inbound {
  workspaceId: number;
  id: number;
  mailboxId: number;
}

export interface PreparedMail {
  inbound: Inbound;
  parsed: ParsedEmail;
  // Canonical Message-ID ("<id@host>") and the digest of the content (content-digest.ts): the
  // pair names the message it becomes.
  messageId: string | null;
  digest: string;
}

interface Contact {
  id: number;
  organization_id: number | null;
}

interface KnownMessage {
  ticketId: number;
  messageId: number | null;
  digest: string | null;
}

export class BatchScope {
  readonly trx: Db;
  readonly fileStore: FileStore;
  readonly mailboxes: MailboxDirectory;
  // Files written to the store by this batch: deleted if its transaction fails.
  readonly written: string[] = [];
  // "workspace:<message-id>" of messages that exist, found up front or made by this batch: several
  // when mails reused the Message-ID. A null digest is a message stored before digests were kept.
  readonly #messages = new Map<string, KnownMessage[]>();
  readonly #contacts = new Map<string, Contact>();
  readonly #blocked = new Map<string, boolean>();

  constructor(trx: Db, fileStore: FileStore, mailboxes: MailboxDirectory) {
    this.trx = trx;
    this.fileStore = fileStore;
    this.mailboxes = mailboxes;
  }

  // One statement for the whole batch: which of its Message-IDs are messages already.
  async findMessages(mails: PreparedMail[]) {
    const keyed = mails.filter((m) => m.messageId !== null);
    if (keyed.length === 0) return;
    const rows = await this.trx
      .selectFrom("messages")
      .select(["workspace_id", "external_id", "external_digest", "id", "ticket_id"])
      .where(
        sql<boolean>`(workspace_id, external_id) in (select * from unnest(
          ${keyed.map((m) => m.inbound.workspaceId)}::bigint[], ${keyed.map((m) => m.messageId)}::text[]))`,
      )
      .where("channel", "=", "email")
      .orderBy("id")
      .execute();
    for (const r of rows) {
      const key = `${r.workspace_id}:${r.external_id}`;
      const known = { ticketId: r.ticket_id, messageId: r.id, digest: r.external_digest };
      this.#messages.set(key, [...(this.#messages.get(key) ?? []), known]);
    }
  }

  // The message this mail already is: same Message-ID and same content. A message from before
  // digests were kept matches any content, as every mail with its Message-ID did then.
  knownMessage(mail: PreparedMail): KnownMessage | undefined {
    if (!mail.messageId) return undefined;
    const known = this.#messages.get(`${mail.inbound.workspaceId}:${mail.messageId}`) ?? [];
    return known.find((k) => k.digest === mail.digest) ?? known.find((k) => k.digest === null);
  }

  remember(mail: PreparedMail, ticketId: number, messageId: number | null) {
    if (!mail.messageId) return;
    const key = `${mail.inbound.workspaceId}:${mail.messageId}`;
    this.#messages.set(key, [
      ...(this.#messages.get(key) ?? []),
      { ticketId, messageId, digest: mail.digest },
    ]);
  }

  // The contacts of these addresses, made on first sight: one statement for all the addresses
  // not asked about before in this batch (two or three when some are new).
  async loadContacts(wanted: { workspaceId: number; address: string; name: string }[]) {
    const missing = wanted.filter((w) => !this.#contacts.has(contactKey(w.workspaceId, w.address)));
    if (missing.length === 0) return;
    const found = await findOrCreateContactsByEmail(
      this.trx,
      missing.map((w) => ({ workspaceId: w.workspaceId, email: w.address, name: w.name })),
    );
    for (const [key, contact] of found) this.#contacts.set(key, contact);
  }

  contact(workspaceId: number, address: string): Contact {
    const contact = this.#contacts.get(contactKey(workspaceId, address));
    if (!contact) throw new Error("a contact was not loaded before it was used");
    return contact;
  }

  // Whether each contact is blocked, in one statement for those not asked about before.
  async loadBlocked(contacts: { workspaceId: number; id: number }[]) {
    const missing = contacts.filter((c) => !this.#blocked.has(`${c.workspaceId}:${c.id}`));
    if (missing.length === 0) return;
    const rows = await this.trx
      .selectFrom("contacts")
      .select(["workspace_id", "id", "blocked"])
      .where(
        sql<boolean>`(workspace_id, id) in (select * from unnest(
          ${missing.map((c) => c.workspaceId)}::bigint[], ${missing.map((c) => c.id)}::bigint[]))`,
      )
      .execute();
    for (const r of rows) this.#blocked.set(`${r.workspace_id}:${r.id}`, r.blocked);
  }

  isBlocked(workspaceId: number, contactId: number) {
    return this.#blocked.get(`${workspaceId}:${contactId}`) === true;
  }
}

// The first pass over a mail: whether it is to be ignored, is already a message, or who sent it.
// It writes only a bounce's mark on the outbound mail it reports on.
export type Screened = { outcome: ProcessOutcome } | { sender: Address };

export async function screenMail(scope: BatchScope, mail: PreparedMail): Promise<Screened> {
  const ignored = await ignoreReason(scope, mail.inbound, mail.parsed);
  if (ignored) return { outcome: { status: "ignored", reason: ignored } };
  const known = scope.knownMessage(mail);
  if (known?.messageId)
    return { outcome: { status: "processed", ticketId: known.ticketId, messageId: known.messageId } };
  const sender = await senderOf(scope.trx, scope.mailboxes, mail.parsed);
  if (!sender)
    return {
      outcome: { status: "failed", reason: mail.parsed.fromProblem ?? "The mail has no sender address." },
    };
  return { sender };
}

// The second pass: the mail becomes a new ticket or a message on the ticket it threads onto.
export async function deliverMail(
  scope: BatchScope,
  mail: PreparedMail,
  author: Contact,
): Promise<Delivered> {
  const { trx } = scope;
  const { inbound, parsed } = mail;
  const ws = inbound.workspaceId;
  // A mail earlier in this batch with the same Message-ID and content (sent to two mailboxes) is
  // this one.
  const known = scope.knownMessage(mail);
  if (known)
    return { status: "processed", ticketId: known.ticketId, messageId: known.messageId } as Delivered;
  if (scope.isBlocked(ws, author.id)) return { status: "ignored", reason: "sender blocked" };
  const mailbox = await scope.mailboxes.byId(ws, inbound.mailboxId, trx);
  if (!mailbox) throw new Error("the mailbox of this mail no longer exists");
  const settings = mailbox.settings;
  const actor = systemActor(ws);
  const match = await findThread(trx, ws, parsed);
  // Machine-written mail that reached this point is kept as a ticket (automatedMail: "ticket"),
  // marked as such and never answered automatically (RFC 3834).
  const automatic = automaticOf(settings, parsed);
  const automated = automatic?.kind === "automated" ? automatic.reason : null;

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

  const attachments = await storeAttachments(trx, scope.fileStore, ws, parsed, scope.written);
  const { body, html } = messageBody(parsed);
  const content = {
    body,
    html: resolveInlineImages(html, attachments.inline),
    channelMeta: {
      ...channelMetaFor(parsed, inbound, attachments, flagged),
      ...(automated ? { automated } : {}),
    },
    externalId: mail.messageId,
    externalDigest: mail.digest,
    attachmentIds: attachments.ids,
  };

  if (!target) {
    // The receipt, if the mailbox sends one, goes out from the mailbox the mail came in through;
    // automated mail gets none.
    const receipts = { id: mailbox.id, settings: { sendReceipt: settings.sendReceipt && !automated } };
    const ticket = await withInboundMailbox(receipts, () =>
      createTicket(trx, actor, {
        subject: ticketSubject(parsed.subject),
        requester: { id: author.id },
        groupId: mailbox.groupId,
        channel: "email",
        // Seen in the inbox and usable in views: alerts and notifications apart from people.
        ...(automated ? { tags: [AUTOMATED_TAG] } : {}),
        comment: { body: content.body, html: content.html ?? undefined },
        channelMessage: content,
      }),
    );
    scope.remember(mail, ticket.id, null);
    await addParticipants(trx, ticket, await recipientContacts(scope, ws, parsed, author.id));
    return { status: "processed", ticketId: ticket.id, messageId: null };
  }

  const added = await addCustomerMessage(trx, actor, target, {
    contactId: author.id,
    channel: "email",
    ...content,
  });
  scope.remember(mail, added.ticket.id, added.message.id);
  if (flagged) {
    await appendEvent(trx, actor, added.ticket, "message.flagged", {
      messageId: added.message.id,
      flag: flagged,
      contactId: author.id,
    });
  } else {
    // Someone who is not on the ticket does not get to add others to it.
    await addParticipants(trx, added.ticket, await recipientContacts(scope, ws, parsed, author.id));
  }
  return { status: "processed", ticketId: added.ticket.id, messageId: added.message.id };
}

// Mail that must never become a ticket or be answered: our own mail coming back (a loop), bounces
// and auto-replies. The raw mail stays stored with the reason, for admins to look at.
async function ignoreReason(
  scope: BatchScope,
  inbound: Inbound,
  parsed: ParsedEmail,
): Promise<string | null> {
  if (parsed.headers["x-parley-loop"]?.length) return "mail loop: carries Parley's own loop header";
  // From only: a list or forwarding service may set Reply-To to our own address on real mail.
  if (parsed.from && (await ownMailboxes(scope.trx, scope.mailboxes, [parsed.from.address])).size > 0)
    return "mail loop: sent from a Parley mailbox";
  if (parsed.auto.isBounce) return recordBounce(scope.trx, inbound, parsed);
  if (!parsed.auto.isAutoReply) return null;
  const mailbox = await scope.mailboxes.byId(inbound.workspaceId, inbound.mailboxId, scope.trx);
  const automatic = automaticOf(mailbox?.settings, parsed);
  if (automatic?.kind === "auto_reply") return `auto-reply: ${automatic.reason}`;
  if (automatic?.kind === "automated" && mailbox?.settings.automatedMail === "ignore")
    return `automated mail: ${automatic.reason}`;
  return null;
}

// Which kind of automatic mail this is for the mailbox (auto-detect.ts), and the signal that
// said so. Behind a mailing list every customer's mail carries the list's headers: with
// acceptListMail they are no sign of anything, while other signs still count.
function automaticOf(settings: ResolvedSettings | undefined, parsed: ParsedEmail) {
  const auto = settings?.acceptListMail ? parsed.autoIgnoringLists : parsed.auto;
  const kind = automaticKind(auto, parsed.headers, parsed.subject);
  return kind ? { kind, reason: auto.reason ?? kind } : null;
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

function ticketSubject(subject: string): string {
  const clean = subject.replace(/\s+/g, " ").trim();
  return clean ? [...clean].slice(0, 500).join("") : "(no subject)";
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
// they hear the agent's replies too. Blocked contacts are left off, and so is everyone past the
// first MAX_PARTICIPANTS: a mail to 500 people must not make every answer a mass mailing. How
// many were left out goes into the event, so it is on record (the message keeps every address).
async function recipientContacts(
  scope: BatchScope,
  workspaceId: number,
  parsed: ParsedEmail,
  authorId: number,
): Promise<Recipients> {
  const all = [...(await otherRecipients(scope.trx, scope.mailboxes, parsed))];
  const candidates = all.slice(0, MAX_PARTICIPANTS + 1);
  await scope.loadContacts(candidates.map(([address, name]) => ({ workspaceId, address, name })));
  const contacts: Contact[] = [];
  for (const [address] of candidates) {
    const contact = scope.contact(workspaceId, address);
    if (contact.id !== authorId && !contacts.some((c) => c.id === contact.id)) contacts.push(contact);
  }
  const leftOut = all.length - candidates.length + Math.max(0, contacts.length - MAX_PARTICIPANTS);
  contacts.splice(MAX_PARTICIPANTS);
  await scope.loadBlocked(contacts.map((c) => ({ workspaceId, id: c.id })));
  const ids = contacts.filter((c) => !scope.isBlocked(workspaceId, c.id)).map((c) => c.id);
  return { ids, leftOut };
}

interface Recipients {
  ids: number[];
  leftOut: number;
}

async function addParticipants(trx: Db, ticket: TicketRow, recipients: Recipients) {
  const ids = [...new Set(recipients.ids)].filter((id) => id !== ticket.requester_id);
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
    ...(recipients.leftOut > 0 ? { recipientsLeftOut: recipients.leftOut, limit: MAX_PARTICIPANTS } : {}),
  });
}
