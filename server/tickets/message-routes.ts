import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { idempotent } from "../http/idempotency.ts";
import { addMessage } from "./messages.ts";
import { presentMessagesFor, presentTicketFor } from "./present-customer.ts";
import { ticketMessages } from "./queries.ts";
import { MessageCreate, MessageCreated, MessageViewFor, TicketParams } from "./schemas.ts";
import { visibleTicket } from "./service.ts";

export const messageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/tickets/:id/messages",
    {
      config: { customers: true },
      schema: {
        tags: ["messages"],
        params: TicketParams,
        response: { 200: Type.Object({ data: Type.Array(MessageViewFor) }) },
      },
    },
    async (req) => {
      await visibleTicket(app.db, req.actor, req.params.id);
      const rows = await ticketMessages(app.db, req.actor, req.params.id);
      return { data: await presentMessagesFor(app.db, req.actor, rows) };
    },
  );

  app.post(
    "/api/v1/tickets/:id/messages",
    {
      config: { customers: true },
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
        const [presented] = await presentMessagesFor(trx, req.actor, [message]);
        return { message: presented, ticket: await presentTicketFor(trx, req.actor, ticket) };
      }),
  );
};
