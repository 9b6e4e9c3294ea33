import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requireCan } from "../auth/permissions.ts";
import { isTimeZone, timeZoneUnknown } from "../auth/routes.ts";
import { inTransaction } from "../db/connection.ts";
import { invalid, notFound } from "../http/errors.ts";
import { readablePattern } from "../http/pattern-messages.ts";
import { ContactView, presentContacts } from "./present.ts";
import { createContact, setContactIdentities } from "./service.ts";

const ContactParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Email = Type.String({ format: "email", maxLength: 320 });
const Phone = Type.String({
  pattern: readablePattern(
    "^\\+?[0-9 ()\\-.]{3,32}$",
    "is not a phone number: 3 to 32 digits, spaces and ( ) - ., with an optional + first",
  ),
});
const ContactFields = {
  name: Type.Optional(Type.String({ maxLength: 200 })),
  emails: Type.Optional(Type.Array(Email, { maxItems: 20 })),
  phones: Type.Optional(Type.Array(Phone, { maxItems: 20 })),
  organizationId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  locale: Type.Optional(
    Type.Union([
      Type.String({
        pattern: readablePattern(
          "^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$",
          "is not a language tag, such as en or pt-BR",
        ),
      }),
      Type.Null(),
    ]),
  ),
  timeZone: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  attributes: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown())),
};
const ContactCreate = Type.Object(ContactFields, { additionalProperties: false });
const ContactUpdate = Type.Object(
  { ...ContactFields, blocked: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
const ContactList = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    organizationId: Type.Optional(Type.Integer({ minimum: 1 })),
    // The agent app resolves the requesters of a page of tickets in one request.
    ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 2 ** 52 }), { maxItems: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ pattern: "^[0-9]{1,16}$" })),
  },
  { additionalProperties: false },
);

async function checkOrganization(
  db: import("../db/connection.ts").Db,
  workspaceId: number,
  id: number | null | undefined,
) {
  if (id === null || id === undefined) return;
  const org = await db
    .selectFrom("organizations")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!org)
    throw invalid([
      { path: "organizationId", message: `There is no organization with id ${id} in this workspace.` },
    ]);
}

function checkTimeZone(zone: string | null | undefined) {
  if (zone && !isTimeZone(zone)) throw invalid([{ path: "timeZone", message: timeZoneUnknown(zone) }]);
}

export const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/contacts",
    {
      schema: {
        tags: ["contacts"],
        querystring: ContactList,
        response: {
          200: Type.Object({
            data: Type.Array(ContactView),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      requireCan(req.actor, "contact.read");
      const limit = req.query.limit ?? 50;
      let q = app.db
        .selectFrom("contacts as c")
        .select("c.id")
        .where("c.workspace_id", "=", req.actor.workspaceId);
      if (req.query.organizationId) q = q.where("c.organization_id", "=", req.query.organizationId);
      if (req.query.ids) q = q.where("c.id", "in", req.query.ids.length ? req.query.ids : [0]);
      if (req.query.q) {
        const term = `%${req.query.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
        q = q.where((eb) =>
          eb.or([
            eb("c.name", "ilike", term),
            eb.exists(
              eb
                .selectFrom("contact_identities as i")
                .select("i.contact_id")
                .whereRef("i.workspace_id", "=", "c.workspace_id")
                .whereRef("i.contact_id", "=", "c.id")
                .where("i.value", "like", term),
            ),
          ]),
        );
      }
      if (req.query.cursor) q = q.where("c.id", "<", Number(req.query.cursor));
      const ids = (
        await q
          .orderBy("c.id", "desc")
          .limit(limit + 1)
          .execute()
      ).map((r) => r.id);
      const page = ids.slice(0, limit);
      return {
        data: await presentContacts(app.db, req.actor.workspaceId, page),
        nextCursor: ids.length > limit ? String(page.at(-1)) : null,
      };
    },
  );

  app.get(
    "/api/v1/contacts/:id",
    { schema: { tags: ["contacts"], params: ContactParams, response: { 200: ContactView } } },
    async (req) => {
      requireCan(req.actor, "contact.read");
      const [contact] = await presentContacts(app.db, req.actor.workspaceId, [req.params.id]);
      if (!contact) throw notFound("contact");
      return contact;
    },
  );

  app.post(
    "/api/v1/contacts",
    { schema: { tags: ["contacts"], body: ContactCreate, response: { 201: ContactView } } },
    async (req, reply) => {
      requireCan(req.actor, "contact.write");
      const ws = req.actor.workspaceId;
      checkTimeZone(req.body.timeZone);
      const contact = await inTransaction(app.db, async (trx) => {
        await checkOrganization(trx, ws, req.body.organizationId);
        return createContact(trx, ws, req.body);
      });
      reply.status(201);
      return (await presentContacts(app.db, ws, [contact.id]))[0];
    },
  );

  app.patch(
    "/api/v1/contacts/:id",
    {
      schema: {
        tags: ["contacts"],
        params: ContactParams,
        body: ContactUpdate,
        response: { 200: ContactView },
      },
    },
    async (req) => {
      requireCan(req.actor, "contact.write");
      const ws = req.actor.workspaceId;
      const b = req.body;
      checkTimeZone(b.timeZone);
      await inTransaction(app.db, async (trx) => {
        await checkOrganization(trx, ws, b.organizationId);
        const updated = await trx
          .updateTable("contacts")
          .set({
            name: b.name,
            organization_id: b.organizationId,
            locale: b.locale,
            time_zone: b.timeZone,
            attributes: b.attributes ? JSON.stringify(b.attributes) : undefined,
            blocked: b.blocked,
            updated_at: new Date(),
          })
          .where("workspace_id", "=", ws)
          .where("id", "=", req.params.id)
          .returning("id")
          .executeTakeFirst();
        if (!updated) throw notFound("contact");
        if (b.emails || b.phones) {
          const current = (await presentContacts(trx, ws, [req.params.id]))[0];
          await setContactIdentities(
            trx,
            ws,
            req.params.id,
            b.emails ?? current.emails,
            b.phones ?? current.phones,
          );
        }
      });
      return (await presentContacts(app.db, ws, [req.params.id]))[0];
    },
  );
};
