import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

async function get(ws: TestWorkspace, path: string) {
  return (await ws.as(ws.admin).get(path)).json();
}

test("a bulk update applies the changes to every ticket and reports each", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const group = await ws.group("Support");
  const a = await ws.ticket({ tags: ["old", "keep"] });
  const b = await ws.ticket({ tags: ["old"] });
  const res = await ws.as(agent).post("/api/v1/tickets/bulk", {
    ids: [b.id, a.id],
    changes: {
      priority: "urgent",
      groupId: group.id,
      addTags: ["Outage"],
      removeTags: ["old"],
      type: "incident",
    },
  });
  assert.equal(res.statusCode, 200, res.body);
  const results = res.json().results;
  assert.deepEqual(
    results.map((r: { id: number; ok: boolean }) => [r.id, r.ok]),
    [
      [b.id, true],
      [a.id, true],
    ],
  );
  assert.deepEqual(results[1].ticket.tags, ["keep", "outage"]);
  assert.deepEqual(results[0].ticket.tags, ["outage"]);
  for (const r of results) {
    assert.equal(r.ticket.priority, "urgent");
    assert.equal(r.ticket.groupId, group.id);
    assert.equal(r.ticket.type, "incident");
    assert.equal(r.ticket.version, 2);
    const events = (await get(ws, `/api/v1/tickets/${r.id}/events`)).data;
    assert.equal(events.at(-1).type, "ticket.updated");
    assert.deepEqual(events.at(-1).actor, { type: "user", id: agent.id });
  }
});

test("one refused ticket does not undo the others", async () => {
  const ws = await buildWorkspace(ctx());
  await ws.db
    .insertInto("custom_fields")
    .values({
      workspace_id: ws.id,
      key: "cause",
      label: "Cause",
      kind: "text",
      options: "[]",
      required_on_solve: true,
    })
    .execute();
  const ready = await ws.ticket({ customFields: { cause: "Fixed" } });
  const missing = await ws.ticket();
  const closed = await ws.ticket({ customFields: { cause: "Fixed" } });
  await ws.as(ws.admin).patch(`/api/v1/tickets/${closed.id}`, { status: "solved" });
  await ws.as(ws.admin).patch(`/api/v1/tickets/${closed.id}`, { status: "closed" });
  const foreign = await (await buildWorkspace(ctx())).ticket();

  const res = await ws.as(ws.admin).post("/api/v1/tickets/bulk", {
    ids: [ready.id, missing.id, closed.id, foreign.id],
    changes: { status: "solved" },
  });
  assert.equal(res.statusCode, 200, res.body);
  const [okResult, missingResult, closedResult, foreignResult] = res.json().results;
  assert.equal(okResult.ok, true);
  assert.equal(okResult.ticket.status, "solved");
  assert.equal(missingResult.ok, false);
  assert.equal(missingResult.error.code, "validation_failed");
  assert.equal(missingResult.error.errors[0].path, "customFields.cause");
  assert.equal(missingResult.ticket, undefined);
  assert.equal(closedResult.error.code, "ticket_closed");
  assert.deepEqual(foreignResult, {
    id: foreign.id,
    ok: false,
    error: { code: "not_found", message: "The ticket was not found." },
  });

  assert.equal((await get(ws, `/api/v1/tickets/${ready.id}`)).status, "solved");
  const untouched = await get(ws, `/api/v1/tickets/${missing.id}`);
  assert.equal(untouched.status, "new");
  assert.equal(untouched.version, missing.version);
});

test("tickets outside a restricted agent's groups report not_found", async () => {
  const ws = await buildWorkspace(ctx());
  const support = await ws.group("Support");
  const billing = await ws.group("Billing");
  const agent = await ws.agent({ ticketAccess: "groups", groupIds: [support.id] });
  const mine = await ws.ticket({ groupId: support.id });
  const hidden = await ws.ticket({ groupId: billing.id });
  const res = await ws.as(agent).post("/api/v1/tickets/bulk", {
    ids: [mine.id, hidden.id],
    changes: { priority: "low" },
  });
  const [ok, notFound] = res.json().results;
  assert.equal(ok.ok, true);
  assert.equal(notFound.error.code, "not_found");
  assert.equal((await get(ws, `/api/v1/tickets/${hidden.id}`)).priority, "normal");
});

test("an invalid assignee is reported per ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const light = await ws.agent({ role: "light_agent" });
  const ticket = await ws.ticket();
  const res = await ws
    .as(ws.admin)
    .post("/api/v1/tickets/bulk", { ids: [ticket.id], changes: { assigneeId: light.id } });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().results[0].error.errors[0].path, "assigneeId");
});

test("bulk validates ids and changes", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const cases = [
    { ids: [], changes: { priority: "low" } },
    { ids: Array.from({ length: 101 }, (_, i) => i + 1), changes: { priority: "low" } },
    { ids: [ticket.id], changes: {} },
    { ids: [ticket.id], changes: { subject: "Not in bulk" } },
    { ids: [ticket.id], changes: { status: "done" } },
  ];
  for (const body of cases) {
    const res = await ws.as(ws.admin).post("/api/v1/tickets/bulk", body);
    assert.equal(res.statusCode, 400, JSON.stringify(body));
    assert.equal(res.json().code, "validation_failed");
  }
});

test("bulk needs ticket.bulk_update: light agents and customers get 403, anonymous 401", async () => {
  const ws = await buildWorkspace(ctx());
  const light = await ws.agent({ role: "light_agent" });
  const ticket = await ws.ticket();
  const customer = await ws.customerSession(ticket.requesterId);
  const body = { ids: [ticket.id], changes: { priority: "low" } };
  assert.equal((await ws.as(light).post("/api/v1/tickets/bulk", body)).statusCode, 403);
  assert.equal((await customer.post("/api/v1/tickets/bulk", body)).statusCode, 403);
  assert.equal((await ws.anonymous().post("/api/v1/tickets/bulk", body)).statusCode, 401);
  assert.equal((await get(ws, `/api/v1/tickets/${ticket.id}`)).priority, "normal");
});
