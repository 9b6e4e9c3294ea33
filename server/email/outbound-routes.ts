import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, encodeCursor } from "../tickets/queries.ts";
import { listOutbound, presentOutbound, retryOutbound } from "./outbound-failures.ts";

const Status = Type.Enum(["queued", "sending", "sent", "failed", "bounced"]);
const Params = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 52 }) });
const ListQuery = Type.Object(
  {
    // Several may be given; without any, the failures: failed and bounced.
    status: Type.Optional(Type.Array(Status, { minItems: 1, maxItems: 5 })),
    ticketId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 52 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const OutboundView = Type.Object({
  id: Type.Integer(),
  ticketId: Type.Union([Type.Integer(), Type.Null()]),
  messageId: Type.Union([Type.Integer(), Type.Null()]),
  mailboxId: Type.Integer(),
  kind: Type.String(),
  status: Status,
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  to: Type.Array(Type.String()),
  cc: Type.Array(Type.String()),
  subject: Type.String(),
  bounce: Type.Union([
    Type.Object({
      recipient: Type.Union([Type.String(), Type.Null()]),
      status: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  sentAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});

// Outbound mail that did not get through, and sending it again: agents for the tickets they may
// see, admins for all.
export const outboundRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/outbound-emails",
    {
      schema: {
        tags: ["email"],
        querystring: ListQuery,
        response: {
          200: Type.Object({
            data: Type.Array(OutboundView),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const rows = await listOutbound(app.db, req.actor, {
        status: req.query.status ?? ["failed", "bounced"],
        ticketId: req.query.ticketId,
        limit,
        before: req.query.cursor ? decodeCursor(req.query.cursor)[1] : undefined,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        data: page.map(presentOutbound),
        nextCursor: rows.length > limit && last ? encodeCursor(last.id, last.id) : null,
      };
    },
  );

  app.post(
    "/api/v1/outbound-emails/:id/retry",
    { schema: { tags: ["email"], params: Params, response: { 202: OutboundView } } },
    async (req, reply) => {
      const row = await retryOutbound(app.db, req.actor, req.params.id);
      req.log.info({ workspaceId: req.actor.workspaceId, outboundId: row.id }, "outbound mail retried");
      reply.status(202);
      return presentOutbound(row);
    },
  );
};
