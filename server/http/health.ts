import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { databaseReachable, pendingMigrationCount } from "../db/migrate.ts";

const Health = Type.Object({
  status: Type.String(),
  checks: Type.Optional(Type.Record(Type.String(), Type.String())),
});

// Liveness says the process answers; readiness says it can do work (database up, schema current).
// Load balancers should route by readiness; a draining instance reports not ready.
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  let draining = false;
  app.addHook("preClose", async () => {
    draining = true;
  });

  app.get(
    "/healthz",
    { config: { public: true }, schema: { tags: ["health"], response: { 200: Health } } },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    { config: { public: true }, schema: { tags: ["health"], response: { 200: Health, 503: Health } } },
    async (_req, reply) => {
      const database = await databaseReachable(app.db);
      const pending = database ? await pendingMigrationCount(app.db) : -1;
      const ready = database && pending === 0 && !draining;
      reply.status(ready ? 200 : 503);
      return {
        status: ready ? "ready" : "not_ready",
        checks: {
          database: database ? "ok" : "unreachable",
          migrations: pending === 0 ? "ok" : `${pending} pending`,
          draining: draining ? "yes" : "no",
        },
      };
    },
  );
};
