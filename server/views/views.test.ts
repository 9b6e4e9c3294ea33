import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { buildWorkspace, type TestUser, type TestWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

interface View {
  id: number;
  name: string;
  shared: boolean;
  ownerId: number | null;
  count: number;
  countCapped: boolean;
  columns: string[];
  filters: Record<string, unknown>;
}

async function views(ws: TestWorkspace, user: TestUser) {
  const res = await ws.as(user).get("/api/v1/views");
  assert.equal(res.statusCode, 200, res.body);
  return res.json().data as View[];
}

const byName = (list: View[], name: string) => list.find((v) => v.name === name)!;

test("a new workspace has the default views, counted for the viewing agent", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  await ws.ticket({ assigneeId: agent.id });
  await ws.ticket({ status: "open" });
  await ws.ticket({ status: "pending" });

  const list = await views(ws, agent);
  assert.deepEqual(
    list.map((v) => v.name),
    ["My open tickets", "Unassigned", "All open", "Pending", "Solved recently"],
  );
  assert.ok(list.every((v) => v.shared && v.ownerId === null && !v.countCapped));
  assert.deepEqual(
    list.map((v) => v.count),
    [1, 1, 2, 1, 0],
  );
  // "me" is whoever looks: the admin has nothing assigned.
  assert.equal(byName(await views(ws, ws.admin), "My open tickets").count, 0);
});

test("running a view lists its tickets with the ticket list's page shape", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const t1 = await ws.ticket({ assigneeId: agent.id });
  const t2 = await ws.ticket({ assigneeId: agent.id, status: "pending" });
  await ws.ticket();
  const mine = byName(await views(ws, agent), "My open tickets");

  const first = (await ws.as(agent).get(`/api/v1/views/${mine.id}/tickets?limit=1`)).json();
  assert.deepEqual(
    first.data.map((t: { id: number }) => t.id),
    [t2.id],
  );
  const second = (
    await ws.as(agent).get(`/api/v1/views/${mine.id}/tickets?limit=1&cursor=${first.nextCursor}`)
  ).json();
  assert.deepEqual(
    second.data.map((t: { id: number }) => t.id),
    [t1.id],
  );
  assert.equal(second.nextCursor, null);
});

test("'solved recently' counts tickets solved within its window", async () => {
  const ws = await buildWorkspace(ctx());
  const t = await ws.ticket({ status: "open" });
  const solved = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${t.id}`, { status: "solved", version: t.version });
  assert.equal(solved.statusCode, 200, solved.body);
  const recent = byName(await views(ws, ws.admin), "Solved recently");
  assert.equal(recent.count, 1);
  const run = (await ws.as(ws.admin).get(`/api/v1/views/${recent.id}/tickets`)).json();
  assert.deepEqual(
    run.data.map((x: { id: number }) => x.id),
    [t.id],
  );
  const old = await ws.as(ws.admin).post("/api/v1/views", {
    name: "Solved last year",
    filters: { status: ["solved"], updatedBefore: new Date(Date.now() - 86_400_000).toISOString() },
  });
  assert.equal(old.json().count, 0);
});

test("an agent keeps personal views that nobody else sees", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const colleague = await ws.agent();
  const group = await ws.group();
  await ws.ticket({ groupId: group.id, priority: "urgent", tags: ["vip"] });
  await ws.ticket({ priority: "urgent" });

  const created = await ws.as(agent).post("/api/v1/views", {
    name: "Urgent VIPs",
    filters: { priority: ["urgent"], tag: ["VIP"], groupId: group.id },
    sort: { field: "created_at", direction: "asc" },
    columns: ["number", "subject", "tags"],
  });
  assert.equal(created.statusCode, 201, created.body);
  const view = created.json() as View;
  assert.equal(view.shared, false);
  assert.equal(view.ownerId, agent.id);
  assert.equal(view.count, 1);
  assert.deepEqual(view.columns, ["number", "subject", "tags"]);
  assert.ok((await views(ws, agent)).some((v) => v.id === view.id));
  assert.ok(!(await views(ws, colleague)).some((v) => v.id === view.id));

  for (const res of [
    await ws.as(colleague).get(`/api/v1/views/${view.id}`),
    await ws.as(colleague).get(`/api/v1/views/${view.id}/tickets`),
    await ws.as(colleague).patch(`/api/v1/views/${view.id}`, { name: "Mine" }),
    await ws.as(colleague).delete(`/api/v1/views/${view.id}`),
    await ws.as(ws.admin).patch(`/api/v1/views/${view.id}`, { name: "Admin's" }),
  ]) {
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, "not_found");
  }

  const renamed = await ws.as(agent).patch(`/api/v1/views/${view.id}`, { name: "VIP urgent", filters: {} });
  assert.equal(renamed.statusCode, 200);
  assert.equal(renamed.json().name, "VIP urgent");
  assert.equal(renamed.json().count, 2);
  assert.equal((await ws.as(agent).delete(`/api/v1/views/${view.id}`)).statusCode, 204);
  assert.equal((await ws.as(agent).get(`/api/v1/views/${view.id}`)).statusCode, 404);
});

test("only admins create, change and delete shared views", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const shared = await ws.as(agent).post("/api/v1/views", { name: "Team", shared: true });
  assert.equal(shared.statusCode, 403);
  assert.equal(shared.json().code, "forbidden");

  const created = await ws.as(ws.admin).post("/api/v1/views", {
    name: "Escalations",
    shared: true,
    filters: { tag: ["escalated"] },
  });
  assert.equal(created.statusCode, 201);
  const view = created.json() as View;
  assert.equal(view.shared, true);
  assert.ok((await views(ws, agent)).some((v) => v.id === view.id));
  assert.equal((await ws.as(agent).patch(`/api/v1/views/${view.id}`, { name: "x" })).statusCode, 403);
  assert.equal((await ws.as(agent).delete(`/api/v1/views/${view.id}`)).statusCode, 403);
  assert.equal((await ws.as(ws.admin).patch(`/api/v1/views/${view.id}`, { position: 0 })).statusCode, 200);
  assert.equal((await ws.as(ws.admin).delete(`/api/v1/views/${view.id}`)).statusCode, 204);

  const token = await ws.as(ws.admin).post("/api/v1/api-tokens", { name: "ci", scopes: ["read", "write"] });
  const bearer = { authorization: `Bearer ${token.json().token}` };
  const viaToken = await ws
    .anonymous()
    .post("/api/v1/views", { name: "Team via token", shared: true }, bearer);
  assert.equal(viaToken.statusCode, 403);
  const personalViaToken = await ws.anonymous().post("/api/v1/views", { name: "Mine via token" }, bearer);
  assert.equal(personalViaToken.statusCode, 201);
});

test("light agents use views; customers and strangers cannot", async () => {
  const ws = await buildWorkspace(ctx());
  const light = await ws.agent({ role: "light_agent" });
  const list = await views(ws, light);
  assert.equal(list.length, 5);
  assert.equal((await ws.as(light).get(`/api/v1/views/${list[0].id}/tickets`)).statusCode, 200);
  assert.equal((await ws.as(light).post("/api/v1/views", { name: "Mine" })).statusCode, 201);

  const ticket = await ws.ticket();
  const customer = await ws.customerSession(ticket.requesterId);
  assert.equal((await customer.get("/api/v1/views")).statusCode, 403);
  assert.equal((await customer.get(`/api/v1/views/${list[0].id}/tickets`)).statusCode, 403);
  assert.equal((await customer.post("/api/v1/views", { name: "x" })).statusCode, 403);
  assert.equal((await ws.anonymous().get("/api/v1/views")).statusCode, 401);

  const other = await buildWorkspace(ctx());
  const res = await other.as(other.admin).get(`/api/v1/views/${list[0].id}/tickets`);
  assert.equal(res.statusCode, 404);
});

test("counts follow ticket visibility and stop at the cap", async () => {
  const ws = await buildWorkspace(ctx());
  const support = await ws.group();
  const billing = await ws.group();
  await ws.ticket({ groupId: support.id });
  await ws.ticket({ groupId: billing.id });
  const restricted = await ws.agent({ ticketAccess: "groups", groupIds: [support.id] });
  assert.equal(byName(await views(ws, restricted), "All open").count, 1);
  assert.equal(byName(await views(ws, ws.admin), "All open").count, 2);

  // A big backlog, written directly: 10,001 more open tickets for one requester.
  const requester = (await ws.ticket()).requesterId;
  await sql`insert into tickets (workspace_id, number, subject, status, requester_id, custom_fields)
    select ${ws.id}::bigint, 1000000 + g, 'Backlog', 'open', ${requester}::bigint, '{}'
    from generate_series(1, 10001) g`.execute(ws.db);
  const all = byName(await views(ws, ws.admin), "All open");
  assert.equal(all.count, 10_000);
  assert.equal(all.countCapped, true);
});

test("view definitions are validated", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = ws.as(await ws.agent());
  for (const body of [
    {},
    { name: "" },
    { name: "x", filters: { status: ["someday"] } },
    { name: "x", filters: { assigneeId: "you" } },
    { name: "x", filters: { colour: "red" } },
    { name: "x", filters: { updatedWithinDays: 0 } },
    { name: "x", sort: { field: "colour", direction: "asc" } },
    { name: "x", columns: ["number", "secret_column"] },
    { name: "x", columns: ["number", "number"] },
    { name: "x", columns: [] },
  ]) {
    const res = await agent.post("/api/v1/views", body);
    assert.equal(res.statusCode, 400, JSON.stringify(body));
    assert.equal(res.json().code, "validation_failed");
  }
  const view = (await agent.post("/api/v1/views", { name: "ok" })).json();
  assert.equal((await agent.patch(`/api/v1/views/${view.id}`, {})).statusCode, 400);
  assert.equal((await agent.patch(`/api/v1/views/${view.id}`, { shared: true })).statusCode, 400);
  const badCursor = await agent.get(`/api/v1/views/${view.id}/tickets?cursor=zzz`);
  assert.equal(badCursor.json().code, "invalid_cursor");
});
