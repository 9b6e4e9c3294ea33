import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

test("an agent creates a ticket and reads it back with its first message and event", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const res = await ws.as(agent).post("/api/v1/tickets", {
    subject: "  Cannot log in ",
    requester: { email: "Pat@Customer.test", name: "Pat" },
    priority: "high",
    tags: ["Login", "login", "VIP customer"],
    comment: { body: "I get an error when I log in." },
  });
  assert.equal(res.statusCode, 201, res.body);
  const ticket = res.json();
  assert.equal(ticket.subject, "Cannot log in");
  assert.equal(ticket.status, "new");
  assert.equal(ticket.priority, "high");
  assert.deepEqual(ticket.tags, ["login", "vip_customer"]);
  assert.equal(ticket.version, 1);
  assert.ok(ticket.number >= 1);

  const messages = (await ws.as(agent).get(`/api/v1/tickets/${ticket.id}/messages`)).json().data;
  assert.equal(messages.length, 1);
  assert.equal(messages[0].body, "I get an error when I log in.");
  assert.deepEqual(messages[0].author, { type: "contact", id: ticket.requesterId });

  const contact = (await ws.as(agent).get(`/api/v1/contacts/${ticket.requesterId}`)).json();
  assert.deepEqual(contact.emails, ["pat@customer.test"]);

  const events = (await ws.as(agent).get(`/api/v1/tickets/${ticket.id}/events`)).json().data;
  assert.deepEqual(
    events.map((e: { type: string }) => e.type),
    ["ticket.created", "message.created"],
  );
  assert.deepEqual(events[0].actor, { type: "user", id: agent.id });
  assert.deepEqual(events[0].changes, { status: "new", priority: "high", assigneeId: null, groupId: null });
  assert.deepEqual(events[1].actor, { type: "user", id: agent.id });
  assert.deepEqual(events[1].changes, { messageId: messages[0].id, kind: "reply", direction: "in" });
});

test("ticket numbers count up per workspace", async () => {
  const a = await buildWorkspace(ctx());
  const b = await buildWorkspace(ctx());
  const a1 = await a.ticket();
  const a2 = await a.ticket();
  const b1 = await b.ticket();
  assert.equal(a2.number, a1.number + 1);
  assert.equal(b1.number, 1);
});

test("creating a ticket reports each invalid field by path", async () => {
  const ws = await buildWorkspace(ctx());
  const res = await ws.as(ws.admin).post("/api/v1/tickets", {
    subject: "",
    priority: "whenever",
    requester: { email: "not-an-email" },
    comment: {},
  });
  assert.equal(res.statusCode, 400);
  assert.equal(res.headers["content-type"], "application/problem+json; charset=utf-8");
  const body = res.json();
  assert.equal(body.code, "validation_failed");
  const paths = body.errors.map((e: { path: string }) => e.path);
  assert.ok(paths.includes("body.subject"), paths.join());
  assert.ok(paths.includes("body.priority"), paths.join());
  assert.ok(paths.includes("body.comment.body"), paths.join());
});

test("an assignee outside the ticket's group is refused", async () => {
  const ws = await buildWorkspace(ctx());
  const billing = await ws.group("Billing");
  const outsider = await ws.agent();
  const res = await ws.as(ws.admin).post("/api/v1/tickets", {
    subject: "Refund",
    requester: { email: "r@customer.test" },
    groupId: billing.id,
    assigneeId: outsider.id,
    comment: { body: "Please refund" },
  });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().errors[0].path, "assigneeId");
});

test("a group of another workspace is refused before the fields, and uses up no ticket number", async () => {
  const ws = await buildWorkspace(ctx());
  const elsewhere = await (await buildWorkspace(ctx())).group("Theirs");
  const first = await ws.ticket();
  const post = (body: Record<string, unknown>) =>
    ws.as(ws.admin).post("/api/v1/tickets", {
      subject: "Refund",
      requester: { email: "r@customer.test" },
      comment: { body: "Please refund" },
      ...body,
    });
  const alone = await post({ groupId: elsewhere.id });
  assert.equal(alone.statusCode, 422);
  assert.deepEqual(alone.json().errors, [
    { path: "groupId", message: `There is no group with id ${elsewhere.id} in this workspace.` },
  ]);
  const withField = await post({ groupId: elsewhere.id, customFields: { nope: 1 } });
  assert.deepEqual(
    withField.json().errors.map((e: { path: string }) => e.path),
    ["groupId"],
  );
  const solved = await post({ groupId: elsewhere.id, status: "solved" });
  assert.equal(solved.json().errors[0].path, "groupId");
  const unknownField = await post({ customFields: { nope: 1 } });
  assert.equal(unknownField.json().errors[0].path, "customFields.nope");
  const next = await ws.ticket();
  assert.equal(next.number, first.number + 1);
});

test("requests without credentials get 401, bad tokens get 401", async () => {
  const ws = await buildWorkspace(ctx());
  const anon = await ws.anonymous().get("/api/v1/tickets");
  assert.equal(anon.statusCode, 401);
  assert.equal(anon.json().code, "unauthorized");
  const bad = await ws.anonymous().get("/api/v1/tickets", { authorization: "Bearer pat_nope" });
  assert.equal(bad.statusCode, 401);
});

test("tickets of another workspace are not found", async () => {
  const mine = await buildWorkspace(ctx());
  const theirs = await buildWorkspace(ctx());
  const ticket = await theirs.ticket();
  const res = await mine.as(mine.admin).get(`/api/v1/tickets/${ticket.id}`);
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().code, "not_found");
  const list = (await mine.as(mine.admin).get("/api/v1/tickets")).json();
  assert.equal(list.data.length, 0);
});
