import { createHash } from "node:crypto";
import { sql } from "kysely";
import { type Db, inTransaction } from "../db/connection.ts";
import type { MailboxInbound } from "../db/types.ts";
import { type JobQueue, jobIdFor } from "../jobs/queue.ts";

export const PROCESS_INBOUND = "email.process_inbound";

export interface InboundJob {
  workspaceId: number;
  inboundId: number;
}

export interface AcceptInput {
  workspaceId: number;
  mailboxId: number;
  source: MailboxInbound;
  raw: Buffer;
  envelope?: { mailFrom?: string | null; rcptTo?: string[]; remoteAddress?: string | null; uid?: number };
}

export interface Accepted {
  id: number;
  duplicate: boolean;
}

// The header block ends at the first empty line; headers may be folded onto following lines.
function headerValue(raw: Buffer, name: string): string | null {
  const end = raw.indexOf("\r\n\r\n") >= 0 ? raw.indexOf("\r\n\r\n") : raw.indexOf("\n\n");
  const head = raw.subarray(0, end >= 0 ? end : Math.min(raw.length, 64 * 1024)).toString("latin1");
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  const match = new RegExp(`^${name}:[ \\t]*(.*)$`, "im").exec(unfolded);
  return match ? match[1].trim() : null;
}

// Message-ID when the message has one, else a hash of its bytes: the same mail delivered twice,
// by any path, gets the same key and so is stored once.
export function dedupeKeyFor(raw: Buffer): { key: string; messageId: string | null } {
  const header = headerValue(raw, "Message-ID");
  const messageId = header ? (/<[^<>\s]+>/.exec(header)?.[0] ?? header).slice(0, 998) : null;
  if (messageId) return { key: `mid:${messageId.toLowerCase()}`, messageId };
  return { key: `sha256:${createHash("sha256").update(raw).digest("hex")}`, messageId: null };
}

// Keeps the raw message durably and queues its processing, in one transaction. Callers answer
// the sender (SMTP 250, IMAP cursor advance, HTTP 202) only after this returns: from then on the
// message cannot be lost, whatever happens to this process.
export async function acceptInboundEmail(
  db: Db,
  queue: JobQueue | null,
  input: AcceptInput,
): Promise<Accepted> {
  const { key, messageId } = dedupeKeyFor(input.raw);
  return inTransaction(db, async (trx) => {
    const inserted = await trx
      .insertInto("inbound_emails")
      .values({
        workspace_id: input.workspaceId,
        mailbox_id: input.mailboxId,
        source: input.source,
        dedupe_key: key,
        message_id_header: messageId,
        raw: input.raw,
        size: input.raw.length,
        envelope: JSON.stringify(input.envelope ?? {}),
      })
      .onConflict((oc) => oc.doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) {
      const existing = await trx
        .selectFrom("inbound_emails")
        .select("id")
        .where("workspace_id", "=", input.workspaceId)
        .where("mailbox_id", "=", input.mailboxId)
        .where("dedupe_key", "=", key)
        .executeTakeFirstOrThrow();
      return { id: existing.id, duplicate: true };
    }
    if (queue) {
      const job: InboundJob = { workspaceId: input.workspaceId, inboundId: inserted.id };
      await queue.enqueue(trx, PROCESS_INBOUND, job, {
        id: jobIdFor(`inbound:${input.workspaceId}:${inserted.id}`),
      });
    }
    return { id: inserted.id, duplicate: false };
  });
}

export interface MailboxTarget {
  workspaceId: number;
  mailboxId: number;
  address: string;
}

// The active mailbox a recipient address belongs to, across all workspaces. Plus-addressing
// (support+anything@) reaches the mailbox of the plain address.
export async function mailboxForAddress(db: Db, address: string): Promise<MailboxTarget | null> {
  const normalized = address.trim().toLowerCase();
  const plain = normalized.replace(/\+[^@]*@/, "@");
  const row = await db
    .selectFrom("mailboxes")
    .select(["workspace_id", "id", "address"])
    .where(sql`lower(address)`, "in", [normalized, plain])
    .where("active", "=", true)
    .executeTakeFirst();
  return row ? { workspaceId: row.workspace_id, mailboxId: row.id, address: row.address } : null;
}
