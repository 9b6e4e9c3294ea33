import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "typebox";
import { requireAgent } from "../auth/permissions.ts";
import { presentTicket } from "../tickets/present.ts";
import { TicketPage } from "../tickets/schemas.ts";
import {
  ViewCreate,
  ViewParams,
  ViewPreviewQuery,
  type ViewSort,
  ViewTicketsQuery,
  ViewUpdate,
  ViewView,
} from "./schemas.ts";
import {
  countViewTickets,
  createView,
  deleteView,
  updateView,
  type ViewRow,
  viewsFor,
  viewTickets,
  visibleView,
} from "./service.ts";

type ViewSortField = Static<typeof ViewSort>["field"];

function presentView(v: ViewRow, count: { count: number; capped: boolean }) {
  return {
    id: v.id,
    name: v.name,
    shared: v.owner_user_id === null,
    ownerId: v.owner_user_id,
    filters: v.filters,
    sort: { field: v.sort.field as ViewSortField, direction: v.sort.direction },
    columns: v.columns,
    position: v.position,
    count: count.count,
    countCapped: count.capped,
    createdAt: v.created_at.toISOString(),
    updatedAt: v.updated_at.toISOString(),
  };
}

// Saved views are the agent's inbox: customers (the portal) have none.
export const viewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/views",
    { schema: { tags: ["views"], response: { 200: Type.Object({ data: Type.Array(ViewView) }) } } },
    async (req) => {
      const actor = req.actor;
      requireAgent(actor);
      const views = await viewsFor(app.db, actor);
      const counts = await Promise.all(views.map((v) => countViewTickets(app.db, actor, v)));
      return { data: views.map((v, i) => presentView(v, counts[i])) };
    },
  );

  app.get(
    "/api/v1/views/:id",
    { schema: { tags: ["views"], params: ViewParams, response: { 200: ViewView } } },
    async (req) => {
      const actor = req.actor;
      requireAgent(actor);
      const view = await visibleView(app.db, actor, req.params.id);
      return presentView(view, await countViewTickets(app.db, actor, view));
    },
  );

  app.post(
    "/api/v1/views",
    { schema: { tags: ["views"], body: ViewCreate, response: { 201: ViewView } } },
    async (req, reply) => {
      const actor = req.actor;
      requireAgent(actor);
      const view = await createView(app.db, actor, req.body);
      reply.status(201);
      return presentView(view, await countViewTickets(app.db, actor, view));
    },
  );

  app.patch(
    "/api/v1/views/:id",
    { schema: { tags: ["views"], params: ViewParams, body: ViewUpdate, response: { 200: ViewView } } },
    async (req) => {
      const actor = req.actor;
      requireAgent(actor);
      const view = await updateView(app.db, actor, req.params.id, req.body);
      return presentView(view, await countViewTickets(app.db, actor, view));
    },
  );

  app.delete("/api/v1/views/:id", { schema: { tags: ["views"], params: ViewParams } }, async (req, reply) => {
    const actor = req.actor;
    requireAgent(actor);
    await deleteView(app.db, actor, req.params.id);
    reply.status(204).send();
  });

  app.get(
    "/api/v1/views/preview/tickets",
    { schema: { tags: ["views"], querystring: ViewPreviewQuery, response: { 200: TicketPage } } },
    async (req) => {
      const actor = req.actor;
      requireAgent(actor);
      const { sort, direction, limit, cursor, ...filters } = req.query;
      const page = await viewTickets(
        app.db,
        actor,
        { filters, sort: { field: "updated_at", direction: "desc" } },
        { sort, direction, limit, cursor },
      );
      return { data: page.rows.map(presentTicket), nextCursor: page.nextCursor };
    },
  );
  app.get(
    "/api/v1/views/:id/tickets",
    {
      schema: {
        tags: ["views"],
        params: ViewParams,
        querystring: ViewTicketsQuery,
        response: { 200: TicketPage },
      },
    },
    async (req) => {
      const actor = req.actor;
      requireAgent(actor);
      const view = await visibleView(app.db, actor, req.params.id);
      const page = await viewTickets(app.db, actor, view, req.query);
      return { data: page.rows.map(presentTicket), nextCursor: page.nextCursor };
    },
  );
};
