import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requireAgent, requireCan } from "../auth/permissions.ts";
import { notFound } from "../http/errors.ts";
import { createGroup, deleteGroup } from "./service.ts";

const GroupView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
});
const GroupBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
const GroupParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const present = (g: { id: number; name: string; description: string; created_at: Date }) => ({
  id: g.id,
  name: g.name,
  description: g.description,
  createdAt: g.created_at.toISOString(),
});

export const groupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/groups",
    { schema: { tags: ["groups"], response: { 200: Type.Object({ data: Type.Array(GroupView) }) } } },
    async (req) => {
      requireAgent(req.actor);
      const rows = await app.db
        .selectFrom("groups")
        .select(["id", "name", "description", "created_at"])
        .where("workspace_id", "=", req.actor.workspaceId)
        .orderBy("name")
        .execute();
      return { data: rows.map(present) };
    },
  );

  app.post(
    "/api/v1/groups",
    {
      config: { scope: "admin" },
      schema: { tags: ["groups"], body: GroupBody, response: { 201: GroupView } },
    },
    async (req, reply) => {
      requireCan(req.actor, "workspace.admin");
      const group = await createGroup(
        app.db,
        req.actor.workspaceId,
        req.body.name.trim(),
        req.body.description ?? "",
      );
      reply.status(201);
      return present(group);
    },
  );

  app.patch(
    "/api/v1/groups/:id",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["groups"],
        params: GroupParams,
        body: Type.Partial(GroupBody, { additionalProperties: false, minProperties: 1 }),
        response: { 200: GroupView },
      },
    },
    async (req) => {
      requireCan(req.actor, "workspace.admin");
      const group = await app.db
        .updateTable("groups")
        .set({ name: req.body.name?.trim(), description: req.body.description })
        .where("workspace_id", "=", req.actor.workspaceId)
        .where("id", "=", req.params.id)
        .returning(["id", "name", "description", "created_at"])
        .executeTakeFirst();
      if (!group) throw notFound("group");
      return present(group);
    },
  );

  app.delete(
    "/api/v1/groups/:id",
    {
      config: { scope: "admin" },
      schema: { tags: ["groups"], params: GroupParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      requireCan(req.actor, "workspace.admin");
      await deleteGroup(app.db, req.actor.workspaceId, req.params.id);
      reply.status(204);
      return null;
    },
  );
};
