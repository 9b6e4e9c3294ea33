import { sql } from "kysely";
import { Type } from "typebox";
import type { Db } from "../db/connection.ts";
import type { InboundStatus } from "../db/types.ts";
import { encodeCursor } from "../tickets/queries.ts";
import { parseEmail } from "./parse.ts";
import { MAX_ATTEMPTS } from "./process.ts";

// Stored inbound mail as admins see it, per mailbox (inbound-routes.ts) or across the workspace
// (inbound-list-routes.ts): the same query, the same page shape, the same presenter.

export const InboundStatusEnum = Type.Enum(["received", "processed", "ignored", "failed"]);
export const InboundView = Type.Object({
  id: Type.Integer(),
  mailboxId: Type.Integer(),
  source: Type.Enum(["smtp", "imap", "upload"]),
  status: InboundStatusEnum,
  reason: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  // When the sweep tries a failed mail again by itself; null once it has given up (or the mail
  // is not failed), when only an admin's retry moves it.
  retryAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  messageIdHeader: Type.Union([Type.String(), Type.Null()]),
  from: Type.Union([Type.Object({ address: Type.String(), name: Type.String() }), Type.Null()]),
  subject: Type.String(),
  size: Type.Integer(),
  ticketId: Type.Union([Type.Integer(), Type.Null()]),
  messageId: Type.Union([Type.Integer(), Type.Null()]),
  receivedAt: Type.String({ format: "date-time" }),
  processedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});
export const InboundPage = Type.Object({
  data: Type.Array(InboundView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

// Enough of the message to find the end of its header block, which is all the list shows.
const HEAD_BYTES = 64 * 1024;

const SUMMARY_COLUMNS = [
  "id",
  "mailbox_id",
  "source",
  "status",
  "reason",
  "attempts",
  "retry_at",
  "message_id_header",
  "size",
  "ticket_id",
  "message_id",
  "received_at",
  "processed_at",
] as const;

type SummaryRow = {
  id: number;
  mailbox_id: number;
  source: "smtp" | "imap" | "upload";
  status: InboundStatus;
  reason: string | null;
  attempts: number;
  retry_at: Date | null;
  message_id_header: string | null;
  size: number;
  ticket_id: number | null;
  message_id: number | null;
  received_at: Date;
  processed_at: Date | null;
  head: Uint8Array;
};

export interface InboundListQuery {
  mailboxId?: number;
  status?: InboundStatus;
  limit: number;
  // The id to continue below (newest first), from the cursor.
  before?: number;
}

// One page, newest first: what an admin looks for is what just went wrong.
export async function listInbound(db: Db, workspaceId: number, query: InboundListQuery) {
  let q = db
    .selectFrom("inbound_emails")
    .select([
      ...SUMMARY_COLUMNS,
      sql<Uint8Array>`substring(raw from 1 for ${sql.lit(HEAD_BYTES)})`.as("head"),
    ])
    .where("workspace_id", "=", workspaceId);
  if (query.mailboxId !== undefined) q = q.where("mailbox_id", "=", query.mailboxId);
  if (query.status) q = q.where("status", "=", query.status);
  if (query.before !== undefined) q = q.where("id", "<", query.before);
  const rows = (await q
    .orderBy("id", "desc")
    .limit(query.limit + 1)
    .execute()) as SummaryRow[];
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: await Promise.all(page.map(presentInbound)),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.id, last.id) : null,
  };
}

// Sender and subject come from the stored header block: the list never reads or shows a body.
async function presentInbound(row: SummaryRow) {
  const head = Buffer.from(row.head.buffer, row.head.byteOffset, row.head.byteLength);
  const end = head.indexOf("\r\n\r\n") >= 0 ? head.indexOf("\r\n\r\n") : head.indexOf("\n\n");
  const headers = await parseEmail(
    Buffer.concat([head.subarray(0, end >= 0 ? end : 0), Buffer.from("\r\n\r\n")]),
  )
    .then((p) => ({ from: p.from, subject: p.subject }))
    .catch(() => ({ from: null, subject: "" }));
  const retrying = row.status === "failed" && row.attempts < MAX_ATTEMPTS && row.retry_at !== null;
  return {
    id: row.id,
    mailboxId: row.mailbox_id,
    source: row.source,
    status: row.status,
    reason: row.reason,
    attempts: row.attempts,
    retryAt: retrying ? row.retry_at!.toISOString() : null,
    messageIdHeader: row.message_id_header,
    from: headers.from ? { address: headers.from.address, name: headers.from.name } : null,
    subject: headers.subject,
    size: row.size,
    ticketId: row.ticket_id,
    messageId: row.message_id,
    receivedAt: row.received_at.toISOString(),
    processedAt: row.processed_at ? row.processed_at.toISOString() : null,
  };
}
