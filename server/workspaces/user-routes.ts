import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requireAgent, requireCan } from "../auth/permissions.ts";
import { isTimeZone, timeZoneUnknown } from "../auth/routes.ts";
import { inTransaction } from "../db/connection.ts";
import { invalid, notFound } from "../http/errors.ts";
import { InvitationView, presentInvitation } from "./invitation-routes.ts";
import { inviteUser } from "./invitations.ts";
import { createUser, setUserGroups } from "./service.ts";
import { presentUser, presentUsers, UserView } from "./users.ts";

const Role = Type.Union([Type.Literal("admin"), Type.Literal("agent"), Type.Literal("light_agent")]);
const Access = Type.Union([Type.Literal("all"), Type.Literal("groups")]);
const UserParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const UserCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ format: "email", maxLength: 320 }),
    role: Role,
    password: Type.Optional(Type.String({ minLength: 10, maxLength: 1024 })),
    ticketAccess: Type.Optional(Access),
    groupIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 200 })),
    timeZone: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
const UserUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    role: Type.Optional(Role),
    ticketAccess: Type.Optional(Access),
    groupIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 200 })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

const CreatedUserView = Type.Object({ ...UserView.properties, invitation: Type.Optional(InvitationView) });

// Agents see the team (to assign and @mention); only admins add, change or deactivate people.
export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/users",
    { schema: { tags: ["users"], response: { 200: Type.Object({ data: Type.Array(UserView) }) } } },
    async (req) => {
      requireAgent(req.actor);
      const ids = await app.db
        .selectFrom("users")
        .select("id")
        .where("workspace_id", "=", req.actor.workspaceId)
        .execute();
      return {
        data: await presentUsers(
          app.db,
          req.actor.workspaceId,
          ids.map((u) => u.id),
        ),
      };
    },
  );

  app.get(
    "/api/v1/users/:id",
    { schema: { tags: ["users"], params: UserParams, response: { 200: UserView } } },
    async (req) => {
      requireAgent(req.actor);
      const user = await presentUser(app.db, req.actor.workspaceId, req.params.id);
      if (!user) throw notFound("user");
      return user;
    },
  );

  app.post(
    "/api/v1/users",
    {
      config: { scope: "admin" },
      schema: { tags: ["users"], body: UserCreate, response: { 201: CreatedUserView } },
    },
    async (req, reply) => {
      requireCan(req.actor, "workspace.admin");
      if (req.body.timeZone && !isTimeZone(req.body.timeZone)) {
        throw invalid([{ path: "timeZone", message: timeZoneUnknown(req.body.timeZone) }]);
      }
      const actor = req.actor;
      requireAgent(actor);
      const ws = actor.workspaceId;
      // Without a password the new agent is invited to choose one, in the same transaction: an
      // account nobody can reach is not left behind when the invitation cannot be written.
      const { user, invitation } = await inTransaction(app.db, async (trx) => {
        await checkGroups(trx, ws, req.body.groupIds ?? []);
        const user = await createUser(trx, ws, req.body);
        const invitation = req.body.password
          ? undefined
          : presentInvitation(
              await inviteUser(trx, actor, user.id, {
                publicUrl: app.config.publicUrl,
                relayUrl: app.config.email.smtpRelayUrl,
              }),
            );
        return { user, invitation };
      });
      reply.status(201);
      return { ...(await presentUser(app.db, ws, user.id)), ...(invitation ? { invitation } : {}) };
    },
  );

  app.patch(
    "/api/v1/users/:id",
    {
      config: { scope: "admin" },
      schema: { tags: ["users"], params: UserParams, body: UserUpdate, response: { 200: UserView } },
    },
    async (req) => {
      const actor = req.actor;
      requireCan(actor, "workspace.admin");
      requireAgent(actor);
      if (
        req.params.id === actor.userId &&
        (req.body.active === false || (req.body.role && req.body.role !== "admin"))
      ) {
        throw invalid([
          {
            path: req.body.active === false ? "active" : "role",
            message: "You cannot demote or deactivate yourself; ask another admin to do it.",
          },
        ]);
      }
      await inTransaction(app.db, async (trx) => {
        const updated = await trx
          .updateTable("users")
          .set({
            name: req.body.name,
            role: req.body.role,
            ticket_access: req.body.ticketAccess,
            active: req.body.active,
            updated_at: new Date(),
          })
          .where("workspace_id", "=", actor.workspaceId)
          .where("id", "=", req.params.id)
          .returning("id")
          .executeTakeFirst();
        if (!updated) throw notFound("user");
        if (req.body.groupIds) {
          await checkGroups(trx, actor.workspaceId, req.body.groupIds);
          await setUserGroups(trx, actor.workspaceId, req.params.id, req.body.groupIds);
        }
        // A deactivated agent is signed out everywhere at once.
        if (req.body.active === false) {
          await trx
            .deleteFrom("sessions")
            .where("workspace_id", "=", actor.workspaceId)
            .where("user_id", "=", req.params.id)
            .execute();
        }
      });
      return presentUser(app.db, actor.workspaceId, req.params.id);
    },
  );
};

async function checkGroups(db: import("../db/connection.ts").Db, workspaceId: number, groupIds: number[]) {
  if (groupIds.length === 0) return;
  const found = await db
    .selectFrom("groups")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "in", groupIds)
    .execute();
  if (found.length !== new Set(groupIds).size)
    throw invalid([
      { path: "groupIds", message: "One of the groups chosen does not exist in this workspace." },
    ]);
}
