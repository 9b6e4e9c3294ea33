import cookie from "@fastify/cookie";
import rateLimit from "@fastify/rate-limit";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { Actor, Scope } from "../auth/actor.ts";
import { authRoutes } from "../auth/routes.ts";
import { actorFromApiToken, actorFromSession, SESSION_COOKIE } from "../auth/sessions.ts";
import { tokenRoutes } from "../auth/token-routes.ts";
import type { Config } from "../config.ts";
import { contactRoutes } from "../contacts/routes.ts";
import type { Database$, Db } from "../db/connection.ts";
import { fieldRoutes } from "../fields/routes.ts";
import { attachmentRoutes } from "../files/routes.ts";
import { messageRoutes } from "../tickets/message-routes.ts";
import { ticketOperationRoutes } from "../tickets/operation-routes.ts";
import { ticketRoutes } from "../tickets/routes.ts";
import { groupRoutes } from "../workspaces/group-routes.ts";
import { userRoutes } from "../workspaces/user-routes.ts";
import { forbidden, registerErrorHandling, unauthorized } from "./errors.ts";
import { healthRoutes } from "./health.ts";
import { registerOpenApi } from "./openapi.ts";

declare module "fastify" {
  interface FastifyInstance {
    db: Db;
    database: Database$;
    config: Config;
  }
  interface FastifyRequest {
    // Set by the auth hook on every route that is not marked public.
    actor: Actor;
  }
  interface FastifyContextConfig {
    public?: boolean;
    scope?: Scope;
  }
}

export interface AppOptions {
  database: Database$;
  config: Config;
  logger?: FastifyServerOptions["logger"];
}

export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "password",
  "*.password",
  "currentPassword",
  "newPassword",
  "token",
];

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.config.trustProxy,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: "x-request-id",
    bodyLimit: 10 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate("db", options.database.db);
  app.decorate("database", options.database);
  app.decorate("config", options.config);
  app.decorateRequest("actor", null as never);

  registerErrorHandling(app);
  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await registerOpenApi(app);

  app.addHook("onRequest", async (req) => {
    const route = req.routeOptions.url;
    // The API reference pages are public: they describe the API, they expose no data.
    if (req.routeOptions.config?.public || !route || route.startsWith("/api/docs")) return;
    const actor = await authenticate(app, req.headers.authorization, req.cookies[SESSION_COOKIE]);
    const required =
      req.routeOptions.config?.scope ?? (["GET", "HEAD"].includes(req.method) ? "read" : "write");
    if (actor.type === "user" && actor.scopes && !actor.scopes.includes(required)) {
      throw forbidden(`This API token lacks the "${required}" scope.`);
    }
    req.actor = actor;
  });

  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(tokenRoutes);
  await app.register(userRoutes);
  await app.register(groupRoutes);
  await app.register(contactRoutes);
  await app.register(fieldRoutes);
  await app.register(attachmentRoutes);
  await app.register(ticketRoutes);
  await app.register(messageRoutes);
  await app.register(ticketOperationRoutes);
  return app;
}

async function authenticate(app: FastifyInstance, authorization: string | undefined, cookieToken?: string) {
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw unauthorized("Authorization must be 'Bearer <API token>'.");
    const actor = await actorFromApiToken(app.db, match[1]);
    if (!actor) throw unauthorized("The API token is unknown, expired or revoked.");
    return actor;
  }
  if (cookieToken) {
    const actor = await actorFromSession(app.db, cookieToken);
    if (!actor) throw unauthorized("Your session has ended. Sign in again.");
    return actor;
  }
  throw unauthorized();
}
