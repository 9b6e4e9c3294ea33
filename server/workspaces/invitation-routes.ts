import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { throttle } from "../auth/login-throttle.ts";
import { requireAgent, requireCan } from "../auth/permissions.ts";
import { createUserSession, SESSION_COOKIE } from "../auth/sessions.ts";
import { acceptInvitation, describeInvitation, type InvitationOutcome, inviteUser } from "./invitations.ts";
import { presentUser, UserView } from "./users.ts";

export const InvitationView = Type.Object({
  mailed: Type.Boolean(),
  sentTo: Type.String(),
  expiresAt: Type.String({ format: "date-time" }),
  // Only when no mail went out, for the admin to hand over.
  link: Type.Union([Type.String(), Type.Null()]),
  detail: Type.String(),
});

export const presentInvitation = (o: InvitationOutcome) => ({
  mailed: o.mailed,
  sentTo: o.sentTo,
  expiresAt: o.expiresAt.toISOString(),
  link: o.link,
  detail: o.detail,
});

const TokenBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
const AcceptBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 10, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
const InvitationDetails = Type.Object({
  name: Type.String(),
  email: Type.String(),
  workspaceName: Type.String(),
  expiresAt: Type.String({ format: "date-time" }),
});

// The set-password page's two calls are public (the person has no password yet) and limited per
// client address, counted in the database like sign-in, so guessing tokens gets nowhere. The
// token travels in the body, never in a URL that logs would keep.
export const invitationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const limit = throttle(app.db, {
    name: "invitation",
    max: app.config.loginRateLimit,
    windowMs: 60_000,
    key: (req) => req.ip,
  });

  app.post(
    "/api/v1/users/:id/invitation",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["users"],
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 201: InvitationView },
      },
    },
    async (req, reply) => {
      requireCan(req.actor, "workspace.admin");
      requireAgent(req.actor);
      const outcome = await inviteUser(app.db, req.actor, req.params.id, {
        publicUrl: app.config.publicUrl,
        relayUrl: app.config.email.smtpRelayUrl,
      });
      reply.status(201);
      return presentInvitation(outcome);
    },
  );

  app.post(
    "/api/v1/invitations/lookup",
    {
      config: { public: true },
      preValidation: limit,
      schema: { tags: ["auth"], body: TokenBody, response: { 200: InvitationDetails } },
    },
    async (req) => describeInvitation(app.db, req.body.token),
  );

  app.post(
    "/api/v1/invitations/accept",
    {
      config: { public: true },
      preValidation: limit,
      schema: { tags: ["auth"], body: AcceptBody, response: { 200: UserView } },
    },
    async (req, reply) => {
      const { workspaceId, userId } = await acceptInvitation(app.db, req.body.token, req.body.password);
      // Choosing the password signs the person in, as signing in with it would.
      const session = await createUserSession(app.db, workspaceId, userId, app.config.sessionTtlHours);
      reply.setCookie(SESSION_COOKIE, session, {
        path: "/",
        httpOnly: true,
        sameSite: "lax",
        secure: app.config.cookieSecure,
        maxAge: app.config.sessionTtlHours * 3600,
      });
      req.log.info({ userId, workspaceId }, "invitation accepted");
      return presentUser(app.db, workspaceId, userId);
    },
  );
};
