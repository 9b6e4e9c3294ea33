import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Actor } from "../auth/actor.ts";
import { idempotent } from "../http/idempotency.ts";
import { addMessage } from "./messages.ts";
import { presentMessages, presentTicket } from "./present.ts";
import { ticketMessages } from "./queries.ts";
import { MessageCreate, MessageCreated, MessageView, TicketParams } from "./schemas.ts";
import { visibleTicket } from "./service.ts";

// A delivery error names mail servers and settings: it is for the team, not for customers.
const visibleDelivery = <T extends { delivery: unknown }>(actor: Actor, m: T): T =>
  actor.type === "user" ? m : { ...m, delivery: null };

export const messageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/tickets/:id/messages",
    {
      schema: {
        tags: ["messages"],
        params: TicketParams,
        response: { 200: Type.Object({ data: Type.Array(MessageView) }) },
      },
    },
    async (req) => {
      await visibleTicket(app.db, req.actor, req.params.id);
      const rows = await ticketMessages(app.db, req.actor, req.params.id);
      const data = await presentMessages(app.db, req.actor.workspaceId, rows);
      return { data: data.map((m) => visibleDelivery(req.actor, m)) };
    },
  );

  app.post(
    "/api/v1/tickets/:id/messages",
    {
      schema: {
        tags: ["messages"],
        params: TicketParams,
        body: MessageCreate,
        response: { 201: MessageCreated },
      },
    },
    async (req, reply) =>
      idempotent(app.db, req, reply, 201, async (trx) => {
        const { message, ticket } = await addMessage(trx, req.actor, req.params.id, req.body);
        const [presented] = await presentMessages(trx, req.actor.workspaceId, [message]);
        return { message: visibleDelivery(req.actor, presented), ticket: presentTicket(ticket) };
      }),
  );
};
