import type { FastifyBaseLogger } from "fastify";
import nodemailer from "nodemailer";
import { systemActor } from "../auth/actor.ts";
import { SecretBox } from "../auth/secret-box.ts";
import type { Config } from "../config.ts";
import { type Database$, type Db, inTransaction } from "../db/connection.ts";
import { type FileStore, LocalFileStore } from "../files/store.ts";
import { type JobQueue, jobIdFor, type QueueDefinition } from "../jobs/queue.ts";
import { appendEvent } from "../tickets/events.ts";
import { composeMail, type OutboundRow, type OutgoingAttachment, transportOptions } from "./compose.ts";
import { type OutboundJob, outboundJobId, SEND_OUTBOUND } from "./outbox.ts";
import { bindOutbox } from "./outbox-settings.ts";

// Delivery is at least once, never knowingly twice. The row is marked "sending" (attempts + 1) in
// its own transaction before SMTP starts and "sent" after the server's 250. A crash between the
// two leaves it "sending", and the retry sends it again: SMTP has no way to ask a server whether
// it already took a message. The copy carries the same Message-ID, Date and body, so receiving
// systems and mail clients that dedupe by Message-ID show it once.

export const SEND_RETRIES: QueueDefinition = {
  retryLimit: 8,
  retryDelay: 30,
  retryBackoff: true,
  retryDelayMax: 3600,
  expireInSeconds: 300,
};

// A row "sending" for less than this belongs to an attempt that may still be talking to the
// server. Longer than the job's expiry, so a second job never overlaps a live attempt.
const SENDING_LEASE_MS = 10 * 60 * 1000;

export interface OutboundDeps {
  db: Db;
  box: SecretBox;
  fileStore: FileStore;
  relayUrl: string | null;
  log: FastifyBaseLogger;
}

export type SendResult = "sent" | "failed" | "settled" | "missing";

class AttemptInProgress extends Error {}

type SmtpError = Error & { responseCode?: number; command?: string; code?: string };

// 5xx is the receiving side saying "never": unknown user, policy refusal. Retrying only repeats
// it. A refused login is ours to fix, so it is retried while an admin corrects the credentials.
function isPermanent(err: unknown): boolean {
  const e = err as SmtpError;
  return (
    typeof e.responseCode === "number" &&
    e.responseCode >= 500 &&
    e.responseCode < 600 &&
    !/^AUTH/i.test(e.command ?? "")
  );
}

const describe = (err: unknown) => {
  const e = err as SmtpError;
  return [e.responseCode ?? e.code, e.message].filter(Boolean).join(" ").slice(0, 2000);
};

async function claim(db: Db, job: OutboundJob): Promise<OutboundRow | "settled" | "missing"> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("outbound_emails")
      .selectAll()
      .where("workspace_id", "=", job.workspaceId)
      .where("id", "=", job.outboundId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return "missing";
    if (row.status === "sent" || row.status === "failed" || row.status === "bounced") return "settled";
    if (row.status === "sending" && Date.now() - row.updated_at.getTime() < SENDING_LEASE_MS) {
      throw new AttemptInProgress(`outbound ${row.id} is being sent by another attempt`);
    }
    return trx
      .updateTable("outbound_emails")
      .set({ status: "sending", attempts: row.attempts + 1, updated_at: new Date() })
      .where("workspace_id", "=", job.workspaceId)
      .where("id", "=", job.outboundId)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

async function settle(
  db: Db,
  row: OutboundRow,
  status: "sent" | "queued" | "failed",
  lastError: string | null,
) {
  await inTransaction(db, async (trx) => {
    const now = new Date();
    // An invitation's body holds a set-password link: once the mail is out (or never will be),
    // the database keeps no usable copy of it; the token itself is stored only as a hash.
    const scrub =
      row.kind === "invitation" && status !== "queued"
        ? { body_text: "(The invitation link is not kept after sending.)", body_html: null }
        : {};
    const updated = await trx
      .updateTable("outbound_emails")
      .set({
        status,
        last_error: lastError,
        sent_at: status === "sent" ? now : null,
        updated_at: now,
        ...scrub,
      })
      .where("workspace_id", "=", row.workspace_id)
      .where("id", "=", row.id)
      // A bounce that overtook the attempt's bookkeeping keeps its word.
      .where("status", "=", "sending")
      .returning("id")
      .executeTakeFirst();
    if (!updated || status === "queued" || row.ticket_id === null) return;
    const ticket = await trx
      .selectFrom("tickets")
      .select(["id", "workspace_id", "group_id", "assignee_id", "requester_id", "organization_id"])
      .where("workspace_id", "=", row.workspace_id)
      .where("id", "=", row.ticket_id)
      .executeTakeFirstOrThrow();
    // Realtime hears of the change, so the message's delivery state updates on agents' screens.
    await appendEvent(
      trx,
      systemActor(row.workspace_id),
      ticket,
      status === "sent" ? "email.sent" : "email.failed",
      {
        outboundId: row.id,
        messageId: row.message_id,
        attempts: row.attempts,
        ...(lastError ? { error: lastError } : {}),
      },
    );
  });
}

async function attachmentsFor(deps: OutboundDeps, row: OutboundRow): Promise<OutgoingAttachment[]> {
  if (row.message_id === null || row.kind !== "reply") return [];
  const files = await deps.db
    .selectFrom("attachments")
    .select(["filename", "content_type", "storage_key"])
    .where("workspace_id", "=", row.workspace_id)
    .where("message_id", "=", row.message_id)
    .orderBy("id")
    .execute();
  const out: OutgoingAttachment[] = [];
  for (const f of files) {
    out.push({
      filename: f.filename,
      contentType: f.content_type,
      content: await deps.fileStore.get(f.storage_key),
    });
  }
  return out;
}

async function deliver(deps: OutboundDeps, row: OutboundRow, signal?: AbortSignal): Promise<string | null> {
  const mailbox = await deps.db
    .selectFrom("mailboxes")
    .select(["name", "address", "smtp", "smtp_secret"])
    .where("workspace_id", "=", row.workspace_id)
    .where("id", "=", row.mailbox_id)
    .executeTakeFirstOrThrow();
  const options = transportOptions(mailbox, deps.box, deps.relayUrl);
  if (!options) {
    throw new Error("no SMTP server: set the mailbox's SMTP settings or PARLEY_SMTP_RELAY_URL");
  }
  const attachments = await attachmentsFor(deps, row);
  const transport = nodemailer.createTransport(options);
  // An attempt pg-boss has given up on (expiry, shutdown) must stop talking to the server.
  const abort = () => transport.close();
  signal?.addEventListener("abort", abort, { once: true });
  try {
    const info = await transport.sendMail(composeMail(row, mailbox, attachments));
    const rejected = (info.rejected ?? []).map(String);
    return rejected.length ? `accepted, but refused for ${rejected.join(", ")}` : null;
  } finally {
    signal?.removeEventListener("abort", abort);
    transport.close();
    for (const a of attachments) a.content.destroy();
  }
}

// One attempt to send one row. A temporary failure puts the row back to "queued" and throws, so
// pg-boss retries with backoff; a permanent one, or the last attempt, leaves it "failed".
export async function sendOutbound(
  deps: OutboundDeps,
  job: OutboundJob,
  options: { lastAttempt: boolean; signal?: AbortSignal },
): Promise<SendResult> {
  const row = await claim(deps.db, job);
  if (row === "missing" || row === "settled") return row;
  let note: string | null;
  try {
    note = await deliver(deps, row, options.signal);
  } catch (err) {
    const reason = describe(err);
    const final = isPermanent(err) || options.lastAttempt;
    deps.log.warn(
      { workspaceId: row.workspace_id, outboundId: row.id, attempts: row.attempts, final, reason },
      "outbound email attempt failed",
    );
    await settle(deps.db, row, final ? "failed" : "queued", reason);
    if (final) return "failed";
    throw err;
  }
  await settle(deps.db, row, "sent", note);
  return "sent";
}

// Sweeps what the transaction-time enqueue may have missed: rows written while no queue was
// attached (a CLI, a test, an instance shutting down), and rows whose job ended without settling
// them (a crash during the very last attempt). Job ids make a repeated sweep harmless.
export async function sweepUnsent(db: Db, queue: JobQueue, now = new Date()): Promise<number> {
  const neverTried = new Date(now.getTime() - 60_000);
  const abandoned = new Date(now.getTime() - 2 * 3600_000);
  const rows = await db
    .selectFrom("outbound_emails")
    .select(["workspace_id", "id", "attempts", "updated_at"])
    .where("status", "in", ["queued", "sending"])
    .where((eb) =>
      eb.or([
        eb.and([eb("attempts", "=", 0), eb("created_at", "<", neverTried)]),
        eb("updated_at", "<", abandoned),
      ]),
    )
    .orderBy("created_at")
    .limit(500)
    .execute();
  for (const row of rows) {
    const job: OutboundJob = { workspaceId: row.workspace_id, outboundId: row.id };
    // An abandoned row gets one fresh job per stall, named by when it stalled.
    const id =
      row.updated_at < abandoned
        ? jobIdFor(`${SEND_OUTBOUND}:${row.workspace_id}:${row.id}:stalled:${row.updated_at.getTime()}`)
        : outboundJobId(row.workspace_id, row.id);
    await queue.enqueue(db, SEND_OUTBOUND, job, { id });
  }
  return rows.length;
}

export interface StartOutboundOptions {
  database: Database$;
  queue: JobQueue;
  config: Config;
  log: FastifyBaseLogger;
  fileStore?: FileStore;
  retry?: QueueDefinition;
  sweepIntervalMs?: number;
}

export async function startOutbound(options: StartOutboundOptions): Promise<() => Promise<void>> {
  const { database, queue, config, log } = options;
  const retry = { ...SEND_RETRIES, ...options.retry };
  await queue.declare(SEND_OUTBOUND, retry);
  const deps: OutboundDeps = {
    db: database.db,
    box: SecretBox.fromConfig(config),
    fileStore: options.fileStore ?? new LocalFileStore(config.fileStoreDir),
    relayUrl: config.email.smtpRelayUrl,
    log,
  };
  const retryLimit = retry.retryLimit ?? 0;
  await queue.registerWorker<OutboundJob>(
    SEND_OUTBOUND,
    async (data, job) => {
      await sendOutbound(deps, data, { lastAttempt: job.retryCount >= retryLimit, signal: job.signal });
    },
    // Sending waits on other people's servers: a slow or silent one (up to the 30 s greeting
    // timeout) must not hold up every other mailbox's mail.
    { concurrency: 8 },
  );
  // Mail queued through this database from now on gets its send job in its own transaction.
  const detach = bindOutbox(database.db, {
    messageIdDomain: config.email.messageIdDomain,
    publicUrl: config.publicUrl,
    queue,
  });
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    sweeping = sweepUnsent(database.db, queue).catch((err) =>
      log.error({ err }, "could not sweep unsent outbound email"),
    );
  };
  sweep();
  const timer = setInterval(sweep, options.sweepIntervalMs ?? 30_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    detach();
    await sweeping;
  };
}
