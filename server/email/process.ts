import type { FastifyBaseLogger } from "fastify";
import { sql } from "kysely";
import { type Db, inTransaction } from "../db/connection.ts";
import type { FileStore } from "../files/store.ts";
import { mailIdentity } from "./content-digest.ts";
import {
  BatchScope,
  type Delivered,
  deliverMail,
  type Inbound,
  type PreparedMail,
  type ProcessOutcome,
  type Screened,
  screenMail,
} from "./inbound-delivery.ts";
import type { MailboxDirectory } from "./mailbox-directory.ts";
import { parseEmail } from "./parse.ts";
import { canonicalMessageId } from "./threading.ts";

export type { ProcessOutcome } from "./inbound-delivery.ts";

export interface ProcessDeps {
  fileStore: FileStore;
  mailboxes: MailboxDirectory;
  log?: FastifyBaseLogger;
}

// A stored mail to process. The accepting process hands over the bytes it already holds, so
// they are not read back; otherwise they are read with the row.
export interface InboundItem {
  workspaceId: number;
  inboundId: number;
  mailboxId?: number;
  raw?: Buffer;
}

export type ItemResult = { outcome: ProcessOutcome } | { error: unknown };

const DUPLICATE_MESSAGE = "messages_external_digest";
// Failed mail is retried this many times, further apart each time, then left to an admin.
export const MAX_ATTEMPTS = 6;
const RETRY_BASE_SECONDS = 5;
const RETRY_MAX_SECONDS = 600;

const slot = (workspaceId: number, id: number) => `${workspaceId}:${id}`;

// Turns stored mails into tickets or messages on them, or records why each was ignored, in one
// transaction for the batch: its statements are shared (one lock, one look-up of known
// Message-IDs, of blocked senders, of new tickets' messages, one status update) and so is its
// commit. Mails are parsed before the transaction when their bytes are in hand (parsing is CPU
// work, and on PGlite a transaction holds the only connection). Safe to run twice, or twice at
// once: rows are locked (with `skipLocked`, a row another process holds is left to it) and a
// finished row is left alone. If the batch fails, each mail runs again in a transaction of its
// own, so one bad mail fails alone: it is marked failed (the reason, never the content) and
// retried later with backoff (`retry_at`), up to MAX_ATTEMPTS.
export async function processInboundBatch(
  db: Db,
  deps: ProcessDeps,
  items: InboundItem[],
  options: { skipLocked?: boolean } = {},
): Promise<ItemResult[]> {
  const results = new Map<string, ItemResult>();
  const parsed = new Map<string, PreparedMail>();
  for (const item of items) {
    if (!item.raw || item.mailboxId === undefined) continue;
    const inbound = { workspaceId: item.workspaceId, id: item.inboundId, mailboxId: item.mailboxId };
    try {
      parsed.set(slot(item.workspaceId, item.inboundId), await prepare(inbound, item.raw));
    } catch (err) {
      results.set(slot(item.workspaceId, item.inboundId), { error: err });
    }
  }
  const todo = items.filter((i) => !results.has(slot(i.workspaceId, i.inboundId)));
  if (todo.length > 0) {
    const scope = (trx: Db) => new BatchScope(trx, deps.fileStore, deps.mailboxes);
    let written: string[] = [];
    try {
      const outcomes = await inTransaction(db, async (trx) => {
        const batch = scope(trx);
        written = batch.written;
        return runLocked(batch, todo, parsed, options.skipLocked ?? false);
      });
      for (const [key, outcome] of outcomes) results.set(key, { outcome });
    } catch (err) {
      await Promise.all(written.map((key) => deps.fileStore.delete(key).catch(() => {})));
      if (todo.length === 1) {
        const item = todo[0];
        const mail = parsed.get(slot(item.workspaceId, item.inboundId));
        results.set(slot(item.workspaceId, item.inboundId), await failed(db, deps, item, mail, err));
      } else {
        // One mail that cannot be processed must not hold up the others: each goes again alone.
        for (const item of todo) {
          const [one] = await processInboundBatch(db, deps, [item], options);
          results.set(slot(item.workspaceId, item.inboundId), one);
        }
      }
    }
  }
  for (const item of items) {
    const result = results.get(slot(item.workspaceId, item.inboundId));
    if (result && "error" in result && !todo.includes(item))
      await recordFailure(db, item, result.error, deps);
  }
  return items.map((i) => results.get(slot(i.workspaceId, i.inboundId)) ?? { outcome: { status: "done" } });
}

// One stored mail; throws (after recording the failure) when it could not be processed.
export async function processInboundEmail(
  db: Db,
  deps: ProcessDeps,
  workspaceId: number,
  inboundId: number,
): Promise<ProcessOutcome> {
  const [result] = await processInboundBatch(db, deps, [{ workspaceId, inboundId }]);
  if ("error" in result) throw result.error;
  return result.outcome;
}

async function prepare(inbound: Inbound, raw: Buffer): Promise<PreparedMail> {
  const parsed = await parseEmail(raw);
  const messageId = parsed.messageId ? canonicalMessageId(parsed.messageId) : null;
  return { inbound, parsed, messageId, digest: mailIdentity(raw).digest };
}

async function runLocked(
  scope: BatchScope,
  items: InboundItem[],
  parsed: Map<string, PreparedMail>,
  skipLocked: boolean,
): Promise<Map<string, ProcessOutcome>> {
  const { trx } = scope;
  const needRaw = items.some((i) => !parsed.has(slot(i.workspaceId, i.inboundId)));
  const lock = trx
    .selectFrom("inbound_emails")
    .select(["workspace_id", "id", "mailbox_id"])
    .$if(needRaw, (q) => q.select("raw"))
    .where(
      sql<boolean>`(workspace_id, id) in (select * from unnest(
        ${items.map((i) => i.workspaceId)}::bigint[], ${items.map((i) => i.inboundId)}::bigint[]))`,
    )
    .where("status", "in", ["received", "failed"])
    .orderBy("workspace_id")
    .orderBy("id")
    .forUpdate();
  const rows = await (skipLocked ? lock.skipLocked() : lock).execute();
  const mails: PreparedMail[] = [];
  for (const row of rows) {
    const key = slot(row.workspace_id, row.id);
    const inbound = { workspaceId: row.workspace_id, id: row.id, mailboxId: row.mailbox_id };
    const raw = (row as { raw?: Uint8Array }).raw;
    let mail = parsed.get(key);
    if (!mail) {
      mail = await prepare(inbound, Buffer.from(raw!.buffer, raw!.byteOffset, raw!.byteLength));
      // Kept for the caller: a failure that is a duplicate Message-ID needs it.
      parsed.set(key, mail);
    }
    mails.push(mail);
  }
  await scope.findMessages(mails);
  const screened: [PreparedMail, Screened][] = [];
  for (const mail of mails) screened.push([mail, await screenMail(scope, mail)]);
  // Every sender's contact in one go, then whether any of them is blocked, in one go.
  const senders = screened.flatMap(([mail, s]) =>
    "sender" in s
      ? [{ workspaceId: mail.inbound.workspaceId, address: s.sender.address, name: s.sender.name }]
      : [],
  );
  await scope.loadContacts(senders);
  await scope.loadBlocked(
    senders.map((s) => ({ workspaceId: s.workspaceId, id: scope.contact(s.workspaceId, s.address).id })),
  );
  const delivered: [PreparedMail, Delivered][] = [];
  for (const [mail, s] of screened) {
    if ("outcome" in s) delivered.push([mail, s.outcome]);
    else
      delivered.push([
        mail,
        await deliverMail(scope, mail, scope.contact(mail.inbound.workspaceId, s.sender.address)),
      ]);
  }
  const finished = await finish(
    trx,
    delivered.map(([mail, outcome]) => ({ inbound: mail.inbound, outcome })),
  );
  return new Map(finished.map((f) => [slot(f.inbound.workspaceId, f.inbound.id), f.outcome]));
}

interface Finished<O = ProcessOutcome> {
  inbound: Inbound;
  outcome: O;
}

// Every mail of the batch gets its final state in one statement. A new ticket's opening message
// is found there too (createTicket returns the ticket only): the ticket's first message.
async function finish(trx: Db, finished: Finished<Delivered>[]): Promise<Finished[]> {
  const rows = finished.filter((f) => f.outcome.status !== "done");
  const out = finished.filter((f) => f.outcome.status === "done") as Finished[];
  if (rows.length === 0) return out;
  type Final = Exclude<Delivered, { status: "done" }>;
  const pick = <T>(get: (o: Final) => T) => rows.map((f) => get(f.outcome as Final));
  const { rows: updated } = await sql<{ workspace_id: number; id: number; message_id: number | null }>`
    update inbound_emails as e
    set status = v.status, reason = v.reason, ticket_id = v.ticket_id,
      message_id = coalesce(v.message_id, (select min(m.id) from messages m
        where m.workspace_id = v.workspace_id and m.ticket_id = v.ticket_id)),
      processed_at = ${new Date()}, retry_at = null
    from unnest(${rows.map((f) => f.inbound.workspaceId)}::bigint[], ${rows.map((f) => f.inbound.id)}::bigint[],
      ${pick((o) => o.status)}::text[],
      ${pick((o) => (o.status === "ignored" || o.status === "failed" ? o.reason : null))}::text[],
      ${pick((o) => (o.status === "processed" ? o.ticketId : null))}::bigint[],
      ${pick((o) => (o.status === "processed" ? o.messageId : null))}::bigint[])
      as v(workspace_id, id, status, reason, ticket_id, message_id)
    where e.workspace_id = v.workspace_id and e.id = v.id
    returning e.workspace_id, e.id, e.message_id`.execute(trx);
  const messages = new Map(updated.map((u) => [slot(u.workspace_id, u.id), u.message_id]));
  for (const f of rows) {
    const o = f.outcome as Final;
    out.push({
      inbound: f.inbound,
      outcome:
        o.status === "processed"
          ? { ...o, messageId: o.messageId ?? messages.get(slot(f.inbound.workspaceId, f.inbound.id))! }
          : o,
    });
  }
  return out;
}

async function failed(
  db: Db,
  deps: ProcessDeps,
  item: InboundItem,
  mail: PreparedMail | undefined,
  err: unknown,
): Promise<ItemResult> {
  // The same mail (Message-ID and content) reached the workspace another way (a second mailbox,
  // a concurrent run) and is already a message: that message is this mail.
  if (mail?.messageId && isDuplicateMessage(err)) {
    const outcome = await recordDuplicate(db, mail).catch((e: unknown) => e);
    if (!(outcome instanceof Error)) return { outcome: outcome as ProcessOutcome };
  }
  await recordFailure(db, item, err, deps);
  return { error: err };
}

function isDuplicateMessage(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return (
    e?.code === "23505" && (e.constraint === DUPLICATE_MESSAGE || !!e.message?.includes(DUPLICATE_MESSAGE))
  );
}

async function recordDuplicate(db: Db, mail: PreparedMail): Promise<ProcessOutcome> {
  const { inbound, messageId, digest } = mail;
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("inbound_emails")
      .select("status")
      .where("workspace_id", "=", inbound.workspaceId)
      .where("id", "=", inbound.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (row.status === "processed" || row.status === "ignored") return { status: "done" } as const;
    const existing = await trx
      .selectFrom("messages")
      .select(["id", "ticket_id"])
      .where("workspace_id", "=", inbound.workspaceId)
      .where("channel", "=", "email")
      .where("external_id", "=", messageId)
      .where((eb) => eb.or([eb("external_digest", "=", digest), eb("external_digest", "is", null)]))
      .orderBy("id")
      .limit(1)
      .executeTakeFirst();
    if (!existing) throw new Error("a message with this Message-ID exists but could not be found");
    const outcome = { status: "processed", ticketId: existing.ticket_id, messageId: existing.id } as const;
    await finish(trx, [{ inbound, outcome }]);
    return outcome;
  });
}

// Only the error's message is kept: a stack or the mail's content has no place in a status column.
function errorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, " ").slice(0, 500) || "unknown error";
}

// Failed, with the next try due after a pause that doubles with each attempt (5 s, 10 s, ... up
// to 10 minutes); after MAX_ATTEMPTS the row waits for an admin's retry.
async function recordFailure(db: Db, item: InboundItem, err: unknown, deps: ProcessDeps) {
  deps.log?.warn(
    { err: errorMessage(err), workspaceId: item.workspaceId, inboundId: item.inboundId },
    "inbound email failed",
  );
  await db
    .updateTable("inbound_emails")
    .set((eb) => ({
      status: "failed",
      reason: errorMessage(err),
      attempts: eb("attempts", "+", 1),
      retry_at: sql<Date>`now() + least(${RETRY_BASE_SECONDS} * power(2, attempts), ${RETRY_MAX_SECONDS})
        * interval '1 second'`,
    }))
    .where("workspace_id", "=", item.workspaceId)
    .where("id", "=", item.inboundId)
    .where("status", "in", ["received", "failed"])
    .execute()
    .catch(() => {});
}
