import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { requireCan } from "../auth/permissions.ts";
import { presentOrganization } from "./present.ts";
import {
  OrganizationCreate,
  OrganizationList,
  OrganizationPage,
  OrganizationParams,
  OrganizationUpdate,
  OrganizationView,
} from "./schemas.ts";
import { createOrganization, listOrganizations, organizationById, updateOrganization } from "./service.ts";

// Organizations are customer records like contacts, so the contact permissions govern them:
// agents and admins read and write, light agents read, customers neither.
export const organizationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/organizations",
    {
      schema: { tags: ["organizations"], querystring: OrganizationList, response: { 200: OrganizationPage } },
    },
    async (req) => {
      requireCan(req.actor, "contact.read");
      const page = await listOrganizations(app.db, req.actor.workspaceId, req.query);
      return { data: page.rows.map(presentOrganization), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/api/v1/organizations/:id",
    {
      schema: { tags: ["organizations"], params: OrganizationParams, response: { 200: OrganizationView } },
    },
    async (req) => {
      requireCan(req.actor, "contact.read");
      return presentOrganization(await organizationById(app.db, req.actor.workspaceId, req.params.id));
    },
  );

  app.post(
    "/api/v1/organizations",
    { schema: { tags: ["organizations"], body: OrganizationCreate, response: { 201: OrganizationView } } },
    async (req, reply) => {
      requireCan(req.actor, "contact.write");
      const org = await createOrganization(app.db, req.actor.workspaceId, req.body);
      reply.status(201);
      return presentOrganization(org);
    },
  );

  app.patch(
    "/api/v1/organizations/:id",
    {
      schema: {
        tags: ["organizations"],
        params: OrganizationParams,
        body: OrganizationUpdate,
        response: { 200: OrganizationView },
      },
    },
    async (req) => {
      requireCan(req.actor, "contact.write");
      const org = await updateOrganization(app.db, req.actor.workspaceId, req.params.id, req.body);
      return presentOrganization(org);
    },
  );
};
