import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { sql } from "kysely";
import { Type } from "typebox";
import { AppError, invalid, notFound, unauthorized } from "../http/errors.ts";
import { presentUser, UserView } from "../workspaces/users.ts";
import { clientNetwork, failureThrottle, throttle } from "./login-throttle.ts";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./secrets.ts";
import { createUserSession, endOtherSessions, endSession, SESSION_COOKIE } from "./sessions.ts";

const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    workspaceId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const PasswordBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    newPassword: Type.String({ minLength: 10, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

const MeUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    signature: Type.Optional(Type.String({ maxLength: 10_000 })),
    availability: Type.Optional(
      Type.Union([Type.Literal("online"), Type.Literal("away"), Type.Literal("offline")]),
    ),
  },
  { additionalProperties: false },
);

export const timeZoneUnknown = (zone: string) =>
  `${zone} is not a time zone Parley knows; use an IANA name such as Europe/Berlin.`;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const failuresPerAddress = failureThrottle(app.db, {
    name: "login-ip",
    max: app.config.loginIpFailureLimit,
    windowMs: 15 * 60_000,
    key: (req) => clientNetwork(req.ip),
  });
  app.post(
    "/api/v1/auth/login",
    {
      config: { public: true },
      // Counted per address and email once the body is parsed (before, the email is not known
      // and every address tried from one IP would share a counter), in the database so that all
      // instances share the count; and, across emails, the failures per address.
      preValidation: [
        failuresPerAddress.preValidation,
        throttle(app.db, {
          name: "login",
          max: app.config.loginRateLimit,
          windowMs: 60_000,
          key: (req) => `${req.ip}|${String((req.body as { email?: string })?.email ?? "").toLowerCase()}`,
        }),
      ],
      onSend: failuresPerAddress.onSend,
      schema: { tags: ["auth"], body: LoginBody, response: { 200: UserView } },
    },
    async (req, reply) => {
      let q = app.db
        .selectFrom("users")
        .select(["id", "workspace_id", "password_hash", "active"])
        .where(sql`lower(email)`, "=", req.body.email.toLowerCase());
      if (req.body.workspaceId) q = q.where("workspace_id", "=", req.body.workspaceId);
      const candidates = await q.limit(2).execute();
      if (candidates.length > 1) {
        throw new AppError(
          409,
          "workspace_required",
          "This email belongs to several workspaces; send workspaceId.",
        );
      }
      const user = candidates[0];
      if (!user?.password_hash) {
        await burnPasswordCheck(req.body.password);
        throw unauthorized("Email or password is wrong.");
      }
      if (!(await verifyPassword(user.password_hash, req.body.password)) || !user.active) {
        throw unauthorized("Email or password is wrong.");
      }
      const token = await createUserSession(app.db, user.workspace_id, user.id, app.config.sessionTtlHours);
      reply.setCookie(SESSION_COOKIE, token, {
        path: "/",
        httpOnly: true,
        sameSite: "lax",
        secure: app.config.cookieSecure,
        maxAge: app.config.sessionTtlHours * 3600,
      });
      req.log.info({ userId: user.id, workspaceId: user.workspace_id }, "user signed in");
      return presentUser(app.db, user.workspace_id, user.id);
    },
  );

  app.post(
    "/api/v1/auth/logout",
    { config: { public: true }, schema: { tags: ["auth"], response: { 204: Type.Null() } } },
    async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) await endSession(app.db, token);
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      reply.status(204);
      return null;
    },
  );

  app.get("/api/v1/me", { schema: { tags: ["auth"], response: { 200: UserView } } }, async (req) => {
    if (req.actor.type !== "user") throw notFound("user");
    return presentUser(app.db, req.actor.workspaceId, req.actor.userId);
  });

  app.patch(
    "/api/v1/me",
    { schema: { tags: ["auth"], body: MeUpdate, response: { 200: UserView } } },
    async (req) => {
      const actor = req.actor;
      if (actor.type !== "user") throw notFound("user");
      if (req.body.timeZone && !isTimeZone(req.body.timeZone)) {
        throw invalid([{ path: "timeZone", message: timeZoneUnknown(req.body.timeZone) }]);
      }
      await app.db
        .updateTable("users")
        .set({
          name: req.body.name,
          time_zone: req.body.timeZone,
          signature: req.body.signature,
          availability: req.body.availability,
          updated_at: new Date(),
        })
        .where("workspace_id", "=", actor.workspaceId)
        .where("id", "=", actor.userId)
        .execute();
      return presentUser(app.db, actor.workspaceId, actor.userId);
    },
  );

  app.post(
    "/api/v1/auth/password",
    {
      preValidation: throttle(app.db, {
        name: "password",
        max: app.config.loginRateLimit,
        windowMs: 60_000,
        key: (req) => req.ip,
      }),
      schema: { tags: ["auth"], body: PasswordBody, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      const actor = req.actor;
      if (actor.type !== "user") throw notFound("user");
      const user = await app.db
        .selectFrom("users")
        .select("password_hash")
        .where("workspace_id", "=", actor.workspaceId)
        .where("id", "=", actor.userId)
        .executeTakeFirstOrThrow();
      if (!(await verifyPassword(user.password_hash, req.body.currentPassword))) {
        throw invalid([{ path: "currentPassword", message: "The current password is wrong." }]);
      }
      await app.db
        .updateTable("users")
        .set({ password_hash: await hashPassword(req.body.newPassword), updated_at: new Date() })
        .where("workspace_id", "=", actor.workspaceId)
        .where("id", "=", actor.userId)
        .execute();
      // A changed password signs out every other browser: the usual reason to change it is a leak.
      await endOtherSessions(app.db, actor.workspaceId, actor.userId, req.cookies[SESSION_COOKIE] ?? null);
      reply.status(204);
      return null;
    },
  );
};
