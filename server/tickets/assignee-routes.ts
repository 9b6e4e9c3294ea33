import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requireAgent } from "../auth/permissions.ts";
import { assignableUsers } from "./assignees.ts";

const AssigneeQuery = Type.Object(
  {
    groupIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 2 ** 52 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);

const AssigneeView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Type.Union([Type.Literal("admin"), Type.Literal("agent")]),
});

// The people a ticket may be assigned to, by the rule in assignees.ts: the ticket page asks with
// its ticket's group, the bulk bar with the groups of the tickets selected (who may take all of
// them), and no group means a ticket in no group.
export const assigneeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/assignees",
    {
      schema: {
        tags: ["tickets"],
        querystring: AssigneeQuery,
        response: { 200: Type.Object({ data: Type.Array(AssigneeView) }) },
      },
    },
    async (req) => {
      requireAgent(req.actor);
      const users = await assignableUsers(app.db, req.actor.workspaceId, req.query.groupIds ?? []);
      return {
        data: users.map((u) => ({ id: u.id, name: u.name, role: u.role as "admin" | "agent" })),
      };
    },
  );
};
