import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requireAgent, requireCan } from "../auth/permissions.ts";
import { notFound } from "../http/errors.ts";
import { readablePattern } from "../http/pattern-messages.ts";
import { createField, FIELD_COLUMNS, FIELD_KINDS, type FieldRow, updateField } from "./service.ts";

const Kind = Type.Enum(FIELD_KINDS);
const Key = Type.String({
  pattern: readablePattern(
    "^[a-z][a-z0-9_]{0,63}$",
    "must start with a lower-case letter and hold only a-z, 0-9 and _ (at most 64)",
  ),
});
const Options = Type.Array(Type.String({ maxLength: 200 }), { maxItems: 500 });
const FieldParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const FieldView = Type.Object({
  id: Type.Integer(),
  key: Type.String(),
  label: Type.String(),
  kind: Kind,
  options: Type.Array(Type.String()),
  requiredOnSolve: Type.Boolean(),
  active: Type.Boolean(),
  position: Type.Integer(),
  // Shown to the ticket's customer (portal, API); false by default: most fields are internal.
  visibleToCustomers: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
});

const FieldCreate = Type.Object(
  {
    key: Key,
    label: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Kind,
    options: Type.Optional(Options),
    requiredOnSolve: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    visibleToCustomers: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

// key and kind are accepted so a client may send back what it read; a different value is a 422.
const FieldUpdate = Type.Object(
  {
    key: Type.Optional(Key),
    kind: Type.Optional(Kind),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    options: Type.Optional(Options),
    requiredOnSolve: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    visibleToCustomers: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

const FieldList = Type.Object({ active: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

const present = (f: FieldRow) => ({
  id: f.id,
  key: f.key,
  label: f.label,
  kind: f.kind,
  options: f.options,
  requiredOnSolve: f.required_on_solve,
  active: f.active,
  position: f.position,
  visibleToCustomers: f.visible_to_customers,
  createdAt: f.created_at.toISOString(),
});

// Ticket custom field definitions. Every agent reads them (the ticket form is built from
// them); only admins define them. There is no delete: a field is deactivated, so the values
// tickets already hold keep their meaning in exports and reports.
export const fieldRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/custom-fields",
    {
      schema: {
        tags: ["custom fields"],
        querystring: FieldList,
        response: { 200: Type.Object({ data: Type.Array(FieldView) }) },
      },
    },
    async (req) => {
      requireAgent(req.actor);
      let q = app.db
        .selectFrom("custom_fields")
        .select(FIELD_COLUMNS)
        .where("workspace_id", "=", req.actor.workspaceId);
      if (req.query.active !== undefined) q = q.where("active", "=", req.query.active);
      const rows = await q.orderBy("position").orderBy("id").execute();
      return { data: rows.map(present) };
    },
  );

  app.get(
    "/api/v1/custom-fields/:id",
    { schema: { tags: ["custom fields"], params: FieldParams, response: { 200: FieldView } } },
    async (req) => {
      requireAgent(req.actor);
      const field = await app.db
        .selectFrom("custom_fields")
        .select(FIELD_COLUMNS)
        .where("workspace_id", "=", req.actor.workspaceId)
        .where("id", "=", req.params.id)
        .executeTakeFirst();
      if (!field) throw notFound("custom field");
      return present(field);
    },
  );

  app.post(
    "/api/v1/custom-fields",
    {
      config: { scope: "admin" },
      schema: { tags: ["custom fields"], body: FieldCreate, response: { 201: FieldView } },
    },
    async (req, reply) => {
      requireCan(req.actor, "workspace.admin");
      const field = await createField(app.db, req.actor.workspaceId, req.body);
      reply.status(201);
      return present(field);
    },
  );

  app.patch(
    "/api/v1/custom-fields/:id",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["custom fields"],
        params: FieldParams,
        body: FieldUpdate,
        response: { 200: FieldView },
      },
    },
    async (req) => {
      requireCan(req.actor, "workspace.admin");
      return present(await updateField(app.db, req.actor.workspaceId, req.params.id, req.body));
    },
  );
};
