import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { sql } from "kysely";
import { Type } from "typebox";
import { requireCan } from "../auth/permissions.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { InboundStatus } from "../db/types.ts";
import { type FileStore, LocalFileStore } from "../files/store.ts";
import { AppError, badRequest, conflict, notFound } from "../http/errors.ts";
import { decodeCursor, encodeCursor } from "../tickets/queries.ts";
import { acceptInboundEmail } from "./accept.ts";
import { MailboxDirectory } from "./mailbox-directory.ts";
import { parseEmail } from "./parse.ts";
import { type InboundItem, type ProcessDeps, processInboundEmail } from "./process.ts";

const MailboxParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 52 }) });
const InboundParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2 ** 52 }),
  inboundId: Type.Integer({ minimum: 1, maximum: 2 ** 52 }),
});
const StatusEnum = Type.Enum(["received", "processed", "ignored", "failed"]);
const ListQuery = Type.Object(
  {
    status: Type.Optional(StatusEnum),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const Accepted = Type.Object({ id: Type.Integer(), duplicate: Type.Boolean(), status: StatusEnum });
const InboundView = Type.Object({
  id: Type.Integer(),
  mailboxId: Type.Integer(),
  source: Type.Enum(["smtp", "imap", "upload"]),
  status: StatusEnum,
  reason: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  messageIdHeader: Type.Union([Type.String(), Type.Null()]),
  from: Type.Union([Type.Object({ address: Type.String(), name: Type.String() }), Type.Null()]),
  subject: Type.String(),
  size: Type.Integer(),
  ticketId: Type.Union([Type.Integer(), Type.Null()]),
  messageId: Type.Union([Type.Integer(), Type.Null()]),
  receivedAt: Type.String({ format: "date-time" }),
  processedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});
const InboundPage = Type.Object({
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
  message_id_header: string | null;
  size: number;
  ticket_id: number | null;
  message_id: number | null;
  received_at: Date;
  processed_at: Date | null;
  head: Uint8Array;
};

// Sender and subject come from the stored header block: the list never reads or shows a body.
async function presentInbound(row: SummaryRow) {
  const head = Buffer.from(row.head.buffer, row.head.byteOffset, row.head.byteLength);
  const end = head.indexOf("\r\n\r\n") >= 0 ? head.indexOf("\r\n\r\n") : head.indexOf("\n\n");
  const headers = await parseEmail(
    Buffer.concat([head.subarray(0, end >= 0 ? end : 0), Buffer.from("\r\n\r\n")]),
  )
    .then((p) => ({ from: p.from, subject: p.subject }))
    .catch(() => ({ from: null, subject: "" }));
  return {
    id: row.id,
    mailboxId: row.mailbox_id,
    source: row.source,
    status: row.status,
    reason: row.reason,
    attempts: row.attempts,
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

async function requireMailbox(db: Db, workspaceId: number, id: number) {
  const mailbox = await db
    .selectFrom("mailboxes")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!mailbox) throw notFound("mailbox");
}

// Raw RFC 822 in over HTTP, for provider webhooks and scripts, and the admin's view of every mail
// that arrived: why one was ignored or failed, its bytes for debugging, and a retry.
export const inboundRoutes: FastifyPluginAsyncTypebox<{ store?: FileStore }> = async (app, options) => {
  const deps: ProcessDeps = {
    fileStore: options.store ?? new LocalFileStore(app.config.fileStoreDir),
    mailboxes: new MailboxDirectory(app.db),
    log: app.log,
  };
  const maxBytes = app.config.email.smtpMaxMb * 1024 * 1024;
  app.addContentTypeParser("message/rfc822", { parseAs: "buffer", bodyLimit: maxBytes }, (_req, body, done) =>
    done(null, body),
  );

  // With the email channel running, the mail goes to its pipeline and the answer says
  // "received"; without it (tests, tools) the mail is processed before answering.
  async function run(item: InboundItem): Promise<InboundStatus> {
    const { workspaceId, inboundId } = item;
    if (app.email) {
      app.email.processSoon(item);
      return "received";
    }
    const outcome = await processInboundEmail(app.db, deps, workspaceId, inboundId).catch(() => null);
    if (outcome === null) return "failed";
    return outcome.status === "done" ? currentStatus(app.db, workspaceId, inboundId) : outcome.status;
  }

  app.post(
    "/api/v1/mailboxes/:id/inbound",
    {
      bodyLimit: maxBytes,
      schema: {
        tags: ["email"],
        consumes: ["message/rfc822"],
        params: MailboxParams,
        response: { 202: Accepted },
      },
    },
    async (req, reply) => {
      requireCan(req.actor, "workspace.admin");
      const ws = req.actor.workspaceId;
      await requireMailbox(app.db, ws, req.params.id);
      if (!Buffer.isBuffer(req.body)) {
        throw new AppError(415, "unsupported_media_type", "Send the mail as message/rfc822.");
      }
      if (req.body.length === 0) throw badRequest("bad_request", "The body must be a whole RFC 822 message.");
      const accepted = await acceptInboundEmail(app.db, {
        workspaceId: ws,
        mailboxId: req.params.id,
        source: "upload",
        raw: req.body,
        envelope: { remoteAddress: req.ip },
      });
      req.log.info(
        { workspaceId: ws, inboundId: accepted.id, duplicate: accepted.duplicate },
        "mail uploaded",
      );
      const status = accepted.duplicate
        ? await currentStatus(app.db, ws, accepted.id)
        : await run({ workspaceId: ws, inboundId: accepted.id, mailboxId: req.params.id, raw: req.body });
      reply.status(202);
      return { id: accepted.id, duplicate: accepted.duplicate, status };
    },
  );

  app.get(
    "/api/v1/mailboxes/:id/inbound",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["email"],
        params: MailboxParams,
        querystring: ListQuery,
        response: { 200: InboundPage },
      },
    },
    async (req) => {
      requireCan(req.actor, "workspace.admin");
      const ws = req.actor.workspaceId;
      await requireMailbox(app.db, ws, req.params.id);
      const limit = req.query.limit ?? 50;
      let q = app.db
        .selectFrom("inbound_emails")
        .select([
          ...SUMMARY_COLUMNS,
          sql<Uint8Array>`substring(raw from 1 for ${sql.lit(HEAD_BYTES)})`.as("head"),
        ])
        .where("workspace_id", "=", ws)
        .where("mailbox_id", "=", req.params.id);
      if (req.query.status) q = q.where("status", "=", req.query.status);
      if (req.query.cursor) q = q.where("id", "<", decodeCursor(req.query.cursor)[1]);
      // Newest first: what an admin looks for is what just went wrong.
      const rows = (await q
        .orderBy("id", "desc")
        .limit(limit + 1)
        .execute()) as SummaryRow[];
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        data: await Promise.all(page.map(presentInbound)),
        nextCursor: rows.length > limit && last ? encodeCursor(last.id, last.id) : null,
      };
    },
  );

  app.get(
    "/api/v1/mailboxes/:id/inbound/:inboundId/raw",
    { config: { scope: "admin" }, schema: { tags: ["email"], params: InboundParams } },
    async (req, reply) => {
      requireCan(req.actor, "workspace.admin");
      const row = await app.db
        .selectFrom("inbound_emails")
        .select(["id", "raw"])
        .where("workspace_id", "=", req.actor.workspaceId)
        .where("mailbox_id", "=", req.params.id)
        .where("id", "=", req.params.inboundId)
        .executeTakeFirst();
      if (!row) throw notFound("inbound mail");
      req.log.info({ workspaceId: req.actor.workspaceId, inboundId: row.id }, "raw mail downloaded");
      return reply
        .header("content-type", "message/rfc822")
        .header("content-disposition", `attachment; filename="inbound-${row.id}.eml"`)
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cache-control", "private, no-store")
        .send(Buffer.from(row.raw.buffer, row.raw.byteOffset, row.raw.byteLength));
    },
  );

  app.post(
    "/api/v1/mailboxes/:id/inbound/:inboundId/retry",
    {
      config: { scope: "admin" },
      schema: { tags: ["email"], params: InboundParams, response: { 202: Accepted } },
    },
    async (req, reply) => {
      requireCan(req.actor, "workspace.admin");
      const ws = req.actor.workspaceId;
      const { id: mailboxId, inboundId } = req.params;
      await inTransaction(app.db, async (trx) => {
        const row = await trx
          .selectFrom("inbound_emails")
          .select("status")
          .where("workspace_id", "=", ws)
          .where("mailbox_id", "=", mailboxId)
          .where("id", "=", inboundId)
          .forUpdate()
          .executeTakeFirst();
        if (!row) throw notFound("inbound mail");
        if (row.status === "processed") {
          throw conflict(
            "inbound_processed",
            "This mail is already a ticket or message; there is nothing to retry.",
          );
        }
        // Ignored mail may be retried too: the sender may have been unblocked since. Back to
        // 'received', the mail is also work for the sweep, should this process stop first.
        await trx
          .updateTable("inbound_emails")
          .set({ status: "received", reason: null, processed_at: null, retry_at: null })
          .where("workspace_id", "=", ws)
          .where("id", "=", inboundId)
          .execute();
      });
      req.log.info({ workspaceId: ws, inboundId }, "inbound mail retried");
      const status = await run({ workspaceId: ws, inboundId });
      reply.status(202);
      return { id: inboundId, duplicate: false, status };
    },
  );
};

async function currentStatus(db: Db, workspaceId: number, id: number): Promise<InboundStatus> {
  const row = await db
    .selectFrom("inbound_emails")
    .select("status")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return row.status;
}
