import { sql } from "kysely";
import type { Actor } from "../auth/actor.ts";
import { requireAgent, requireCan, ticketVisibleTo } from "../auth/permissions.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { OutboundStatus } from "../db/types.ts";
import { conflict, notFound } from "../http/errors.ts";
import { jobIdFor } from "../jobs/queue.ts";
import { appendEvent } from "../tickets/events.ts";
import { visibleTicket } from "../tickets/service.ts";
import { type OutboundJob, SEND_OUTBOUND } from "./outbox.ts";
import { outboxSettings } from "./outbox-settings.ts";

// Mail Parley could not deliver, for the people who can do something about it: agents see the
// outbound mail of the tickets they may see (admins all of it) and send a failed or bounced one
// again once the cause is fixed (a mailbox's SMTP password, a full mailbox on the other side).

export const OUTBOUND_COLUMNS = [
  "id",
  "ticket_id",
  "message_id",
  "mailbox_id",
  "kind",
  "status",
  "attempts",
  "last_error",
  "recipients",
  "subject",
  "bounce",
  "created_at",
  "updated_at",
  "sent_at",
] as const;

export interface OutboundListQuery {
  status: OutboundStatus[];
  ticketId?: number;
  limit: number;
  // The id to continue below (newest first).
  before?: number;
}

export async function listOutbound(db: Db, actor: Actor, query: OutboundListQuery) {
  // Customers reply too, but delivery details (servers, errors) are for agents.
  requireAgent(actor);
  requireCan(actor, "ticket.reply");
  let q = db
    .selectFrom("outbound_emails as o")
    .innerJoin("tickets as t", (j) =>
      j.onRef("t.workspace_id", "=", "o.workspace_id").onRef("t.id", "=", "o.ticket_id"),
    )
    .select(OUTBOUND_COLUMNS.map((c) => `o.${c}` as const))
    .where("o.workspace_id", "=", actor.workspaceId)
    .where("o.status", "in", query.status)
    .where(ticketVisibleTo(actor));
  if (query.ticketId !== undefined) q = q.where("o.ticket_id", "=", query.ticketId);
  if (query.before !== undefined) q = q.where("o.id", "<", query.before);
  // Newest first: what someone looks for is what just went wrong.
  return q
    .orderBy("o.id", "desc")
    .limit(query.limit + 1)
    .execute();
}

const RETRYABLE: OutboundStatus[] = ["failed", "bounced"];

// Puts a failed or bounced mail back in the queue, unchanged (the same Message-ID, recipients and
// body), with an email.retried event naming who did it. Its send job is enqueued in the same
// transaction under a fresh id: the row's first job may still be on file.
export async function retryOutbound(db: Db, actor: Actor, id: number) {
  // Customers reply too, but delivery details (servers, errors) are for agents.
  requireAgent(actor);
  requireCan(actor, "ticket.reply");
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("outbound_emails")
      .select(["id", "ticket_id", "message_id", "status"])
      .where("workspace_id", "=", actor.workspaceId)
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.ticket_id === null) throw notFound("outbound mail");
    // Not found and not allowed look the same, as for the ticket itself.
    const ticket = await visibleTicket(trx, actor, row.ticket_id).catch(() => {
      throw notFound("outbound mail");
    });
    if (!RETRYABLE.includes(row.status)) {
      // `status` is the problem's HTTP status (RFC 9457); the mail's state has its own member.
      throw conflict("outbound_not_failed", "Only a failed or bounced mail can be sent again.", {
        deliveryState: row.status,
      });
    }
    const updated = await trx
      .updateTable("outbound_emails")
      .set({ status: "queued", updated_at: sql<Date>`clock_timestamp()` })
      .where("workspace_id", "=", actor.workspaceId)
      .where("id", "=", id)
      .returning(OUTBOUND_COLUMNS)
      .executeTakeFirstOrThrow();
    await appendEvent(trx, actor, ticket, "email.retried", {
      outboundId: row.id,
      messageId: row.message_id,
      from: row.status,
    });
    const { queue } = outboxSettings(trx);
    if (queue) {
      const job: OutboundJob = { workspaceId: actor.workspaceId, outboundId: row.id };
      const key = `${SEND_OUTBOUND}:${actor.workspaceId}:${row.id}:retry:${updated.updated_at.getTime()}`;
      await queue.enqueue(trx, SEND_OUTBOUND, job, { id: jobIdFor(key) });
    }
    return updated;
  });
}

type OutboundRow = Awaited<ReturnType<typeof listOutbound>>[number];

// Names every field it returns: the body is not among them (it is on the ticket's message).
export function presentOutbound(row: OutboundRow) {
  const recipients = row.recipients as { to?: string[]; cc?: string[] };
  const bounce = row.bounce as { recipient?: string | null; status?: string | null } | null;
  return {
    id: row.id,
    ticketId: row.ticket_id,
    messageId: row.message_id,
    mailboxId: row.mailbox_id,
    kind: row.kind,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    to: recipients.to ?? [],
    cc: recipients.cc ?? [],
    subject: row.subject,
    bounce: bounce ? { recipient: bounce.recipient ?? null, status: bounce.status ?? null } : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    sentAt: row.sent_at ? row.sent_at.toISOString() : null,
  };
}
