import { AsyncLocalStorage } from "node:async_hooks";
import { sql } from "kysely";
import type { Actor } from "../auth/actor.ts";
import type { Db } from "../db/connection.ts";
import { jobIdFor } from "../jobs/queue.ts";
import { appendEvent } from "../tickets/events.ts";
import type { TicketRow } from "../tickets/present.ts";
import { resolveSettings } from "./mailboxes.ts";
import {
  type Mailbox,
  mailboxForTicket,
  primaryEmails,
  recipientsFor,
  threadFor,
} from "./outbound-addressing.ts";
import { outboxSettings } from "./outbox-settings.ts";
import {
  loadTemplate,
  type Placeholder,
  portalTicketUrl,
  renderTemplate,
  type TemplateKey,
  type TemplateValues,
  textAsHtml,
} from "./templates.ts";
import { generateMessageId, subjectWithToken } from "./ticket-token.ts";

export { type BounceDetails, type Delivery, deliveryByMessage, markBounced } from "./outbound-state.ts";

// The outbox: a mail to send is a row of outbound_emails written in the transaction of the change
// that causes it (an agent's reply, a merge notice, a ticket solved), so it exists exactly when
// the change does. The send job (outbound.ts) delivers it and keeps its state on the row.

export const SEND_OUTBOUND = "email.send_outbound";

export interface OutboundJob {
  workspaceId: number;
  outboundId: number;
}

// One job id per row: however many times the row is kicked (in its transaction, by the sweeper),
// pg-boss keeps one job, and so one sender at a time.
export const outboundJobId = (workspaceId: number, outboundId: number) =>
  jobIdFor(`${SEND_OUTBOUND}:${workspaceId}:${outboundId}`);

async function templateValues(trx: Db, ticket: TicketRow, mailbox: Mailbox, agentId: number | null) {
  const ws = ticket.workspace_id;
  const { publicUrl } = outboxSettings(trx);
  const [requester, emails, agent, workspace] = await Promise.all([
    trx
      .selectFrom("contacts")
      .select("name")
      .where("workspace_id", "=", ws)
      .where("id", "=", ticket.requester_id)
      .executeTakeFirst(),
    primaryEmails(trx, ws, [ticket.requester_id]),
    agentId === null
      ? null
      : trx
          .selectFrom("users")
          .select(["name", "signature"])
          .where("workspace_id", "=", ws)
          .where("id", "=", agentId)
          .executeTakeFirst(),
    trx.selectFrom("workspaces").select("name").where("id", "=", ws).executeTakeFirst(),
  ]);
  const requesterName = requester?.name ?? "";
  const values: Omit<TemplateValues, "message.text"> = {
    "ticket.number": String(ticket.number),
    "ticket.subject": ticket.subject,
    "ticket.status": ticket.status,
    "requester.name": requesterName,
    "requester.first_name": requesterName.split(/\s+/)[0] ?? "",
    "requester.email": emails.get(ticket.requester_id) ?? "",
    "agent.name": agent?.name ?? "",
    "agent.first_name": agent?.name.split(/\s+/)[0] ?? "",
    portal_url: portalTicketUrl(publicUrl, ticket.id),
    "mailbox.name": mailbox.name,
    "mailbox.address": mailbox.address,
    "workspace.name": workspace?.name ?? "",
  };
  return { values, agentName: agent?.name ?? null, signature: agent?.signature.trim() ?? "" };
}

const HTML_DOCUMENT = (body: string) =>
  `<!doctype html>\n<html><head><meta charset="utf-8"></head><body>\n<div dir="auto">${body}</div>\n</body></html>\n`;

export interface QueueRequest {
  kind: "reply" | "merge_notice" | TemplateKey;
  // The ticket message the mail carries (delivery state shows on it), if any.
  message: { id: number; text: string; html: string | null } | null;
  template: TemplateKey | null;
  agentId: number | null;
  // RFC 3834: auto-replied for a mail answering the customer's, auto-generated otherwise.
  autoSubmitted: "auto-replied" | "auto-generated" | null;
  contactIds?: number[];
  threadFromContactId?: number;
  mailboxId?: number;
}

// Who the mail goes to, from which mailbox, and what it answers: read once when it is queued.
interface Addressing {
  mailbox: Mailbox;
  recipients: Awaited<ReturnType<typeof recipientsFor>>;
  thread: Awaited<ReturnType<typeof threadFor>>;
}

async function render(trx: Db, ticket: TicketRow, request: QueueRequest, addressing: Addressing) {
  const { mailbox, thread } = addressing;
  const { values, agentName, signature } = await templateValues(trx, ticket, mailbox, request.agentId);
  const text = request.message?.text ?? (await firstCustomerText(trx, ticket));
  const html = request.message?.html ?? null;
  const allValues: TemplateValues = { ...values, "message.text": text };
  const template = request.template
    ? await loadTemplate(trx, ticket.workspace_id, request.template)
    : { subject: "{{ticket.subject}}", bodyText: "{{message.text}}" };
  const htmlValues: Partial<Record<Placeholder, string>> = html ? { "message.text": html } : {};
  const rendered = renderTemplate(template, allValues, htmlValues);
  const bodyText = signature ? `${rendered.text}\n\n-- \n${signature}` : rendered.text;
  const bodyHtml = signature
    ? `${rendered.html}\n<div class="signature"><br>-- <br>\n${textAsHtml(signature)}</div>`
    : rendered.html;
  const base = rendered.subject || ticket.subject;
  return {
    subject: subjectWithToken(thread.inReplyTo && !/^re:/i.test(base) ? `Re: ${base}` : base, ticket.number),
    from_name: agentName ? `${agentName} via ${mailbox.name}` : mailbox.name,
    body_text: bodyText,
    body_html: HTML_DOCUMENT(bodyHtml),
  };
}

// Replies queued in a transaction, by ticket: a reply that also solves its ticket becomes the one
// mail the customer gets (see queueSystemEmail).
interface QueuedReply {
  outboundId: number;
  request: QueueRequest;
  addressing: Addressing;
}
const repliesInTransaction = new WeakMap<Db, Map<string, QueuedReply>>();
const ticketKey = (ticket: TicketRow) => `${ticket.workspace_id}:${ticket.id}`;

// Writes one queued outbound row (and its event) in the caller's transaction; null when there is
// no mailbox to send from or nobody to send to (the change itself still stands).
export async function queueOutbound(trx: Db, actor: Actor, ticket: TicketRow, request: QueueRequest) {
  const mailbox = await mailboxForTicket(trx, ticket, request.mailboxId);
  if (!mailbox) return null;
  const recipients = await recipientsFor(trx, ticket, request.contactIds);
  if (recipients.to.length === 0) return null;
  const addressing = {
    mailbox,
    recipients,
    thread: await threadFor(trx, ticket, request.threadFromContactId),
  };
  const content = await render(trx, ticket, request, addressing);
  const settings = outboxSettings(trx);
  const domain = settings.messageIdDomain ?? mailbox.address.split("@")[1] ?? "localhost";
  const row = await trx
    .insertInto("outbound_emails")
    .values({
      workspace_id: ticket.workspace_id,
      message_id: request.message?.id ?? null,
      ticket_id: ticket.id,
      mailbox_id: mailbox.id,
      kind: request.kind,
      message_id_header: generateMessageId(domain, ticket.workspace_id, ticket.number),
      recipients: JSON.stringify(recipients),
      ...content,
      in_reply_to: addressing.thread.inReplyTo,
      reference_ids: sql<string[]>`${addressing.thread.references}::text[]`,
      auto_submitted: request.autoSubmitted,
    })
    .returning(["id", "workspace_id"])
    .executeTakeFirstOrThrow();
  await appendEvent(trx, actor, ticket, "email.queued", {
    outboundId: row.id,
    kind: request.kind,
    messageId: request.message?.id ?? null,
    mailboxId: mailbox.id,
  });
  if (request.kind === "reply" && trx.isTransaction) {
    const replies = repliesInTransaction.get(trx) ?? new Map<string, QueuedReply>();
    replies.set(ticketKey(ticket), { outboundId: row.id, request, addressing });
    repliesInTransaction.set(trx, replies);
  }
  if (settings.queue) {
    const job: OutboundJob = { workspaceId: row.workspace_id, outboundId: row.id };
    await settings.queue.enqueue(trx, SEND_OUTBOUND, job, { id: outboundJobId(row.workspace_id, row.id) });
  }
  return row.id;
}

// The reply queued earlier in this transaction, now written again with the agent_replied_solved
// template: the one mail says both what the agent wrote and that the ticket is solved.
async function solvingReply(trx: Db, ticket: TicketRow): Promise<number | null> {
  const reply = repliesInTransaction.get(trx)?.get(ticketKey(ticket));
  if (!reply) return null;
  const request: QueueRequest = { ...reply.request, template: "agent_replied_solved" };
  const content = await render(trx, ticket, request, reply.addressing);
  await trx
    .updateTable("outbound_emails")
    .set({ ...content, updated_at: new Date() })
    .where("workspace_id", "=", ticket.workspace_id)
    .where("id", "=", reply.outboundId)
    .where("status", "=", "queued")
    .execute();
  return reply.outboundId;
}

async function firstCustomerText(trx: Db, ticket: TicketRow) {
  const first = await trx
    .selectFrom("messages")
    .select("body_text")
    .where("workspace_id", "=", ticket.workspace_id)
    .where("ticket_id", "=", ticket.id)
    .where("direction", "=", "in")
    // A note is not the customer's request: another customer's merged-in mail is one.
    .where("kind", "=", "reply")
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
  return first?.body_text ?? "";
}

interface MessageLike {
  id: number;
  kind: string;
  direction: string | null;
  body_text: string;
  body_html: string | null;
}

// An agent's public reply on an email ticket goes out by email, wrapped in the agent_replied
// template and signed with the agent's signature.
export async function queueAgentReply(trx: Db, actor: Actor, ticket: TicketRow, message: MessageLike) {
  if (ticket.channel !== "email" || message.kind !== "reply" || message.direction !== "out") return null;
  if (actor.type !== "user") return null;
  return queueOutbound(trx, actor, ticket, {
    kind: "reply",
    message: { id: message.id, text: message.body_text, html: message.body_html },
    template: "agent_replied",
    agentId: actor.userId,
    autoSubmitted: null,
  });
}

// Each requester whose email ticket was merged hears where the conversation went, in a mail of
// their own (one mail to all would show each customer the others' addresses), threaded onto what
// they last sent.
export async function queueMergeNotice(
  trx: Db,
  actor: Actor,
  target: TicketRow,
  sources: TicketRow[],
  message: MessageLike,
) {
  const ids: number[] = [];
  const told = new Set<number>();
  for (const ticket of [target, ...sources]) {
    if (ticket.channel !== "email" || told.has(ticket.requester_id)) continue;
    told.add(ticket.requester_id);
    // A source's messages are on the target by now, marked as moved from it.
    if (await openedByAutomatedMail(trx, ticket, ticket === target ? undefined : target)) continue;
    const id = await queueOutbound(trx, actor, target, {
      kind: "merge_notice",
      message: { id: message.id, text: message.body_text, html: message.body_html },
      template: null,
      agentId: null,
      autoSubmitted: "auto-generated",
      contactIds: [ticket.requester_id],
      threadFromContactId: ticket.requester_id,
    });
    if (id !== null) ids.push(id);
  }
  return ids;
}

// A ticket that a machine's mail opened (a monitoring alert, an ITSM notification; see
// inbound-delivery.ts) hears nothing automatic from Parley (RFC 3834): its requester is a program,
// and a notice sent to it may come back as another notification. An agent's reply still goes.
// The opening message is the ticket's first own one (messages merged in from other tickets say
// where they came from); a ticket just merged into `mergedInto` has its messages there.
async function openedByAutomatedMail(trx: Db, ticket: TicketRow, mergedInto?: TicketRow): Promise<boolean> {
  const first = await trx
    .selectFrom("messages")
    .select(sql<boolean>`channel_meta->>'automated' is not null`.as("automated"))
    .where("workspace_id", "=", ticket.workspace_id)
    .where("ticket_id", "=", mergedInto?.id ?? ticket.id)
    .$call((q) =>
      mergedInto
        ? q.where("moved_from_ticket_id", "=", ticket.id)
        : q.where("moved_from_ticket_id", "is", null),
    )
    .orderBy("created_at")
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
  return first?.automated === true;
}

// The mailbox a mail being turned into a ticket came in through, set by inbound processing around
// createTicket: its receipt then goes out from that mailbox without reading it back (two
// statements per ticket), and a mailbox with receipts off costs nothing at all.
const inboundMailbox = new AsyncLocalStorage<{ id: number; sendReceipt: boolean }>();

export function withInboundMailbox<T>(
  mailbox: { id: number; settings: { sendReceipt: boolean } },
  fn: () => Promise<T>,
): Promise<T> {
  return inboundMailbox.run({ id: mailbox.id, sendReceipt: mailbox.settings.sendReceipt }, fn);
}

// ticket_received answers the customer's first mail (unless the mailbox turns receipts off);
// ticket_solved tells them the ticket was solved, unless an agent's reply queued in the same
// transaction says so. Neither is sent for non-email tickets.
export async function queueSystemEmail(
  trx: Db,
  actor: Actor,
  ticket: TicketRow,
  key: "ticket_received" | "ticket_solved",
  options: { mailboxId?: number } = {},
) {
  if (ticket.channel !== "email") return null;
  // Solved with a reply: the reply carries the news, rather than a second mail a moment after it.
  if (key === "ticket_solved") {
    const reply = await solvingReply(trx, ticket);
    if (reply !== null) return reply;
    if (await openedByAutomatedMail(trx, ticket)) return null;
  }
  let mailboxId = options.mailboxId;
  if (key === "ticket_received") {
    const inbound = inboundMailbox.getStore();
    if (inbound && options.mailboxId === undefined) {
      if (!inbound.sendReceipt) return null;
      mailboxId = inbound.id;
    } else {
      const mailbox = await mailboxForTicket(trx, ticket, options.mailboxId);
      if (!mailbox || !resolveSettings(mailbox.settings).sendReceipt) return null;
    }
  }
  return queueOutbound(trx, actor, ticket, {
    kind: key,
    message: null,
    template: key,
    agentId: null,
    autoSubmitted: key === "ticket_received" ? "auto-replied" : "auto-generated",
    // A receipt answers the requester's own mail; the CCs hear from the team's first reply.
    contactIds: key === "ticket_received" ? [ticket.requester_id] : undefined,
    mailboxId,
  });
}
