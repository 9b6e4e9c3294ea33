import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { sql } from "kysely";
import { Type } from "typebox";
import { requireCan } from "../auth/permissions.ts";
import { decodeCursor } from "../tickets/queries.ts";
import { InboundPage, listInbound } from "./inbound-list.ts";

// Inbound mail that needs an admin, across every mailbox of the workspace: the admin app's "Mail
// problems" page and the count the Mailboxes page links to it by. Offered here are the waiting
// states ('failed', 'received') and 'ignored', the mail deliberately not made a ticket (a bounce,
// an auto-reply, automated mail a mailbox drops), each with its reason: partial indexes hold
// exactly those rows (inbound_emails_pending, inbound_emails_ignored), so the list and the counts
// stay cheap however much mail was processed. A mailbox's whole history, processed included, is
// GET /api/v1/mailboxes/:id/inbound.

const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(["failed", "received", "ignored"], { default: "failed" })),
    mailboxId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 52 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const Counts = Type.Object({
  failed: Type.Integer(),
  mailboxes: Type.Array(Type.Object({ mailboxId: Type.Integer(), failed: Type.Integer() })),
});

export const inboundListRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/inbound-emails",
    {
      config: { scope: "admin" },
      schema: { tags: ["email"], querystring: ListQuery, response: { 200: InboundPage } },
    },
    async (req) => {
      requireCan(req.actor, "workspace.admin");
      // A mailbox of another workspace, or none, simply matches no mail: nothing to tell apart.
      return listInbound(app.db, req.actor.workspaceId, {
        mailboxId: req.query.mailboxId,
        status: req.query.status ?? "failed",
        limit: req.query.limit ?? 50,
        before: req.query.cursor ? decodeCursor(req.query.cursor)[1] : undefined,
      });
    },
  );

  app.get(
    "/api/v1/inbound-emails/counts",
    { config: { scope: "admin" }, schema: { tags: ["email"], response: { 200: Counts } } },
    async (req) => {
      requireCan(req.actor, "workspace.admin");
      const rows = await app.db
        .selectFrom("inbound_emails")
        .select(["mailbox_id", sql<string>`count(*)`.as("failed")])
        .where("workspace_id", "=", req.actor.workspaceId)
        .where("status", "=", "failed")
        .groupBy("mailbox_id")
        .orderBy("mailbox_id")
        .execute();
      const mailboxes = rows.map((r) => ({ mailboxId: r.mailbox_id, failed: Number(r.failed) }));
      return { failed: mailboxes.reduce((sum, m) => sum + m.failed, 0), mailboxes };
    },
  );
};
