import { systemActor } from "../auth/actor.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { OutboundStatus } from "../db/types.ts";
import { appendEvent } from "../tickets/events.ts";

// What became of mail Parley sent: the delivery state shown on each message, and bounces.

export interface Delivery {
  // The outbound_emails row shown: what an agent retries (POST /api/v1/outbound-emails/:id/retry).
  outboundId: number;
  status: OutboundStatus;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  // Who the mail is from and to, as sent (compose.ts): the agent app folds them into a line.
  from: { name: string; address: string };
  to: string[];
  cc: string[];
}

// A message sent to several people separately (a merge notice) shows its least happy delivery.
const RANK: Record<OutboundStatus, number> = { sent: 0, queued: 1, sending: 2, bounced: 3, failed: 4 };

export async function deliveryByMessage(db: Db, workspaceId: number, messageIds: number[]) {
  const byMessage = new Map<number, Delivery>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .selectFrom("outbound_emails as o")
    .innerJoin("mailboxes as m", (join) =>
      join.onRef("m.workspace_id", "=", "o.workspace_id").onRef("m.id", "=", "o.mailbox_id"),
    )
    .select([
      "o.id",
      "o.message_id",
      "o.status",
      "o.attempts",
      "o.last_error",
      "o.sent_at",
      "o.recipients",
      "o.from_name",
      "m.name as mailbox_name",
      "m.address as mailbox_address",
    ])
    .where("o.workspace_id", "=", workspaceId)
    .where("o.message_id", "in", messageIds)
    .orderBy("o.id")
    .execute();
  const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
  for (const row of rows) {
    const current = byMessage.get(row.message_id!);
    // Sent to several people separately: every recipient is listed, whichever row is shown.
    const to = union(current?.to ?? [], row.recipients.to);
    const cc = union(current?.cc ?? [], row.recipients.cc);
    if (current && RANK[current.status] >= RANK[row.status]) {
      byMessage.set(row.message_id!, { ...current, to, cc });
      continue;
    }
    byMessage.set(row.message_id!, {
      outboundId: row.id,
      status: row.status,
      attempts: row.attempts,
      lastError: row.last_error,
      sentAt: row.sent_at ? row.sent_at.toISOString() : null,
      from: { name: row.from_name || row.mailbox_name, address: row.mailbox_address },
      to,
      cc,
    });
  }
  return byMessage;
}

export interface BounceDetails {
  recipient: string | null;
  status: string | null;
  action: string | null;
  diagnostic?: string | null;
  inboundId?: number | null;
}

// A delivery status notification came back for a mail we sent: the row turns "bounced" and the
// ticket gets an "email.bounced" event. Called by inbound processing; a repeated DSN changes
// nothing. Returns the outbound row's ids, or null when the Message-ID is not one of ours.
export async function markBounced(
  db: Db,
  workspaceId: number,
  originalMessageIdHeader: string,
  details: BounceDetails,
) {
  const header = `<${originalMessageIdHeader.trim().replace(/^<+|>+$/g, "")}>`;
  return inTransaction(db, (trx) => bounce(trx, workspaceId, header, details));
}

async function bounce(db: Db, workspaceId: number, header: string, details: BounceDetails) {
  const row = await db
    .selectFrom("outbound_emails")
    .select(["id", "ticket_id", "message_id", "status"])
    .where("workspace_id", "=", workspaceId)
    .where("message_id_header", "=", header)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return null;
  const result = { outboundId: row.id, ticketId: row.ticket_id, messageId: row.message_id };
  if (row.status === "bounced") return result;
  const summary = [details.status, details.recipient, details.diagnostic].filter(Boolean).join(" ");
  await db
    .updateTable("outbound_emails")
    .set({
      status: "bounced",
      bounce: JSON.stringify(details),
      last_error: `bounced: ${summary || "delivery failed"}`.slice(0, 2000),
      updated_at: new Date(),
    })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", row.id)
    .execute();
  if (row.ticket_id !== null) {
    const ticket = await db
      .selectFrom("tickets")
      .select(["id", "workspace_id", "group_id", "assignee_id", "requester_id", "organization_id"])
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", row.ticket_id)
      .executeTakeFirstOrThrow();
    await appendEvent(db, systemActor(workspaceId), ticket, "email.bounced", {
      outboundId: row.id,
      messageId: row.message_id,
      recipient: details.recipient,
      status: details.status,
      action: details.action,
    });
  }
  return result;
}
