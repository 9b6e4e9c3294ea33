import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestWorkspace } from "../test/harness.ts";
import { TestSocket, useLiveApp } from "./live-app.ts";

const ctx = useLiveApp();

const socketFor = (cookie: string) => TestSocket.open(ctx().wsUrl, { cookie });
const eventOf = (ticketId: number, type: string) => (m: { type: string; event?: any }) =>
  m.type === "ticket.event" && m.event.ticketId === ticketId && m.event.type === type;

async function apiToken(ws: TestWorkspace, cookie: string, scopes: string[]) {
  const res = await ws.ctx.app.inject({
    method: "POST",
    url: "/api/v1/api-tokens",
    headers: { cookie },
    payload: { name: "realtime", scopes },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().token as string;
}

test("a socket without credentials is closed with 4401", async () => {
  const socket = new TestSocket(ctx().wsUrl);
  assert.equal((await socket.closed).code, 4401);
  const badToken = new TestSocket(`${ctx().wsUrl}?token=pt_not_a_real_token`);
  assert.equal((await badToken.closed).code, 4401);
  const badCookie = new TestSocket(ctx().wsUrl, { cookie: "parley_session=ps_nope" });
  assert.equal((await badCookie.closed).code, 4401);
});

test("a session cookie from another site's page is refused with 4403", async () => {
  const ws = await buildWorkspace(ctx());
  const socket = new TestSocket(ctx().wsUrl, { cookie: ws.admin.cookie, origin: "https://evil.example" });
  assert.equal((await socket.closed).code, 4403);
});

test("an agent hears of a ticket created through the API, with its actor and changes", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const socket = await socketFor(agent.cookie);
  const ticket = await ws.ticket();
  const created = await socket.next(eventOf(ticket.id, "ticket.created"));
  assert.deepEqual(created.event.actor, { type: "user", id: ws.admin.id });
  assert.equal(typeof created.event.id, "number");
  assert.ok(!Number.isNaN(Date.parse(created.event.createdAt)));
  const message = await socket.next(eventOf(ticket.id, "message.created"));
  assert.equal(message.event.changes.kind, "reply");
  await socket.close();
});

test("an API token in ?token= authenticates; one without the read scope does not", async () => {
  const ws = await buildWorkspace(ctx());
  const token = await apiToken(ws, ws.admin.cookie, ["read"]);
  const socket = await TestSocket.open(`${ctx().wsUrl}?token=${token}`);
  const ticket = await ws.ticket();
  await socket.next(eventOf(ticket.id, "ticket.created"));
  await socket.close();
  const writeOnly = await apiToken(ws, ws.admin.cookie, ["write"]);
  const refused = new TestSocket(`${ctx().wsUrl}?token=${writeOnly}`);
  assert.equal((await refused.closed).code, 4401);
  const viaHeader = await TestSocket.open(ctx().wsUrl, { authorization: `Bearer ${token}` });
  await viaHeader.close();
});

test("events stay in their workspace and group", async () => {
  const ws = await buildWorkspace(ctx());
  const other = await buildWorkspace(ctx());
  const billing = await ws.group("Billing");
  const support = await ws.group("Support");
  const supportAgent = await ws.agent({ ticketAccess: "groups", groupIds: [support.id] });
  const outsider = await socketFor(other.admin.cookie);
  const restricted = await socketFor(supportAgent.cookie);

  const hidden = await ws.ticket({ groupId: billing.id });
  const visible = await ws.ticket({ groupId: support.id });
  const mine = await other.ticket();

  // Events arrive in commit order: by the time the later ticket's event is in, the earlier
  // one would have been too.
  await restricted.next(eventOf(visible.id, "ticket.created"));
  assert.ok(!restricted.received.some((m) => m.event?.ticketId === hidden.id));
  await outsider.next(eventOf(mine.id, "ticket.created"));
  assert.ok(
    !outsider.received.some((m) => m.event?.ticketId === hidden.id || m.event?.ticketId === visible.id),
  );
  await restricted.close();
  await outsider.close();
});

test("a customer hears of public replies on their own ticket, never of notes", async () => {
  const ws = await buildWorkspace(ctx());
  const customer = await ws.contact();
  const client = await ws.customerSession(customer.id);
  const socket = await socketFor(client.headers.cookie);
  const theirs = await ws.ticket({ requester: { email: customer.email } });
  const someoneElses = await ws.ticket();
  const admin = ws.as(ws.admin);
  const note = await admin.post(`/api/v1/tickets/${theirs.id}/messages`, {
    kind: "note",
    body: "VIP, be nice",
  });
  assert.equal(note.statusCode, 201, note.body);
  await admin.patch(`/api/v1/tickets/${theirs.id}`, { tags: ["vip"], version: theirs.version });
  const reply = await admin.post(`/api/v1/tickets/${theirs.id}/messages`, { body: "On it!" });
  assert.equal(reply.statusCode, 201, reply.body);

  const heard = await socket.next(
    (m) => m.type === "ticket.event" && m.event.changes?.messageId === reply.json().message.id,
  );
  assert.equal(heard.event.type, "message.created");
  assert.equal(heard.event.actor, undefined);
  const events = socket.received.filter((m) => m.type === "ticket.event").map((m) => m.event);
  for (const e of events) {
    assert.deepEqual(Object.keys(e).sort(), ["changes", "createdAt", "id", "ticketId", "type"]);
  }
  assert.ok(events.every((e) => e.ticketId === theirs.id));
  assert.ok(!events.some((e) => e.changes.messageId === note.json().message.id));
  assert.ok(!events.some((e) => "tags" in e.changes), "tag changes are internal");
  assert.ok(!events.some((e) => e.ticketId === someoneElses.id));

  socket.send({ type: "presence", ticketId: theirs.id, state: "viewing" });
  const refused = await socket.next((m) => m.type === "error");
  assert.equal(refused.code, "not_available");
  await socket.close();
});

test("agents who may see a ticket see who views and types on it, and when they leave", async () => {
  const ws = await buildWorkspace(ctx());
  const support = await ws.group("Support");
  const ticket = await ws.ticket({ groupId: support.id });
  const alice = await ws.agent({ ticketAccess: "groups", groupIds: [support.id] });
  const bob = await ws.agent({ ticketAccess: "groups", groupIds: [support.id] });
  const carol = await ws.agent({ ticketAccess: "groups", groupIds: [] });
  const a = await socketFor(alice.cookie);
  const b = await socketFor(bob.cookie);
  const c = await socketFor(carol.cookie);

  a.send({ type: "presence", ticketId: ticket.id, state: "viewing" });
  const viewing = await b.next((m) => m.type === "presence" && m.users.length === 1);
  assert.equal(viewing.ticketId, ticket.id);
  assert.equal(viewing.users[0].id, alice.id);
  assert.equal(viewing.users[0].state, "viewing");
  assert.equal(typeof viewing.users[0].name, "string");

  a.send({ type: "presence", ticketId: ticket.id, state: "typing" });
  await b.next((m) => m.type === "presence" && m.users[0]?.state === "typing");

  c.send({ type: "presence", ticketId: ticket.id, state: "viewing" });
  const notFound = await c.next((m) => m.type === "error");
  assert.equal(notFound.code, "not_found");

  await a.close();
  await b.next((m) => m.type === "presence" && m.users.length === 0);
  assert.ok(!c.received.some((m) => m.type === "presence"), "carol cannot see the ticket");
  await b.close();
  await c.close();
});

test("bad messages get an error and a flood is rate limited", async () => {
  const ws = await buildWorkspace(ctx());
  const socket = await socketFor(ws.admin.cookie);
  socket.ws.send("not json");
  assert.equal((await socket.next((m) => m.type === "error")).code, "invalid_message");
  socket.send({ type: "presence", ticketId: "one", state: "viewing" });
  socket.send({ type: "ping" });
  await socket.next((m) => m.type === "pong");
  assert.equal(socket.received.filter((m) => m.code === "invalid_message").length, 2);
  for (let i = 0; i < 60; i++) socket.send({ type: "ping" });
  await socket.next((m) => m.code === "rate_limited");
  await socket.close();
});

test("an assignment by someone else leaves a notification for the assignee", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const selfAssigner = await ws.agent();
  const first = await ws.ticket();
  await ws
    .as(selfAssigner)
    .patch(`/api/v1/tickets/${first.id}`, { assigneeId: selfAssigner.id, version: first.version });
  const second = await ws.ticket();
  const res = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${second.id}`, { assigneeId: agent.id, version: second.version });
  assert.equal(res.statusCode, 200, res.body);

  const rows = await waitFor(async () => {
    const found = await ws.db
      .selectFrom("notifications")
      .select(["user_id", "ticket_id", "kind"])
      .where("workspace_id", "=", ws.id)
      .execute();
    return found.length > 0 ? found : null;
  });
  assert.deepEqual(rows, [{ user_id: agent.id, ticket_id: second.id, kind: "ticket_assigned" }]);
});

async function waitFor<T>(probe: () => Promise<T | null>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
