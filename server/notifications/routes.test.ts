import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestUser, type TestWorkspace, useTestApp } from "../test/harness.ts";

// Assignment notifications are written by the assigning request itself (see
// server/tickets/assignment-notifications.test.ts), so these tests need no workers.
const ctx = useTestApp();

async function assign(ws: TestWorkspace, agent: TestUser, overrides: Record<string, unknown> = {}) {
  return ws.ticket({ assigneeId: agent.id, ...overrides });
}

const list = async (ws: TestWorkspace, user: TestUser, query = "") => {
  const res = await ws.as(user).get(`/api/v1/notifications${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { data: any[]; nextCursor: string | null };
};

const count = async (ws: TestWorkspace, user: TestUser) => {
  const res = await ws.as(user).get("/api/v1/notifications/unread-count");
  assert.equal(res.statusCode, 200, res.body);
  return res.json().unreadCount as number;
};

test("an agent lists their notifications newest first, with ticket and actor", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const first = await assign(ws, agent, { subject: "First" });
  const second = await assign(ws, agent, { subject: "Second" });
  const page = await list(ws, agent);
  assert.deepEqual(
    page.data.map((n) => [n.kind, n.ticket.id, n.ticket.subject, n.readAt]),
    [
      ["ticket_assigned", second.id, "Second", null],
      ["ticket_assigned", first.id, "First", null],
    ],
  );
  assert.equal(page.data[0].ticket.number, second.number);
  assert.equal(page.data[0].actor.type, "user");
  assert.equal(page.data[0].actor.id, ws.admin.id);
  assert.match(page.data[0].actor.name, /^Agent \d+$/);
  assert.equal(page.data[0].excerpt, null);
  assert.ok(!Number.isNaN(Date.parse(page.data[0].createdAt)));
  assert.equal(page.nextCursor, null);
  assert.equal(await count(ws, agent), 2);
});

test("pages follow the cursor without gaps or repeats; a made-up cursor is 400", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const ids: number[] = [];
  for (let i = 0; i < 5; i++) ids.push((await assign(ws, agent)).id);
  const seen: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await list(ws, agent, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
    assert.ok(page.data.length <= 2);
    seen.push(...page.data.map((n) => n.ticket.id));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor);
  assert.equal(pages, 3);
  assert.deepEqual(seen, ids.reverse());
  const bad = await ws.as(agent).get("/api/v1/notifications?cursor=nonsense");
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().code, "invalid_cursor");
});

test("marking read: given ids, then all; unread=true and the count follow", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  for (let i = 0; i < 3; i++) await assign(ws, agent);
  const [newest, middle] = (await list(ws, agent)).data;
  const res = await ws.as(agent).post("/api/v1/notifications/read", { ids: [newest.id, newest.id] });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { updated: 1, unreadCount: 2 });
  const again = await ws.as(agent).post("/api/v1/notifications/read", { ids: [newest.id] });
  assert.deepEqual(again.json(), { updated: 0, unreadCount: 2 });

  const unread = await list(ws, agent, "?unread=true");
  assert.equal(unread.data.length, 2);
  assert.ok(!unread.data.some((n) => n.id === newest.id));
  const all = await list(ws, agent);
  assert.ok(all.data[0].readAt, "the read one keeps its read time in the full list");
  assert.equal(all.data[1].id, middle.id);

  const everything = await ws.as(agent).post("/api/v1/notifications/read-all");
  assert.equal(everything.statusCode, 200, everything.body);
  assert.deepEqual(everything.json(), { updated: 2, unreadCount: 0 });
  assert.equal((await list(ws, agent, "?unread=true")).data.length, 0);
  assert.equal(await count(ws, agent), 0);
});

test("another user's or another workspace's notifications are neither listed nor marked", async () => {
  const ws = await buildWorkspace(ctx());
  const other = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const colleague = await ws.agent();
  const stranger = await other.agent();
  await assign(ws, agent);
  await assign(other, stranger);
  const mine = (await list(ws, agent)).data[0];
  const theirs = (await list(other, stranger)).data[0];

  assert.equal((await list(ws, colleague)).data.length, 0);
  assert.equal(await count(ws, colleague), 0);
  const byColleague = await ws.as(colleague).post("/api/v1/notifications/read", { ids: [mine.id] });
  assert.deepEqual(byColleague.json(), { updated: 0, unreadCount: 0 });
  const acrossWorkspaces = await ws.as(agent).post("/api/v1/notifications/read", { ids: [theirs.id] });
  assert.deepEqual(acrossWorkspaces.json(), { updated: 0, unreadCount: 1 });
  await ws.as(colleague).post("/api/v1/notifications/read-all");
  assert.equal(await count(ws, agent), 1);
  assert.equal(await count(other, stranger), 1);
});

test("a notification on a ticket the agent can no longer see is hidden, and back with access", async () => {
  const ws = await buildWorkspace(ctx());
  const billing = await ws.group("billing");
  const agent = await ws.agent({ ticketAccess: "groups", groupIds: [billing.id] });
  const ticket = await assign(ws, agent, { subject: "Secret refund", groupId: billing.id });
  assert.equal(await count(ws, agent), 1);
  // Unassigned, and the agent leaves the group: the ticket is out of their sight.
  const moved = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { assigneeId: null });
  assert.equal(moved.statusCode, 200, moved.body);
  const left = await ws.as(ws.admin).patch(`/api/v1/users/${agent.id}`, { groupIds: [] });
  assert.equal(left.statusCode, 200, left.body);
  const hidden = await ws.as(agent).get("/api/v1/notifications");
  assert.equal(hidden.json().data.length, 0);
  assert.ok(!hidden.body.includes("Secret refund"));
  assert.equal(await count(ws, agent), 0);

  const joined = await ws.as(ws.admin).patch(`/api/v1/users/${agent.id}`, { groupIds: [billing.id] });
  assert.equal(joined.statusCode, 200, joined.body);
  assert.equal((await list(ws, agent)).data[0].ticket.subject, "Secret refund");
});

test("without credentials 401; a customer 403; a read-only token cannot mark", async () => {
  const ws = await buildWorkspace(ctx());
  const anonymous = await ws.anonymous().get("/api/v1/notifications");
  assert.equal(anonymous.statusCode, 401);
  assert.equal(anonymous.json().code, "unauthorized");
  assert.equal((await ws.anonymous().post("/api/v1/notifications/read-all")).statusCode, 401);

  const contact = await ws.contact();
  const customer = await ws.customerSession(contact.id);
  const refused = await customer.get("/api/v1/notifications/unread-count");
  assert.equal(refused.statusCode, 403);
  assert.equal(refused.json().code, "forbidden");

  const agent = await ws.agent();
  const created = await ws.as(agent).post("/api/v1/api-tokens", { name: "bell", scopes: ["read"] });
  assert.equal(created.statusCode, 201, created.body);
  const auth = { authorization: `Bearer ${created.json().token}` };
  const read = await ws.ctx.app.inject({ method: "GET", url: "/api/v1/notifications", headers: auth });
  assert.equal(read.statusCode, 200, read.body);
  const write = await ws.ctx.app.inject({
    method: "POST",
    url: "/api/v1/notifications/read-all",
    headers: auth,
    payload: {},
  });
  assert.equal(write.statusCode, 403);
  assert.equal(write.json().code, "forbidden");
});

test("bad input is a 400 validation_failed naming the field", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const cases: [unknown, string][] = [
    [{}, "body.ids"],
    [{ ids: [] }, "body.ids"],
    [{ ids: "x" }, "body.ids.0"],
    [{ ids: [0] }, "body.ids.0"],
    [{ ids: Array.from({ length: 101 }, (_, i) => i + 1) }, "body.ids"],
    [{ ids: [1], extra: true }, "body.extra"],
  ];
  for (const [body, path] of cases) {
    const res = await ws.as(agent).post("/api/v1/notifications/read", body);
    assert.equal(res.statusCode, 400, JSON.stringify(body));
    assert.equal(res.json().code, "validation_failed");
    assert.ok(
      res.json().errors.some((e: { path: string }) => e.path === path),
      `${JSON.stringify(body)}: ${res.body}`,
    );
  }
  const limit = await ws.as(agent).get("/api/v1/notifications?limit=101");
  assert.equal(limit.statusCode, 400);
  assert.equal(limit.json().code, "validation_failed");
  const unread = await ws.as(agent).get("/api/v1/notifications?unread=maybe");
  assert.equal(unread.statusCode, 400);
});
