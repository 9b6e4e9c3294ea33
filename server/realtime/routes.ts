import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { Value } from "typebox/value";
import type { WebSocket } from "ws";
import type { Actor } from "../auth/actor.ts";
import { actorFromApiToken, actorFromSession, SESSION_COOKIE } from "../auth/sessions.ts";
import { AppError } from "../http/errors.ts";
import type { Metrics } from "../http/metrics.ts";
import { presentUser } from "../workspaces/users.ts";
import type { EventBus } from "./bus.ts";
import { CLOSE_SESSION_ENDED, type Connection, RealtimeHub, send } from "./hub.ts";

export interface RealtimeOptions {
  bus: EventBus;
  metrics?: Metrics;
}

// Close codes a client acts on: 4401 sign in again, 4403 wrong origin, 1001 reconnect elsewhere.
export const CLOSE_UNAUTHORIZED = CLOSE_SESSION_ENDED;
export const CLOSE_FORBIDDEN_ORIGIN = 4403;
export const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;

const HEARTBEAT_MS = 30_000;
// A change of rights re-checks the sockets it affects at once (hub.ts, refresh); this periodic
// check is the backstop for what no trigger announces, such as a session running out.
const REAUTH_EVERY_BEATS = 2;
const MAX_MESSAGE_BYTES = 4096;
// Token bucket per connection: bursts of typing indicators pass, a flood does not.
const BUCKET_SIZE = 30;
const REFILL_PER_SECOND = 5;
const MAX_DROPPED = 200;

const PresenceMessage = Type.Object({
  type: Type.Literal("presence"),
  ticketId: Type.Integer({ minimum: 1, maximum: 2 ** 52 }),
  state: Type.Enum(["viewing", "typing", "left"]),
});
const PingMessage = Type.Object({ type: Type.Literal("ping") });

export const realtimeRoutes: FastifyPluginAsyncTypebox<RealtimeOptions> = async (app, options) => {
  const hub = new RealtimeHub(options.bus, app.db, app.log, options.metrics ?? null);
  hub.start();
  let beats = 0;
  const heartbeat = setInterval(() => {
    beats += 1;
    for (const conn of hub.connections) {
      // No pong since the last ping: the peer is gone without a close frame.
      if (!conn.alive) {
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
    }
    if (beats % REAUTH_EVERY_BEATS === 0) {
      for (const conn of hub.connections) void hub.refresh(conn);
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  app.addHook("onClose", async () => {
    clearInterval(heartbeat);
    await hub.stop();
  });

  app.get(
    "/api/v1/realtime",
    {
      websocket: true,
      // Authentication happens after the upgrade, so a browser (which cannot read the status of
      // a refused upgrade) learns why it was turned away from the close code.
      config: { public: true },
      schema: {
        tags: ["realtime"],
        summary: "Websocket: ticket events and presence (see docs/operations.md)",
        querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) }),
      },
    },
    (socket, req) => {
      const inbox: string[] = [];
      const dispatch = (c: Connection, text: string) => {
        handleMessage(hub, c, text).catch((err) => {
          req.log.error({ err }, "realtime message failed");
          send(c, { type: "error", code: "internal", message: "Something went wrong." });
        });
      };
      let conn: Connection | null = null;
      const bucket = { tokens: BUCKET_SIZE, at: Date.now(), dropped: 0, warnedAt: 0 };
      // Listeners go on at once: messages that arrive while authentication runs wait in the inbox.
      socket.on("message", (data: Buffer, isBinary: boolean) => {
        if (isBinary || data.length > MAX_MESSAGE_BYTES) {
          socket.close(CLOSE_POLICY, "messages are JSON text up to 4 kB");
          return;
        }
        if (!takeToken(bucket)) {
          if (++bucket.dropped > MAX_DROPPED) socket.close(CLOSE_POLICY, "too many messages");
          else if (Date.now() - bucket.warnedAt > 1000) {
            bucket.warnedAt = Date.now();
            socket.send(JSON.stringify({ type: "error", code: "rate_limited", message: "Slow down." }));
          }
          return;
        }
        bucket.dropped = 0;
        if (conn) dispatch(conn, data.toString("utf8"));
        else inbox.push(data.toString("utf8"));
      });
      socket.on("pong", () => {
        if (conn) conn.alive = true;
      });
      let closed = false;
      socket.on("close", () => {
        closed = true;
        if (conn) void hub.remove(conn);
      });

      void (async () => {
        const auth = await authenticateSocket(app, req);
        if (closed) return;
        if (auth === "forbidden_origin") return socket.close(CLOSE_FORBIDDEN_ORIGIN, "origin not allowed");
        if (!auth) return socket.close(CLOSE_UNAUTHORIZED, "unauthorized");
        conn = await openConnection(app, socket, auth);
        if (closed) return;
        hub.add(conn);
        req.log.info({ workspaceId: conn.actor.workspaceId, connectionId: conn.id }, "realtime connected");
        send(conn, { type: "ready", actor: actorSummary(conn.actor) });
        for (const text of inbox.splice(0)) dispatch(conn, text);
      })().catch((err) => {
        req.log.error({ err }, "realtime connection failed");
        socket.close(1011, "internal error");
      });
    },
  );
};

async function openConnection(
  app: FastifyInstance,
  socket: WebSocket,
  auth: SocketAuth,
): Promise<Connection> {
  const { actor } = auth;
  const user = actor.type === "user" ? await presentUser(app.db, actor.workspaceId, actor.userId) : null;
  return {
    id: crypto.randomUUID(),
    socket,
    actor,
    user: user ? { id: user.id, name: user.name } : null,
    presence: new Map(),
    alive: true,
    resolveActor: auth.again,
    refreshing: null,
  };
}

function actorSummary(actor: Actor) {
  if (actor.type === "user") return { type: "user", id: actor.userId };
  if (actor.type === "contact") return { type: "contact", id: actor.contactId };
  return { type: "system", id: null };
}

type SocketAuth = { actor: Actor; again: () => Promise<Actor | null> };

// The same credentials as the REST API: an API token (Authorization header, or ?token= because a
// browser's WebSocket cannot set headers) or the session cookie. A cookie rides along on
// cross-site requests too, so with a cookie the Origin must be Parley's own.
async function authenticateSocket(app: FastifyInstance, req: FastifyRequest) {
  const header = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
  const apiToken = header ?? (req.query as { token?: string }).token;
  if (apiToken) {
    const again = async () => {
      const actor = await actorFromApiToken(app.db, apiToken);
      if (!actor || (actor.type === "user" && actor.scopes && !actor.scopes.includes("read"))) return null;
      return actor;
    };
    const actor = await again();
    return actor ? ({ actor, again } satisfies SocketAuth) : null;
  }
  const cookie = req.cookies[SESSION_COOKIE];
  if (!cookie) return null;
  const origin = req.headers.origin;
  if (origin && origin !== new URL(app.config.publicUrl).origin) return "forbidden_origin" as const;
  const again = () => actorFromSession(app.db, cookie);
  const actor = await again();
  return actor ? ({ actor, again } satisfies SocketAuth) : null;
}

function takeToken(bucket: { tokens: number; at: number }) {
  const now = Date.now();
  bucket.tokens = Math.min(BUCKET_SIZE, bucket.tokens + ((now - bucket.at) / 1000) * REFILL_PER_SECOND);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

async function handleMessage(hub: RealtimeHub, conn: Connection, text: string) {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return send(conn, { type: "error", code: "invalid_message", message: "Messages are JSON objects." });
  }
  if (Value.Check(PingMessage, message)) return send(conn, { type: "pong" });
  if (!Value.Check(PresenceMessage, message)) {
    return send(conn, {
      type: "error",
      code: "invalid_message",
      message:
        'Send {"type":"presence","ticketId":<id>,"state":"viewing"|"typing"|"left"} or {"type":"ping"}.',
    });
  }
  if (conn.actor.type !== "user") {
    return send(conn, { type: "error", code: "not_available", message: "Presence is for agents." });
  }
  try {
    await hub.setPresence(conn, message.ticketId, message.state);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) {
      return send(conn, {
        type: "error",
        code: "not_found",
        ticketId: message.ticketId,
        message: err.message,
      });
    }
    throw err;
  }
}

// Registered as @fastify/websocket's preClose: on shutdown every socket is told 1001 (going away)
// so clients reconnect, through the load balancer, to an instance that is staying.
export function closeSocketsOnShutdown(this: FastifyInstance, done: () => void) {
  for (const client of this.websocketServer.clients) client.close(CLOSE_GOING_AWAY, "server shutting down");
  this.websocketServer.close();
  done();
}
