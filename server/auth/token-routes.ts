import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { forbidden, invalid, notFound } from "../http/errors.ts";
import { ALL_SCOPES } from "./actor.ts";
import { requireAgent } from "./permissions.ts";
import { newToken, sha256 } from "./secrets.ts";

const Scope = Type.Enum(ALL_SCOPES);
const TokenView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(Scope),
  userId: Type.Integer(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});
const TokenCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Scope, { minItems: 1, uniqueItems: true }),
    expiresAt: Type.Optional(Type.String({ format: "date-time" })),
  },
  { additionalProperties: false },
);

type TokenRow = {
  id: number;
  name: string;
  prefix: string;
  scopes: string[];
  user_id: number;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
};

const present = (t: TokenRow) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  scopes: t.scopes as (typeof ALL_SCOPES)[number][],
  userId: t.user_id,
  createdAt: t.created_at.toISOString(),
  lastUsedAt: t.last_used_at?.toISOString() ?? null,
  expiresAt: t.expires_at?.toISOString() ?? null,
  revokedAt: t.revoked_at?.toISOString() ?? null,
});

const COLUMNS = [
  "id",
  "name",
  "prefix",
  "scopes",
  "user_id",
  "created_at",
  "last_used_at",
  "expires_at",
  "revoked_at",
] as const;

// API tokens belong to a user and act as that user, narrowed by their scopes. The secret is
// shown once, at creation; only its hash is kept. Agents manage their own; admins see all.
export const tokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/api-tokens",
    { schema: { tags: ["api tokens"], response: { 200: Type.Object({ data: Type.Array(TokenView) }) } } },
    async (req) => {
      const actor = req.actor;
      requireAgent(actor);
      let q = app.db.selectFrom("api_tokens").select(COLUMNS).where("workspace_id", "=", actor.workspaceId);
      if (actor.role !== "admin") q = q.where("user_id", "=", actor.userId);
      return { data: (await q.orderBy("id").execute()).map(present) };
    },
  );

  app.post(
    "/api/v1/api-tokens",
    {
      schema: {
        tags: ["api tokens"],
        body: TokenCreate,
        response: { 201: Type.Intersect([TokenView, Type.Object({ token: Type.String() })]) },
      },
    },
    async (req, reply) => {
      const actor = req.actor;
      requireAgent(actor);
      // A token never has more power than its owner: only admins may mint admin scope,
      // and a token cannot mint a token wider than itself. Both limits apply at once, so an
      // admin token kept by someone since demoted cannot mint admin scope either.
      const ceiling = ALL_SCOPES.filter(
        (s) => (s !== "admin" || actor.role === "admin") && (actor.scopes?.includes(s) ?? true),
      );
      const tooWide = req.body.scopes.filter((s) => !ceiling.includes(s));
      if (tooWide.length) {
        throw forbidden(`You cannot grant the scope(s): ${tooWide.join(", ")}.`);
      }
      if (req.body.expiresAt && new Date(req.body.expiresAt) <= new Date()) {
        throw invalid([{ path: "expiresAt", message: "The expiry date must be in the future." }]);
      }
      const token = newToken("pat");
      const row = await app.db
        .insertInto("api_tokens")
        .values({
          workspace_id: actor.workspaceId,
          user_id: actor.userId,
          name: req.body.name,
          token_hash: sha256(token),
          prefix: token.slice(0, 10),
          scopes: req.body.scopes,
          expires_at: req.body.expiresAt ? new Date(req.body.expiresAt) : null,
        })
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      reply.status(201);
      return { ...present(row), token };
    },
  );

  app.delete(
    "/api/v1/api-tokens/:id",
    {
      schema: {
        tags: ["api tokens"],
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      const actor = req.actor;
      requireAgent(actor);
      let q = app.db
        .updateTable("api_tokens")
        .set({ revoked_at: new Date() })
        .where("workspace_id", "=", actor.workspaceId)
        .where("id", "=", req.params.id)
        .where("revoked_at", "is", null);
      if (actor.role !== "admin") q = q.where("user_id", "=", actor.userId);
      const revoked = await q.returning("id").executeTakeFirst();
      if (!revoked) throw notFound("API token");
      reply.status(204);
      return null;
    },
  );
};
