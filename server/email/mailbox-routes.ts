import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requireAgent, requireCan } from "../auth/permissions.ts";
import { SecretBox } from "../auth/secret-box.ts";
import { notFound } from "../http/errors.ts";
import {
  createMailbox,
  ImapSettings,
  MailboxSettings,
  MailboxView,
  presentMailbox,
  SmtpSettings,
  updateMailbox,
} from "./mailboxes.ts";

const Params = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  address: Type.String({ format: "email", maxLength: 320 }),
  groupId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  inbound: Type.Optional(Type.Enum(["smtp", "imap", "upload"])),
  imap: Type.Optional(Type.Union([ImapSettings, Type.Null()])),
  smtp: Type.Optional(Type.Union([SmtpSettings, Type.Null()])),
  settings: Type.Optional(MailboxSettings),
};
const MailboxCreate = Type.Object(Fields, { additionalProperties: false });
const MailboxUpdate = Type.Object(
  {
    ...Fields,
    name: Type.Optional(Fields.name),
    address: Type.Optional(Fields.address),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

// Agents see the mailboxes (to pick the one a reply goes out from); only admins configure them.
export const mailboxRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const box = SecretBox.fromConfig(app.config);

  app.get(
    "/api/v1/mailboxes",
    { schema: { tags: ["email"], response: { 200: Type.Object({ data: Type.Array(MailboxView) }) } } },
    async (req) => {
      requireAgent(req.actor);
      const rows = await app.db
        .selectFrom("mailboxes")
        .selectAll()
        .where("workspace_id", "=", req.actor.workspaceId)
        .orderBy("id")
        .execute();
      return { data: rows.map(presentMailbox) };
    },
  );

  app.get(
    "/api/v1/mailboxes/:id",
    { schema: { tags: ["email"], params: Params, response: { 200: MailboxView } } },
    async (req) => {
      requireAgent(req.actor);
      const row = await app.db
        .selectFrom("mailboxes")
        .selectAll()
        .where("workspace_id", "=", req.actor.workspaceId)
        .where("id", "=", req.params.id)
        .executeTakeFirst();
      if (!row) throw notFound("mailbox");
      return presentMailbox(row);
    },
  );

  app.post(
    "/api/v1/mailboxes",
    {
      config: { scope: "admin" },
      schema: { tags: ["email"], body: MailboxCreate, response: { 201: MailboxView } },
    },
    async (req, reply) => {
      requireCan(req.actor, "workspace.admin");
      const row = await createMailbox(app.db, box, req.actor.workspaceId, req.body);
      reply.status(201);
      return presentMailbox(row);
    },
  );

  app.patch(
    "/api/v1/mailboxes/:id",
    {
      config: { scope: "admin" },
      schema: { tags: ["email"], params: Params, body: MailboxUpdate, response: { 200: MailboxView } },
    },
    async (req) => {
      requireCan(req.actor, "workspace.admin");
      return presentMailbox(await updateMailbox(app.db, box, req.actor.workspaceId, req.params.id, req.body));
    },
  );
};
