import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { badRequest } from "../http/errors.ts";
import { idempotencyClaim, idempotent, sendOutcome } from "../http/idempotency.ts";
import { TicketCreationQueue } from "./create-queue.ts";
import { presentTicket } from "./present.ts";
import { presentTicketFor, presentTicketsFor } from "./present-customer.ts";
import { listTickets, ticketEvents } from "./queries.ts";
import {
  TicketCreate,
  TicketListQuery,
  TicketPageFor,
  TicketParams,
  TicketUpdate,
  TicketView,
  TicketViewFor,
} from "./schemas.ts";
import { createTicket, updateTicket, visibleTicket } from "./service.ts";

const EventView = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  actor: Type.Object({ type: Type.String(), id: Type.Union([Type.Integer(), Type.Null()]) }),
  changes: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: "date-time" }),
});

// If-Match carries the version as an ETag ("3" or W/"3"); the body's version works too.
function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match) throw badRequest("invalid_if_match", 'If-Match must be the ticket version, e.g. "3".');
  return Number(match[1]);
}

export const ticketRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Concurrent creations are written together (group commit); see create-queue.ts.
  const creations = new TicketCreationQueue(app.db, { maxBatch: 100, log: app.log });
  app.addHook("onClose", () => creations.drain());

  app.get(
    "/api/v1/tickets",
    {
      config: { customers: true },
      schema: { tags: ["tickets"], querystring: TicketListQuery, response: { 200: TicketPageFor } },
    },
    async (req) => {
      const page = await listTickets(app.db, req.actor, req.query);
      return { data: await presentTicketsFor(app.db, req.actor, page.rows), nextCursor: page.nextCursor };
    },
  );

  app.post(
    "/api/v1/tickets",
    {
      config: { customers: true },
      schema: { tags: ["tickets"], body: TicketCreate, response: { 201: TicketViewFor } },
    },
    async (req, reply) => {
      if (TicketCreationQueue.accepts(req.actor)) {
        return sendOutcome(reply, await creations.submit(req.actor, req.body, idempotencyClaim(req)));
      }
      return idempotent(app.db, req, reply, 201, async (trx) =>
        presentTicketFor(trx, req.actor, await createTicket(trx, req.actor, req.body)),
      );
    },
  );

  app.get(
    "/api/v1/tickets/:id",
    {
      config: { customers: true },
      schema: { tags: ["tickets"], params: TicketParams, response: { 200: TicketViewFor } },
    },
    async (req, reply) => {
      const ticket = await visibleTicket(app.db, req.actor, req.params.id);
      // The version is for If-Match on edits, which customers do not make.
      if (req.actor.type !== "contact") reply.header("etag", `"${ticket.version}"`);
      return presentTicketFor(app.db, req.actor, ticket);
    },
  );

  app.patch(
    "/api/v1/tickets/:id",
    {
      schema: { tags: ["tickets"], params: TicketParams, body: TicketUpdate, response: { 200: TicketView } },
    },
    async (req, reply) => {
      const ifMatch = versionFromIfMatch(req.headers["if-match"]);
      const ticket = await updateTicket(app.db, req.actor, req.params.id, {
        ...req.body,
        version: ifMatch ?? req.body.version,
      });
      reply.header("etag", `"${ticket.version}"`);
      return presentTicket(ticket);
    },
  );

  app.get(
    "/api/v1/tickets/:id/events",
    {
      schema: {
        tags: ["tickets"],
        params: TicketParams,
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: 0 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        }),
        response: {
          200: Type.Object({
            data: Type.Array(EventView),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      await visibleTicket(app.db, req.actor, req.params.id);
      const limit = req.query.limit ?? 100;
      const rows = await ticketEvents(app.db, req.actor, req.params.id, req.query.after ?? 0, limit);
      return {
        data: rows.map((e) => ({
          id: e.id,
          type: e.type,
          actor: { type: e.actor_type, id: e.actor_id },
          changes: e.changes,
          createdAt: e.created_at.toISOString(),
        })),
        nextCursor: rows.length === limit ? String(rows.at(-1)!.id) : null,
      };
    },
  );
};
