import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requireAgent } from "../auth/permissions.ts";
import { requireContact } from "../contacts/service.ts";
import { presentTicket } from "../tickets/present.ts";
import { listTickets } from "../tickets/queries.ts";
import { Id, TicketListQuery, TicketPage } from "../tickets/schemas.ts";
import { organizationById } from "./service.ts";

const HistoryQuery = Type.Omit(TicketListQuery, ["requesterId", "organizationId"], {
  additionalProperties: false,
});
const Params = Type.Object({ id: Id });

// The customer's history beside a ticket in the agent app: every ticket of the requester, or of
// their organization, across channels, as the agent may see them (group restrictions apply).
export const customerTicketRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/organizations/:id/tickets",
    {
      schema: {
        tags: ["organizations"],
        params: Params,
        querystring: HistoryQuery,
        response: { 200: TicketPage },
      },
    },
    async (req) => {
      requireAgent(req.actor);
      await organizationById(app.db, req.actor.workspaceId, req.params.id);
      const page = await listTickets(app.db, req.actor, { ...req.query, organizationId: req.params.id });
      return { data: page.rows.map(presentTicket), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/api/v1/contacts/:id/tickets",
    {
      schema: {
        tags: ["contacts"],
        params: Params,
        querystring: HistoryQuery,
        response: { 200: TicketPage },
      },
    },
    async (req) => {
      requireAgent(req.actor);
      await requireContact(app.db, req.actor.workspaceId, req.params.id);
      const page = await listTickets(app.db, req.actor, { ...req.query, requesterId: req.params.id });
      return { data: page.rows.map(presentTicket), nextCursor: page.nextCursor };
    },
  );
};
