import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";

// The OpenAPI document is generated from the same TypeBox schemas that validate requests,
// so it cannot drift from what the server accepts.
export async function registerOpenApi(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Parley API",
        version: "1",
        description:
          "REST API of Parley, the self-hosted support desk. Errors are application/problem+json with a stable `code` (see docs/api/errors.md).",
      },
      components: {
        securitySchemes: {
          apiToken: { type: "http", scheme: "bearer", description: "An API token (pat_...)" },
          session: { type: "apiKey", in: "cookie", name: "parley_session" },
        },
      },
      security: [{ apiToken: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: "/api/docs",
    uiConfig: { docExpansion: "list", validatorUrl: null },
  });
  app.get("/api/openapi.json", { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}
