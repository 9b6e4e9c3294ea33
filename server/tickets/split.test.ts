import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

async function get(ws: TestWorkspace, path: string) {
  return (await ws.as(ws.admin).get(path)).json();
}

// A ticket whose customer asked a second question in the same thread.
async function twoQuestions(ws: TestWorkspace, overrides: Record<string, unknown> = {}) {
  const ticket = await ws.ticket({
    subject: "Invoice",
    comment: { body: "Where is my invoice?" },
    ...overrides,
  });
  const customer = await ws.customerSession(ticket.requesterId);
  const second = await customer.post(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "Also, reset my password?",
  });
  assert.equal(second.statusCode, 201, second.body);
  return { ticket, messageId: second.json().message.id as number };
}

test("splitting moves the message to a new ticket for the same requester, organization and group", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const group = await ws.group("Billing");
  const { ticket, messageId } = await twoQuestions(ws, { groupId: group.id, priority: "high" });

  const res = await ws
    .as(agent)
    .post(`/api/v1/tickets/${ticket.id}/split`, { messageId, subject: "Password reset" });
  assert.equal(res.statusCode, 201, res.body);
  const { original, ticket: created } = res.json();
  assert.equal(original.id, ticket.id);
  assert.notEqual(created.id, ticket.id);
  assert.equal(created.subject, "Password reset");
  assert.equal(created.requesterId, ticket.requesterId);
  assert.equal(created.groupId, group.id);
  assert.equal(created.priority, "high");
  assert.equal(created.status, "new");

  const moved = (await get(ws, `/api/v1/tickets/${created.id}/messages`)).data;
  assert.deepEqual(
    moved.map((m: { id: number; kind: string }) => [m.id, m.kind]),
    [
      [messageId, "reply"],
      [moved[1].id, "system"],
    ],
  );
  assert.equal(moved[1].body, `Split from ticket #${ticket.number}.`);
  const left = (await get(ws, `/api/v1/tickets/${ticket.id}/messages`)).data;
  assert.deepEqual(
    left.map((m: { body: string }) => m.body),
    ["Where is my invoice?", `A message was moved to new ticket #${created.number}.`],
  );

  const originalEvents = (await get(ws, `/api/v1/tickets/${ticket.id}/events`)).data;
  const split = originalEvents.find((e: { type: string }) => e.type === "ticket.split");
  assert.deepEqual(split.changes, { messageId, newTicketId: created.id });
  assert.deepEqual(split.actor, { type: "user", id: agent.id });
  const newEvents = (await get(ws, `/api/v1/tickets/${created.id}/events`)).data;
  assert.equal(newEvents[0].type, "ticket.created");
  assert.equal(newEvents[0].changes.splitFromId, ticket.id);

  const customer = await ws.customerSession(ticket.requesterId);
  assert.equal((await customer.get(`/api/v1/tickets/${created.id}`)).statusCode, 200);
});

test("the new ticket keeps the original subject when none is given", async () => {
  const ws = await buildWorkspace(ctx());
  const { ticket, messageId } = await twoQuestions(ws);
  const res = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/split`, { messageId });
  assert.equal(res.statusCode, 201);
  assert.equal(res.json().ticket.subject, "Invoice");
});

test("the first message, a system entry or another ticket's message cannot be split off", async () => {
  const ws = await buildWorkspace(ctx());
  const { ticket, messageId } = await twoQuestions(ws);
  const first = (await get(ws, `/api/v1/tickets/${ticket.id}/messages`)).data[0];
  const onlyFirst = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/split`, { messageId: first.id });
  assert.equal(onlyFirst.statusCode, 422);
  assert.equal(onlyFirst.json().errors[0].path, "messageId");

  const single = await ws.ticket();
  const singleFirst = (await get(ws, `/api/v1/tickets/${single.id}/messages`)).data[0];
  const alone = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${single.id}/split`, { messageId: singleFirst.id });
  assert.equal(alone.statusCode, 422);

  const elsewhere = await ws.as(ws.admin).post(`/api/v1/tickets/${single.id}/split`, { messageId });
  assert.equal(elsewhere.statusCode, 422);
  assert.equal(elsewhere.json().errors[0].path, "messageId");

  const done = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/split`, { messageId });
  assert.equal(done.statusCode, 201);
  const system = (await get(ws, `/api/v1/tickets/${ticket.id}/messages`)).data.at(-1);
  const again = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/split`, { messageId: system.id });
  assert.equal(again.statusCode, 422);
});

test("split validates its body", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const res = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/split`, { subject: "" });
  assert.equal(res.statusCode, 400);
  const paths = res.json().errors.map((e: { path: string }) => e.path);
  assert.ok(paths.includes("body.messageId"), paths.join());
  assert.ok(paths.includes("body.subject"), paths.join());
});

test("split refuses a closed ticket and a stale version", async () => {
  const ws = await buildWorkspace(ctx());
  const { ticket, messageId } = await twoQuestions(ws);
  const stale = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${ticket.id}/split`, { messageId, version: ticket.version + 3 });
  assert.equal(stale.statusCode, 409);
  assert.equal(stale.json().code, "ticket_version_conflict");
  await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { status: "solved" });
  await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { status: "closed" });
  const closed = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/split`, { messageId });
  assert.equal(closed.statusCode, 409);
  assert.equal(closed.json().code, "ticket_closed");
});

test("light agents and customers cannot split; anonymous gets 401; hidden tickets are not found", async () => {
  const ws = await buildWorkspace(ctx());
  const other = await buildWorkspace(ctx());
  const billing = await ws.group("Billing");
  const { ticket, messageId } = await twoQuestions(ws, { groupId: billing.id });
  const light = await ws.agent({ role: "light_agent" });
  const restricted = await ws.agent({ ticketAccess: "groups", groupIds: [] });
  const customer = await ws.customerSession(ticket.requesterId);
  const url = `/api/v1/tickets/${ticket.id}/split`;
  assert.equal((await ws.as(light).post(url, { messageId })).statusCode, 403);
  assert.equal((await customer.post(url, { messageId })).statusCode, 403);
  assert.equal((await ws.anonymous().post(url, { messageId })).statusCode, 401);
  assert.equal((await ws.as(restricted).post(url, { messageId })).statusCode, 404);
  assert.equal((await other.as(other.admin).post(url, { messageId })).statusCode, 404);
  assert.equal((await get(ws, `/api/v1/tickets/${ticket.id}/messages`)).data.length, 2);
});
