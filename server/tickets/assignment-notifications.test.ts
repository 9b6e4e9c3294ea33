import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";

// The assignee's notification is written with the event that assigns the ticket, in the same
// transaction. This app has no event bus and no job queue: whatever these tests find was
// written by the request itself, not by a listener after commit.
const ctx = useTestApp();

async function notifications(ws: TestWorkspace) {
  return ws.db
    .selectFrom("notifications as n")
    .innerJoin("ticket_events as e", (j) =>
      j.onRef("e.workspace_id", "=", "n.workspace_id").onRef("e.id", "=", "n.event_id"),
    )
    .select(["n.user_id as userId", "n.ticket_id as ticketId", "n.kind", "e.type as eventType"])
    .where("n.workspace_id", "=", ws.id)
    .orderBy("n.id")
    .execute();
}

test("assigning a ticket to someone else notifies them in the same transaction; taking it does not", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const taker = await ws.agent();
  const given = await ws.ticket();
  const taken = await ws.ticket();
  const res = await ws.as(ws.admin).patch(`/api/v1/tickets/${given.id}`, { assigneeId: agent.id });
  assert.equal(res.statusCode, 200, res.body);
  await ws.as(taker).patch(`/api/v1/tickets/${taken.id}`, { assigneeId: taker.id });
  assert.deepEqual(await notifications(ws), [
    { userId: agent.id, ticketId: given.id, kind: "ticket_assigned", eventType: "ticket.updated" },
  ]);

  // Other changes to an assigned ticket, unassigning, and a refused change tell nobody.
  await ws.as(ws.admin).patch(`/api/v1/tickets/${given.id}`, { priority: "high" });
  await ws.as(ws.admin).patch(`/api/v1/tickets/${taken.id}`, { assigneeId: null });
  const stale = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${taken.id}`, { assigneeId: agent.id, version: 1 });
  assert.equal(stale.statusCode, 409);
  assert.equal((await notifications(ws)).length, 1);
});

test("a ticket created with someone else as assignee notifies them, alone or in a batch", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const other = await ws.agent();
  const one = await ws.ticket({ assigneeId: agent.id });
  // Created together: written by one batch (see create-queue.ts).
  const [two, mine] = await Promise.all([
    ws.ticket({ assigneeId: other.id }),
    ws.as(agent).post("/api/v1/tickets", {
      subject: "Mine",
      requester: { email: "mine@customer.test" },
      assigneeId: agent.id,
      comment: { body: "Taken by its creator" },
    }),
  ]);
  assert.equal(mine.statusCode, 201, mine.body);
  assert.deepEqual(await notifications(ws), [
    { userId: agent.id, ticketId: one.id, kind: "ticket_assigned", eventType: "ticket.created" },
    { userId: other.id, ticketId: two.id, kind: "ticket_assigned", eventType: "ticket.created" },
  ]);
});

test("a bulk assignment notifies the assignee once per ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const a = await ws.ticket();
  const b = await ws.ticket();
  const res = await ws.as(ws.admin).post("/api/v1/tickets/bulk", {
    ids: [a.id, b.id],
    changes: { assigneeId: agent.id },
  });
  assert.equal(res.statusCode, 200, res.body);
  const rows = await notifications(ws);
  assert.deepEqual(
    rows.map((r) => [r.userId, r.ticketId]).sort((x, y) => x[1] - y[1]),
    [
      [agent.id, a.id],
      [agent.id, b.id],
    ],
  );
});
