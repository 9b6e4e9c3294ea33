import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { SearchPage, SearchQuery } from "./schemas.ts";
import { search } from "./service.ts";

export const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/search",
    {
      config: { customers: true },
      schema: { tags: ["search"], querystring: SearchQuery, response: { 200: SearchPage } },
    },
    async (req) => search(app.db, req.actor, req.query),
  );
};
