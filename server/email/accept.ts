import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import type { MailboxInbound } from "../db/types.ts";
import { mailIdentity } from "./content-digest.ts";

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

// The key a stored mail is known by in its mailbox (server/email/content-digest.ts): its
// Message-ID and the digest of its content, so that only a true redelivery, by any path, finds
// the stored copy; a different mail that reuses the Message-ID is stored as a mail of its own.
// Without a Message-ID the digest alone, if the mail is dated; without either, the hash of its
// bytes (two undated copies of the same text are two mails as far as anyone can tell).
export function dedupeKeyFor(raw: Buffer): { key: string; messageId: string | null; digest: string } {
  const { messageId, digest, dated } = mailIdentity(raw);
  if (messageId) return { key: `mid:${messageId.toLowerCase()} sha256:${digest}`, messageId, digest };
  if (dated) return { key: `content:${digest}`, messageId: null, digest };
  return { key: `sha256:${createHash("sha256").update(raw).digest("hex")}`, messageId: null, digest };
}

// Keeps the raw messages durably, in one statement. Callers answer the sender (SMTP 250, IMAP
// cursor advance, HTTP 202) only after this returns (and, inside a transaction, after it commits):
// from then on the message cannot be lost, whatever happens to this process. A stored row whose
// status is 'received' is itself the queue of work: no job is written beside it (see
// inbound-pipeline.ts). The results are in the order of `inputs`; a mail stored before, or twice
// in `inputs`, is a duplicate with the id of the row that holds it.
export async function acceptInboundEmails(db: Db, inputs: AcceptInput[]): Promise<Accepted[]> {
  if (inputs.length === 0) return [];
  const keyed = inputs.map((input) => ({ input, ...dedupeKeyFor(input.raw) }));
  const inserted = await db
    .insertInto("inbound_emails")
    .values(
      keyed.map(({ input, key, messageId }) => ({
        workspace_id: input.workspaceId,
        mailbox_id: input.mailboxId,
        source: input.source,
        dedupe_key: key,
        message_id_header: messageId,
        raw: input.raw,
        size: input.raw.length,
        envelope: JSON.stringify(input.envelope ?? {}),
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .returning(["workspace_id", "mailbox_id", "dedupe_key", "id"])
    .execute();
  const slot = (ws: number, mailbox: number, key: string) => `${ws}:${mailbox}:${key}`;
  const fresh = new Map(inserted.map((r) => [slot(r.workspace_id, r.mailbox_id, r.dedupe_key), r.id]));
  const results: (Accepted | null)[] = keyed.map(({ input, key }) => {
    const k = slot(input.workspaceId, input.mailboxId, key);
    const id = fresh.get(k);
    if (id === undefined) return null;
    // The same mail twice in one batch: the first is stored, the second is its duplicate.
    fresh.delete(k);
    return { id, duplicate: false };
  });
  const missing = keyed.filter((_, i) => results[i] === null);
  if (missing.length > 0) {
    const existing = await db
      .selectFrom("inbound_emails")
      .select(["workspace_id", "mailbox_id", "dedupe_key", "id"])
      .where(
        sql<boolean>`(workspace_id, mailbox_id, dedupe_key) in (select * from unnest(
          ${missing.map((m) => m.input.workspaceId)}::bigint[],
          ${missing.map((m) => m.input.mailboxId)}::bigint[],
          ${missing.map((m) => m.key)}::text[]))`,
      )
      .execute();
    const found = new Map(existing.map((r) => [slot(r.workspace_id, r.mailbox_id, r.dedupe_key), r.id]));
    keyed.forEach(({ input, key }, i) => {
      if (results[i] !== null) return;
      const id = found.get(slot(input.workspaceId, input.mailboxId, key));
      if (id === undefined) throw new Error("a mail neither stored nor found by its dedupe key");
      results[i] = { id, duplicate: true };
    });
  }
  return results as Accepted[];
}

export async function acceptInboundEmail(db: Db, input: AcceptInput): Promise<Accepted> {
  const [accepted] = await acceptInboundEmails(db, [input]);
  return accepted;
}
