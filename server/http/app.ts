import cookie from "@fastify/cookie";
import rateLimit from "@fastify/rate-limit";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import websocket from "@fastify/websocket";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  type FastifyServerOptions,
} from "fastify";
import type { Actor, Scope } from "../auth/actor.ts";
import { authRoutes } from "../auth/routes.ts";
import { actorFromApiToken, actorFromSession, SESSION_COOKIE } from "../auth/sessions.ts";
import { tokenRoutes } from "../auth/token-routes.ts";
import { cannedResponseRoutes } from "../canned/routes.ts";
import type { Config } from "../config.ts";
import { contactRoutes } from "../contacts/routes.ts";
import type { Database$, Db } from "../db/connection.ts";
import { inboundListRoutes } from "../email/inbound-list-routes.ts";
import { inboundRoutes } from "../email/inbound-routes.ts";
import { mailboxRoutes } from "../email/mailbox-routes.ts";
import { outboundRoutes } from "../email/outbound-routes.ts";
import { bindOutbox } from "../email/outbox-settings.ts";
import type { RunningEmail } from "../email/start.ts";
import { emailTemplateRoutes } from "../email/template-routes.ts";
import { fieldRoutes } from "../fields/routes.ts";
import { attachmentRoutes } from "../files/routes.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { notificationRoutes } from "../notifications/routes.ts";
import { organizationRoutes } from "../organizations/routes.ts";
import { customerTicketRoutes } from "../organizations/ticket-routes.ts";
import { closeSocketsOnShutdown, type RealtimeOptions, realtimeRoutes } from "../realtime/routes.ts";
import { searchRoutes } from "../search/routes.ts";
import { assigneeRoutes } from "../tickets/assignee-routes.ts";
import { messageRoutes } from "../tickets/message-routes.ts";
import { ticketOperationRoutes } from "../tickets/operation-routes.ts";
import { ticketRoutes } from "../tickets/routes.ts";
import { viewRoutes } from "../views/routes.ts";
import { groupRoutes } from "../workspaces/group-routes.ts";
import { invitationRoutes } from "../workspaces/invitation-routes.ts";
import { userRoutes } from "../workspaces/user-routes.ts";
import { checkCrossOrigin } from "./cross-origin.ts";
import { isStorableDateTime } from "./dates.ts";
import { answerFrameworkError, forbidden, registerErrorHandling, unauthorized } from "./errors.ts";
import { healthRoutes } from "./health.ts";
import { checkRequestInput } from "./input-guard.ts";
import { createMetrics, type Metrics, registerMetrics } from "./metrics.ts";
import { registerOpenApi } from "./openapi.ts";
import { addSecurityHeaders } from "./security-headers.ts";
import { appIsBuilt, sendAppPage, wantsAppPage, webAppRoutes } from "./web-app.ts";

declare module "fastify" {
  interface FastifyInstance {
    db: Db;
    database: Database$;
    config: Config;
    queue: JobQueue | null;
    email: RunningEmail | null;
  }
  interface FastifyRequest {
    // Set by the auth hook on every route that is not marked public.
    actor: Actor;
  }
  interface FastifyContextConfig {
    public?: boolean;
    scope?: Scope;
    // Customers (contact sessions) may call this route; every other route refuses them before
    // it reads the request, so a new route is closed to customers until it presents for them.
    customers?: boolean;
  }
}

export interface AppOptions {
  database: Database$;
  config: Config;
  logger?: FastifyServerOptions["logger"];
  // A logger made by the caller (server/main.ts), shared with the event bus and the job queue.
  loggerInstance?: FastifyBaseLogger;
  metrics?: Metrics;
  // The websocket at /api/v1/realtime; off unless given an event bus (tests mostly do without).
  realtime?: RealtimeOptions;
  // The job queue; null in tests that run without workers (work is then done in-process).
  queue?: JobQueue | null;
  // The running email channel; without it, uploaded mail is processed before the answer.
  email?: RunningEmail | null;
  // Serve the built agent app (app/dist) at /; off in API tests.
  webApp?: boolean;
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
  "*.token",
  "accessToken",
  "*.accessToken",
  "apiKey",
  "*.apiKey",
  "secret",
  "*.secret",
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  "req.query.token",
];

// Fastify's request serializer, minus anything secret in the URL: a browser's websocket sends its
// API token as ?token=, and request logs would otherwise keep it.
export function serializeRequest(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket ? req.socket.remotePort : undefined,
  };
}

export function redactUrl(url: string) {
  return url.replace(/([?&](?:token|access_token|api_key|apikey)=)[^&#]*/gi, "$1[redacted]");
}

function loggerSettings(options: AppOptions) {
  if (options.loggerInstance) return { loggerInstance: options.loggerInstance };
  const logger = options.logger ?? false;
  if (logger === false) return { logger: false };
  const base = typeof logger === "object" ? logger : {};
  return { logger: { ...base, serializers: { ...base.serializers, req: serializeRequest } } };
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...loggerSettings(options),
    trustProxy: options.config.trustProxy,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: "x-request-id",
    frameworkErrors: answerFrameworkError,
    bodyLimit: 10 * 1024 * 1024,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: "array", allErrors: true },
      // Replaces ajv-formats' date-time, which lets through what JavaScript or PostgreSQL cannot hold.
      onCreate: (ajv) => ajv.addFormat("date-time", { type: "string", validate: isStorableDateTime }),
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate("db", options.database.db);
  app.decorate("database", options.database);
  app.decorate("config", options.config);
  app.decorate("queue", options.queue ?? null);
  app.decorate("email", options.email ?? null);
  // Ticket commands queue mail through this database: the outbox reads its settings from it.
  bindOutbox(options.database.db, {
    messageIdDomain: options.config.email.messageIdDomain,
    publicUrl: options.config.publicUrl,
    ...(options.queue ? { queue: options.queue } : {}),
  });
  app.decorateRequest("actor", null as never);

  const serveApp = options.webApp === true && appIsBuilt();
  if (options.webApp && !serveApp) {
    app.log.warn("the agent app is not built; run `npm install` or `node app/build.ts`");
  }
  registerErrorHandling(app, serveApp ? (req, reply) => wantsAppPage(req) && sendAppPage(reply) : undefined);
  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });
  app.addHook("onSend", addSecurityHeaders);
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 }, preClose: closeSocketsOnShutdown });
  registerMetrics(app, options.metrics ?? createMetrics(), options.config.metricsToken);
  await registerOpenApi(app);

  const publicOrigin = new URL(options.config.publicUrl).origin;
  app.addHook("onRequest", async (req) => {
    checkCrossOrigin(req, publicOrigin);
    const route = req.routeOptions.url;
    // The API reference pages are public: they describe the API, they expose no data.
    if (req.routeOptions.config?.public || !route || route.startsWith("/api/docs")) return;
    const actor = await authenticate(app, req.headers.authorization, req.cookies[SESSION_COOKIE]);
    const required =
      req.routeOptions.config?.scope ?? (["GET", "HEAD"].includes(req.method) ? "read" : "write");
    if (actor.type === "user" && actor.scopes && !actor.scopes.includes(required)) {
      throw forbidden(`This API token lacks the "${required}" scope.`);
    }
    if (actor.type === "contact" && !req.routeOptions.config?.customers) {
      throw forbidden("This is for the team, not for customers.");
    }
    req.actor = actor;
  });

  // Before schema validation, so what the database cannot store never reaches a handler.
  app.addHook("preValidation", async (req) => checkRequestInput(req));

  await app.register(healthRoutes);
  if (options.realtime) await app.register(realtimeRoutes, options.realtime);
  await app.register(authRoutes);
  await app.register(tokenRoutes);
  await app.register(userRoutes);
  await app.register(invitationRoutes);
  await app.register(groupRoutes);
  await app.register(contactRoutes);
  await app.register(fieldRoutes);
  await app.register(attachmentRoutes);
  await app.register(ticketRoutes);
  await app.register(assigneeRoutes);
  await app.register(messageRoutes);
  await app.register(organizationRoutes);
  await app.register(customerTicketRoutes);
  await app.register(searchRoutes);
  await app.register(viewRoutes);
  await app.register(ticketOperationRoutes);
  await app.register(mailboxRoutes);
  await app.register(emailTemplateRoutes);
  await app.register(cannedResponseRoutes);
  await app.register(inboundRoutes);
  await app.register(inboundListRoutes);
  await app.register(outboundRoutes);
  await app.register(notificationRoutes);
  if (serveApp) await app.register(webAppRoutes);
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
