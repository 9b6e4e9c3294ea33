import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requireCan } from "../auth/permissions.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { InboundStatus } from "../db/types.ts";
import { type FileStore, LocalFileStore } from "../files/store.ts";
import { AppError, badRequest, conflict, notFound } from "../http/errors.ts";
import { decodeCursor } from "../tickets/queries.ts";
import { acceptInboundEmail } from "./accept.ts";
import { InboundPage, InboundStatusEnum, listInbound } from "./inbound-list.ts";
import { MailboxDirectory } from "./mailbox-directory.ts";
import { type InboundItem, type ProcessDeps, processInboundEmail } from "./process.ts";

const MailboxParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 52 }) });
const InboundParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2 ** 52 }),
  inboundId: Type.Integer({ minimum: 1, maximum: 2 ** 52 }),
});
const ListQuery = Type.Object(
  {
    status: Type.Optional(InboundStatusEnum),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const Accepted = Type.Object({ id: Type.Integer(), duplicate: Type.Boolean(), status: InboundStatusEnum });

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
      // Mail uploaded here becomes tickets from any sender the caller names: as much an admin
      // power as the mailbox's settings, so a token needs the admin scope like its other routes.
      config: { scope: "admin" },
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
      return listInbound(app.db, ws, {
        mailboxId: req.params.id,
        status: req.query.status,
        limit: req.query.limit ?? 50,
        before: req.query.cursor ? decodeCursor(req.query.cursor)[1] : undefined,
      });
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
