import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requireAgent, requireCan } from "../auth/permissions.ts";
import {
  type CannedResponseRow,
  cannedResponse,
  cannedResponses,
  createCannedResponse,
  deleteCannedResponse,
  updateCannedResponse,
} from "./service.ts";

const Params = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 52 }) });
const Title = Type.String({ minLength: 1, maxLength: 200 });
const Body = Type.String({ minLength: 1, maxLength: 20_000 });

const CannedResponseView = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  body: Type.String(),
  updatedByUserId: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});

const CannedResponseCreate = Type.Object({ title: Title, body: Body }, { additionalProperties: false });
const CannedResponseUpdate = Type.Object(
  { title: Type.Optional(Title), body: Type.Optional(Body) },
  { additionalProperties: false, minProperties: 1 },
);
const CannedResponseList = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);

const present = (c: CannedResponseRow) => ({
  id: c.id,
  title: c.title,
  body: c.body,
  updatedByUserId: c.updated_by_user_id,
  createdAt: c.created_at.toISOString(),
  updatedAt: c.updated_at.toISOString(),
});

// Canned responses: every agent (light agents too, for notes) reads and inserts them; admins
// write them. Bodies keep their {{placeholders}}; the agent app fills them in on insert.
export const cannedResponseRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/canned-responses",
    {
      schema: {
        tags: ["canned responses"],
        querystring: CannedResponseList,
        response: { 200: Type.Object({ data: Type.Array(CannedResponseView) }) },
      },
    },
    async (req) => {
      requireAgent(req.actor);
      const rows = await cannedResponses(app.db, req.actor.workspaceId, req.query.q, req.query.limit ?? 100);
      return { data: rows.map(present) };
    },
  );

  app.get(
    "/api/v1/canned-responses/:id",
    { schema: { tags: ["canned responses"], params: Params, response: { 200: CannedResponseView } } },
    async (req) => {
      requireAgent(req.actor);
      return present(await cannedResponse(app.db, req.actor.workspaceId, req.params.id));
    },
  );

  app.post(
    "/api/v1/canned-responses",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["canned responses"],
        body: CannedResponseCreate,
        response: { 201: CannedResponseView },
      },
    },
    async (req, reply) => {
      requireAgent(req.actor);
      requireCan(req.actor, "workspace.admin");
      const row = await createCannedResponse(app.db, req.actor, req.body);
      reply.status(201);
      return present(row);
    },
  );

  app.patch(
    "/api/v1/canned-responses/:id",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["canned responses"],
        params: Params,
        body: CannedResponseUpdate,
        response: { 200: CannedResponseView },
      },
    },
    async (req) => {
      requireAgent(req.actor);
      requireCan(req.actor, "workspace.admin");
      return present(await updateCannedResponse(app.db, req.actor, req.params.id, req.body));
    },
  );

  app.delete(
    "/api/v1/canned-responses/:id",
    {
      config: { scope: "admin" },
      schema: { tags: ["canned responses"], params: Params, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      requireAgent(req.actor);
      requireCan(req.actor, "workspace.admin");
      await deleteCannedResponse(app.db, req.actor, req.params.id);
      reply.status(204);
      return null;
    },
  );
};
