import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requireAgent } from "../auth/permissions.ts";
import { idempotent } from "../http/idempotency.ts";
import { type BulkResult, bulkUpdateTickets } from "./bulk.ts";
import { mergeTickets } from "./merge.ts";
import { presentTicket } from "./present.ts";
import { problemIncidents } from "./problems.ts";
import { Id, Priority, Status, Tags, TicketPage, TicketParams, TicketType, TicketView } from "./schemas.ts";
import { visibleTicket } from "./service.ts";
import { splitTicket } from "./split.ts";

const Version = Type.Integer({ minimum: 1 });
const Comment = Type.String({ minLength: 1, maxLength: 10_000 });

const MergeBody = Type.Object(
  { targetId: Id, version: Type.Optional(Version), comment: Type.Optional(Comment) },
  { additionalProperties: false },
);
const MergeFromBody = Type.Object(
  {
    sourceIds: Type.Array(Id, { minItems: 1, maxItems: 100 }),
    comment: Type.Optional(Comment),
  },
  { additionalProperties: false },
);
const MergeResult = Type.Object({ target: TicketView, sources: Type.Array(TicketView) });

const SplitBody = Type.Object(
  {
    messageId: Id,
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    version: Type.Optional(Version),
  },
  { additionalProperties: false },
);
const SplitResult = Type.Object({ original: TicketView, ticket: TicketView });

const IncidentQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const BulkBody = Type.Object(
  {
    ids: Type.Array(Id, { minItems: 1, maxItems: 100 }),
    changes: Type.Object(
      {
        status: Type.Optional(Status),
        priority: Type.Optional(Priority),
        type: Type.Optional(TicketType),
        assigneeId: Type.Optional(Type.Union([Id, Type.Null()])),
        groupId: Type.Optional(Type.Union([Id, Type.Null()])),
        addTags: Type.Optional(Tags),
        removeTags: Type.Optional(Tags),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  { additionalProperties: false },
);
const BulkResultView = Type.Object({
  id: Type.Integer(),
  ok: Type.Boolean(),
  ticket: Type.Optional(TicketView),
  error: Type.Optional(
    Type.Object({
      code: Type.String(),
      message: Type.String(),
      errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    }),
  ),
});
const BulkResponse = Type.Object({ results: Type.Array(BulkResultView) });

function presentBulkResult(r: BulkResult) {
  if (r.ok) return { id: r.id, ok: true, ticket: presentTicket(r.ticket) };
  return {
    id: r.id,
    ok: false,
    error: { code: r.error.code, message: r.error.message, errors: r.error.errors },
  };
}

// Operations on whole tickets beyond a property edit: merge, split, problem/incident lists
// and bulk updates. Each runs one service command in one transaction.
export const ticketOperationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/api/v1/tickets/:id/merge",
    { schema: { tags: ["tickets"], params: TicketParams, body: MergeBody, response: { 200: MergeResult } } },
    async (req, reply) =>
      idempotent(app.db, req, reply, 200, async (trx) => {
        const result = await mergeTickets(trx, req.actor, {
          targetId: req.body.targetId,
          sourceIds: [req.params.id],
          version: req.body.version,
          comment: req.body.comment,
          sourcePath: "params.id",
        });
        return { target: presentTicket(result.target), sources: result.sources.map(presentTicket) };
      }),
  );

  app.post(
    "/api/v1/tickets/:id/merge-from",
    {
      schema: {
        tags: ["tickets"],
        params: TicketParams,
        body: MergeFromBody,
        response: { 200: MergeResult },
      },
    },
    async (req, reply) =>
      idempotent(app.db, req, reply, 200, async (trx) => {
        const result = await mergeTickets(trx, req.actor, {
          targetId: req.params.id,
          sourceIds: req.body.sourceIds,
          comment: req.body.comment,
          sourcePath: "sourceIds",
        });
        return { target: presentTicket(result.target), sources: result.sources.map(presentTicket) };
      }),
  );

  app.post(
    "/api/v1/tickets/:id/split",
    { schema: { tags: ["tickets"], params: TicketParams, body: SplitBody, response: { 201: SplitResult } } },
    async (req, reply) =>
      idempotent(app.db, req, reply, 201, async (trx) => {
        const result = await splitTicket(trx, req.actor, req.params.id, req.body);
        return { original: presentTicket(result.original), ticket: presentTicket(result.ticket) };
      }),
  );

  app.get(
    "/api/v1/tickets/:id/incidents",
    {
      schema: {
        tags: ["tickets"],
        params: TicketParams,
        querystring: IncidentQuery,
        response: { 200: TicketPage },
      },
    },
    async (req) => {
      requireAgent(req.actor);
      await visibleTicket(app.db, req.actor, req.params.id);
      const page = await problemIncidents(app.db, req.actor, req.params.id, req.query);
      return { data: page.rows.map(presentTicket), nextCursor: page.nextCursor };
    },
  );

  app.post(
    "/api/v1/tickets/bulk",
    { schema: { tags: ["tickets"], body: BulkBody, response: { 200: BulkResponse } } },
    async (req, reply) =>
      idempotent(app.db, req, reply, 200, async (trx) => {
        const results = await bulkUpdateTickets(trx, req.actor, req.body.ids, req.body.changes);
        return { results: results.map(presentBulkResult) };
      }),
  );
};
