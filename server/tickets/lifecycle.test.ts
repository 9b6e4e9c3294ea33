import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

// The ticket as the team sees it: a customer's answers leave out its internals.
async function asTeamSees(ws: TestWorkspace, id: number) {
  const res = await ws.as(ws.admin).get(`/api/v1/tickets/${id}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

async function setStatus(ws: TestWorkspace, id: number, status: string) {
  const res = await ws.as(ws.admin).patch(`/api/v1/tickets/${id}`, { status });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

for (const status of ["pending", "on_hold", "solved"]) {
  test(`a customer's reply reopens a ${status} ticket`, async () => {
    const ws = await buildWorkspace(ctx());
    const ticket = await ws.ticket();
    const before = await setStatus(ws, ticket.id, status);
    const customer = await ws.customerSession(ticket.requesterId);
    const res = await customer.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Still broken." });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().ticket.status, "open");
    assert.equal(res.json().ticket.solvedAt, null);
    const after = await asTeamSees(ws, ticket.id);
    assert.equal(after.version, before.version + 1);
    const messages = (await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}/messages`)).json().data;
    const message = messages.find((m: { id: number }) => m.id === res.json().message.id);
    assert.equal(message.direction, "in");
    assert.deepEqual(message.author, { type: "contact", id: ticket.requesterId });

    const events = (await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}/events`)).json().data;
    const last = events.at(-1);
    assert.equal(last.type, "ticket.updated");
    assert.deepEqual(last.changes, { status: { from: status, to: "open" } });
    assert.deepEqual(last.actor, { type: "contact", id: ticket.requesterId });
  });
}

test("a customer's reply leaves a new ticket new", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const customer = await ws.customerSession(ticket.requesterId);
  const res = await customer.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Any news?" });
  assert.equal(res.json().ticket.status, "new");
});

test("a customer's reply on a closed ticket opens a linked follow-up ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket({ subject: "Toner low", priority: "high" });
  await setStatus(ws, ticket.id, "solved");
  await setStatus(ws, ticket.id, "closed");
  const customer = await ws.customerSession(ticket.requesterId);
  const res = await customer.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "It happened again." });
  assert.equal(res.statusCode, 201, res.body);
  const { message } = res.json();
  assert.notEqual(res.json().ticket.id, ticket.id);
  const followUp = await asTeamSees(ws, res.json().ticket.id);
  assert.equal(followUp.followUpOfId, ticket.id);
  assert.equal(followUp.subject, "Toner low");
  assert.equal(followUp.priority, "high");
  assert.equal(followUp.status, "new");
  assert.equal(followUp.requesterId, ticket.requesterId);
  assert.equal(message.ticketId, followUp.id);

  const closed = (await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}`)).json();
  assert.equal(closed.status, "closed");
  const oldMessages = (await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}/messages`)).json().data;
  assert.equal(oldMessages.length, 1);
  const events = (await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}/events`)).json().data;
  const linked = events.find((e: { type: string }) => e.type === "ticket.follow_up_created");
  assert.deepEqual(linked.changes, { followUpId: followUp.id });
});

test("a follow-up goes back to the assignee, unless they have left", async () => {
  const ws = await buildWorkspace(ctx());
  const stays = await ws.agent();
  const leaves = await ws.agent();
  const results = [];
  for (const agent of [stays, leaves]) {
    const ticket = await ws.ticket({ assigneeId: agent.id });
    await setStatus(ws, ticket.id, "solved");
    await setStatus(ws, ticket.id, "closed");
    if (agent === leaves) {
      await ws.db.updateTable("users").set({ active: false }).where("id", "=", agent.id).execute();
    }
    const customer = await ws.customerSession(ticket.requesterId);
    const res = await customer.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Again." });
    results.push(await asTeamSees(ws, res.json().ticket.id));
  }
  assert.equal(results[0].assigneeId, stays.id);
  assert.equal(results[0].status, "open");
  assert.equal(results[1].assigneeId, null);
  assert.equal(results[1].status, "new");
});

test("an agent cannot write on a closed ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  await setStatus(ws, ticket.id, "solved");
  await setStatus(ws, ticket.id, "closed");
  for (const kind of ["reply", "note"]) {
    const res = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Hi", kind });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().code, "ticket_closed");
  }
});

test("the first public agent reply stamps firstRespondedAt; a note does not", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const ticket = await ws.ticket();
  const note = await ws
    .as(agent)
    .post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Hm.", kind: "note" });
  assert.equal(note.statusCode, 201);
  assert.equal(note.json().ticket.firstRespondedAt, null);
  assert.equal(note.json().ticket.status, "new");
  assert.equal(note.json().message.direction, null);

  const reply = await ws.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "On it." });
  assert.equal(reply.statusCode, 201);
  const stamped = reply.json().ticket.firstRespondedAt;
  assert.equal(stamped, reply.json().message.createdAt);
  assert.equal(reply.json().ticket.status, "open");
  assert.equal(reply.json().message.direction, "out");

  const again = await ws.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Done soon." });
  assert.equal(again.json().ticket.firstRespondedAt, stamped);
});

test("a customer's own messages never stamp the first response", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const customer = await ws.customerSession(ticket.requesterId);
  const res = await customer.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Hello?" });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal((await asTeamSees(ws, ticket.id)).firstRespondedAt, null);
});

test("an agent replies and marks the ticket pending in one request", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const res = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Can you send a photo?", status: "pending" });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().ticket.status, "pending");
  assert.ok(res.json().ticket.firstRespondedAt);
});

test("a reply with a status the rules refuse is not saved at all", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const res = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Bye", status: "closed" });
  assert.equal(res.statusCode, 422);
  const messages = (await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}/messages`)).json().data;
  assert.equal(messages.length, 1);
  const now = (await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}`)).json();
  assert.equal(now.firstRespondedAt, null);
});

test("a customer cannot set the status or leave a note", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const customer = await ws.customerSession(ticket.requesterId);
  const status = await customer.post(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "x",
    status: "solved",
  });
  assert.equal(status.statusCode, 403);
  const note = await customer.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "x", kind: "note" });
  assert.equal(note.statusCode, 403);
});

test("a customer cannot write on someone else's ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const theirs = await ws.ticket();
  const me = await ws.contact();
  const customer = await ws.customerSession(me.id);
  const res = await customer.post(`/api/v1/tickets/${theirs.id}/messages`, { body: "Hello" });
  assert.equal(res.statusCode, 404);
});

test("a light agent may add a note but not reply or set the status", async () => {
  const ws = await buildWorkspace(ctx());
  const light = await ws.agent({ role: "light_agent" });
  const ticket = await ws.ticket();
  const note = await ws
    .as(light)
    .post(`/api/v1/tickets/${ticket.id}/messages`, { body: "FYI", kind: "note" });
  assert.equal(note.statusCode, 201, note.body);
  assert.equal(note.json().message.kind, "note");
  const reply = await ws.as(light).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Hello" });
  assert.equal(reply.statusCode, 403);
  const noteWithStatus = await ws
    .as(light)
    .post(`/api/v1/tickets/${ticket.id}/messages`, { body: "FYI", kind: "note", status: "pending" });
  assert.equal(noteWithStatus.statusCode, 403);
});

test("a group-restricted agent cannot write on a ticket outside their groups", async () => {
  const ws = await buildWorkspace(ctx());
  const billing = await ws.group("Billing");
  const agent = await ws.agent({ ticketAccess: "groups", groupIds: [] });
  const ticket = await ws.ticket({ groupId: billing.id });
  const res = await ws.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Hi" });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().code, "not_found");
});

test("an empty message is a validation error and anonymous callers get 401", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  const empty = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "" });
  assert.equal(empty.statusCode, 400);
  assert.equal(empty.json().errors[0].path, "body.body");
  const anon = await ws.anonymous().post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Hi" });
  assert.equal(anon.statusCode, 401);
});
