import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

async function requiredField(ws: TestWorkspace, key = "root_cause") {
  await ws.db
    .insertInto("custom_fields")
    .values({
      workspace_id: ws.id,
      key,
      label: "Root cause",
      kind: "text",
      options: "[]",
      required_on_solve: true,
    })
    .execute();
}

async function eventTypes(ws: TestWorkspace, ticketId: number) {
  const res = await ws.as(ws.admin).get(`/api/v1/tickets/${ticketId}/events`);
  return res.json().data.map((e: { type: string }) => e.type) as string[];
}

test("PATCH with If-Match as a strong or weak ETag updates and returns the next version", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const first = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${ticket.id}`, { priority: "high" }, { "if-match": `"${ticket.version}"` });
  assert.equal(first.statusCode, 200, first.body);
  assert.equal(first.json().priority, "high");
  assert.equal(first.json().version, ticket.version + 1);
  assert.equal(first.headers.etag, `"${ticket.version + 1}"`);

  const second = await ws
    .as(ws.admin)
    .patch(
      `/api/v1/tickets/${ticket.id}`,
      { priority: "urgent" },
      { "if-match": `W/"${ticket.version + 1}"` },
    );
  assert.equal(second.statusCode, 200, second.body);
  assert.equal(second.json().version, ticket.version + 2);

  const events = await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}/events`);
  const updates = events.json().data.filter((e: { type: string }) => e.type === "ticket.updated");
  assert.deepEqual(updates[1].changes, { priority: { from: "high", to: "urgent" } });
});

test("a stale version gets 409 with the current state and changes nothing", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const agent = await ws.agent();
  const won = await ws.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { subject: "First", version: 1 });
  assert.equal(won.statusCode, 200);

  const viaBody = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${ticket.id}`, { subject: "Second", version: 1 });
  assert.equal(viaBody.statusCode, 409);
  assert.equal(viaBody.json().code, "ticket_version_conflict");
  assert.equal(viaBody.json().current.subject, "First");
  assert.equal(viaBody.json().current.version, 2);

  const viaHeader = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${ticket.id}`, { subject: "Third" }, { "if-match": '"1"' });
  assert.equal(viaHeader.statusCode, 409);
  assert.equal(viaHeader.json().code, "ticket_version_conflict");

  const now = (await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}`)).json();
  assert.equal(now.subject, "First");
  assert.equal(now.version, 2);
});

test("If-Match wins over the body's version, and a malformed If-Match is a 400", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const res = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${ticket.id}`, { subject: "New", version: 7 }, { "if-match": '"1"' });
  assert.equal(res.statusCode, 200, res.body);
  const bad = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${ticket.id}`, { subject: "Newer" }, { "if-match": "yesterday" });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().code, "invalid_if_match");
});

test("unknown fields and empty bodies are refused", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const unknown = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { colour: "red" });
  assert.equal(unknown.statusCode, 400);
  assert.equal(unknown.json().code, "validation_failed");
  const empty = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, {});
  assert.equal(empty.statusCode, 400);
});

test("only a solved ticket can be closed, and closed is read-only", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const early = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { status: "closed" });
  assert.equal(early.statusCode, 422);
  assert.equal(early.json().errors[0].path, "status");

  const solved = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { status: "solved" });
  assert.equal(solved.statusCode, 200);
  assert.ok(solved.json().solvedAt);
  const closed = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { status: "closed" });
  assert.equal(closed.statusCode, 200);
  assert.ok(closed.json().closedAt);
  assert.equal(closed.json().solvedAt, solved.json().solvedAt);

  const change = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { priority: "low" });
  assert.equal(change.statusCode, 409);
  assert.equal(change.json().code, "ticket_closed");
  const reopen = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { status: "open" });
  assert.equal(reopen.json().code, "ticket_closed");
});

test("reopening a solved ticket clears solvedAt", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { status: "solved" });
  const reopened = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { status: "open" });
  assert.equal(reopened.statusCode, 200);
  assert.equal(reopened.json().solvedAt, null);
});

test("a required_on_solve field blocks solving until it is filled", async () => {
  const ws = await buildWorkspace(ctx());
  await requiredField(ws);
  const ticket = await ws.ticket();
  const blocked = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { status: "solved" });
  assert.equal(blocked.statusCode, 422);
  assert.equal(blocked.json().code, "validation_failed");
  assert.deepEqual(
    blocked.json().errors.map((e: { path: string }) => e.path),
    ["customFields.root_cause"],
  );
  assert.equal((await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}`)).json().status, "new");

  const ok = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${ticket.id}`, { status: "solved", customFields: { root_cause: "Paper jam" } });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().status, "solved");
});

test("a required field cannot be emptied on a solved ticket", async () => {
  const ws = await buildWorkspace(ctx());
  await requiredField(ws);
  const ticket = await ws.ticket();
  await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${ticket.id}`, { status: "solved", customFields: { root_cause: "Toner" } });
  const res = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${ticket.id}`, { customFields: { root_cause: null } });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().errors[0].path, "customFields.root_cause");
});

test("a light agent cannot update a ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const light = await ws.agent({ role: "light_agent" });
  const ticket = await ws.ticket();
  const res = await ws.as(light).patch(`/api/v1/tickets/${ticket.id}`, { priority: "high" });
  assert.equal(res.statusCode, 403);
  assert.equal(res.json().code, "forbidden");
});

test("a customer cannot update a ticket and anonymous callers get 401", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const customer = await ws.customerSession(ticket.requesterId);
  const res = await customer.patch(`/api/v1/tickets/${ticket.id}`, { priority: "urgent" });
  assert.equal(res.statusCode, 403);
  const anon = await ws.anonymous().patch(`/api/v1/tickets/${ticket.id}`, { priority: "urgent" });
  assert.equal(anon.statusCode, 401);
});

test("an agent restricted to groups gets 404 for a ticket outside them", async () => {
  const ws = await buildWorkspace(ctx());
  const billing = await ws.group("Billing");
  const support = await ws.group("Support");
  const agent = await ws.agent({ ticketAccess: "groups", groupIds: [support.id] });
  const hidden = await ws.ticket({ groupId: billing.id });
  const read = await ws.as(agent).get(`/api/v1/tickets/${hidden.id}`);
  assert.equal(read.statusCode, 404);
  const write = await ws.as(agent).patch(`/api/v1/tickets/${hidden.id}`, { priority: "high" });
  assert.equal(write.statusCode, 404);
  assert.equal(write.json().code, "not_found");

  const mine = await ws.ticket({ groupId: support.id });
  const ok = await ws.as(agent).patch(`/api/v1/tickets/${mine.id}`, { priority: "high" });
  assert.equal(ok.statusCode, 200);
});

test("a ticket of another workspace is not found for update", async () => {
  const mine = await buildWorkspace(ctx());
  const theirs = await buildWorkspace(ctx());
  const ticket = await theirs.ticket();
  const res = await mine.as(mine.admin).patch(`/api/v1/tickets/${ticket.id}`, { priority: "high" });
  assert.equal(res.statusCode, 404);
});

test("assigning a new ticket opens it and records one event", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const ticket = await ws.ticket();
  const res = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { assigneeId: agent.id });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().status, "open");
  assert.deepEqual(await eventTypes(ws, ticket.id), ["ticket.created", "message.created", "ticket.updated"]);
});

test("a change to nothing new keeps the version and adds no event", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket({ priority: "high" });
  const res = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { priority: "high" });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().version, ticket.version);
  assert.deepEqual(await eventTypes(ws, ticket.id), ["ticket.created", "message.created"]);
});

test("a customer sees their own tickets only, without internal notes", async () => {
  const ws = await buildWorkspace(ctx());
  const mine = await ws.ticket();
  const other = await ws.ticket();
  await ws.as(ws.admin).post(`/api/v1/tickets/${mine.id}/messages`, { body: "Secret", kind: "note" });
  await ws.as(ws.admin).post(`/api/v1/tickets/${mine.id}/messages`, { body: "We are on it." });
  const customer = await ws.customerSession(mine.requesterId);

  const list = (await customer.get("/api/v1/tickets")).json();
  assert.deepEqual(
    list.data.map((t: { id: number }) => t.id),
    [mine.id],
  );
  assert.equal((await customer.get(`/api/v1/tickets/${other.id}`)).statusCode, 404);
  assert.equal((await customer.get(`/api/v1/tickets/${other.id}/messages`)).statusCode, 404);

  const messages = (await customer.get(`/api/v1/tickets/${mine.id}/messages`)).json().data;
  assert.deepEqual(
    messages.map((m: { body: string }) => m.body),
    ["It is on fire.", "We are on it."],
  );
  const agentView = (await ws.as(ws.admin).get(`/api/v1/tickets/${mine.id}/messages`)).json().data;
  assert.equal(agentView.length, 3);
});
