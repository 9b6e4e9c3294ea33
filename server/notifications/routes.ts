import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Actor, UserActor } from "../auth/actor.ts";
import { badRequest } from "../http/errors.ts";
import { listNotifications, unreadCount } from "./queries.ts";
import { markAllNotificationsRead, markNotificationsRead } from "./read.ts";
import {
  MarkReadBody,
  MarkReadResult,
  NotificationListQuery,
  NotificationPage,
  UnreadCount,
} from "./schemas.ts";

// Notifications are for agents and admins; a customer's portal session has none.
function agentOnly(actor: Actor): UserActor {
  if (actor.type !== "user") throw badRequest("not_available", "Notifications are for agents.");
  return actor;
}

const tags = ["notifications"];

export const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/notifications",
    { schema: { tags, querystring: NotificationListQuery, response: { 200: NotificationPage } } },
    async (req) => listNotifications(app.db, agentOnly(req.actor), req.query),
  );

  app.get(
    "/api/v1/notifications/unread-count",
    { schema: { tags, response: { 200: UnreadCount } } },
    async (req) => ({ unreadCount: await unreadCount(app.db, agentOnly(req.actor)) }),
  );

  app.post(
    "/api/v1/notifications/read",
    { schema: { tags, body: MarkReadBody, response: { 200: MarkReadResult } } },
    async (req) => {
      const actor = agentOnly(req.actor);
      const updated = await markNotificationsRead(app.db, actor, req.body.ids);
      return { updated, unreadCount: await unreadCount(app.db, actor) };
    },
  );

  app.post(
    "/api/v1/notifications/read-all",
    {
      schema: {
        tags,
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 200: MarkReadResult },
      },
    },
    async (req) => {
      const actor = agentOnly(req.actor);
      const updated = await markAllNotificationsRead(app.db, actor);
      return { updated, unreadCount: await unreadCount(app.db, actor) };
    },
  );
};
