import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

test("an admin adds a user who can then sign in", async () => {
  const ws = await buildWorkspace(ctx());
  const support = await ws.group("Support");
  const email = `new-${ws.id}@example.test`;
  const res = await ws.as(ws.admin).post("/api/v1/users", {
    name: "Nia New",
    email,
    role: "agent",
    password: "a long enough password",
    ticketAccess: "groups",
    groupIds: [support.id],
    timeZone: "America/New_York",
  });
  assert.equal(res.statusCode, 201, res.body);
  const user = res.json();
  assert.equal(user.name, "Nia New");
  assert.equal(user.role, "agent");
  assert.equal(user.ticketAccess, "groups");
  assert.deepEqual(user.groupIds, [support.id]);
  assert.equal(user.timeZone, "America/New_York");
  assert.equal(user.active, true);
  assert.equal(user.password, undefined);

  const login = await ws
    .anonymous()
    .post("/api/v1/auth/login", { email, password: "a long enough password" });
  assert.equal(login.statusCode, 200);
  const listed = (await ws.as(ws.admin).get("/api/v1/users")).json().data.map((u: { id: number }) => u.id);
  assert.ok(listed.includes(user.id));
  assert.equal((await ws.as(ws.admin).get(`/api/v1/users/${user.id}`)).json().email, email);
});

test("adding a user validates fields, groups and time zone", async () => {
  const ws = await buildWorkspace(ctx());
  const schema = await ws.as(ws.admin).post("/api/v1/users", { name: "", email: "nope", role: "owner" });
  assert.equal(schema.statusCode, 400);
  const paths = schema.json().errors.map((e: { path: string }) => e.path);
  for (const p of ["body.name", "body.email", "body.role"]) assert.ok(paths.includes(p), paths.join());

  const other = await buildWorkspace(ctx());
  const foreignGroup = await other.group();
  const groups = await ws.as(ws.admin).post("/api/v1/users", {
    name: "G",
    email: `g-${ws.id}@example.test`,
    role: "agent",
    groupIds: [foreignGroup.id],
  });
  assert.equal(groups.statusCode, 422);
  assert.equal(groups.json().errors[0].path, "groupIds");

  const zone = await ws.as(ws.admin).post("/api/v1/users", {
    name: "Z",
    email: `z-${ws.id}@example.test`,
    role: "agent",
    timeZone: "Nowhere/Special",
  });
  assert.equal(zone.statusCode, 422);
  assert.equal(zone.json().errors[0].path, "timeZone");
});

test("a duplicate email in the workspace is 409 already_exists, whatever its case", async () => {
  const ws = await buildWorkspace(ctx());
  const existing = await ws.agent();
  const res = await ws.as(ws.admin).post("/api/v1/users", {
    name: "Twin",
    email: existing.email.toUpperCase(),
    role: "agent",
  });
  assert.equal(res.statusCode, 409);
  assert.equal(res.json().code, "already_exists");
  // The same address may work in another workspace.
  const other = await buildWorkspace(ctx());
  const elsewhere = await other.as(other.admin).post("/api/v1/users", {
    name: "Twin",
    email: existing.email,
    role: "agent",
  });
  assert.equal(elsewhere.statusCode, 201);
});

test("an admin changes a user's role, access and groups", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const billing = await ws.group("Billing");
  const res = await ws.as(ws.admin).patch(`/api/v1/users/${agent.id}`, {
    name: "Renamed",
    role: "light_agent",
    ticketAccess: "groups",
    groupIds: [billing.id],
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().role, "light_agent");
  assert.deepEqual(res.json().groupIds, [billing.id]);
  // The new role applies to the user's very next request.
  const write = await ws.as(agent).post("/api/v1/contacts", { name: "x" });
  assert.equal(write.statusCode, 403);
});

test("a deactivated user's session stops working at once", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  assert.equal((await ws.as(agent).get("/api/v1/me")).statusCode, 200);
  const res = await ws.as(ws.admin).patch(`/api/v1/users/${agent.id}`, { active: false });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().active, false);
  const after = await ws.as(agent).get("/api/v1/me");
  assert.equal(after.statusCode, 401);
  assert.equal(after.json().code, "unauthorized");
});

test("an admin cannot demote or deactivate themselves", async () => {
  const ws = await buildWorkspace(ctx());
  const demote = await ws.as(ws.admin).patch(`/api/v1/users/${ws.admin.id}`, { role: "agent" });
  assert.equal(demote.statusCode, 422);
  assert.equal(demote.json().errors[0].path, "role");
  const deactivate = await ws.as(ws.admin).patch(`/api/v1/users/${ws.admin.id}`, { active: false });
  assert.equal(deactivate.statusCode, 422);
  assert.equal(deactivate.json().errors[0].path, "active");
  const me = (await ws.as(ws.admin).get("/api/v1/me")).json();
  assert.equal(me.role, "admin");
  assert.equal(me.active, true);
  // Renaming yourself is fine.
  assert.equal((await ws.as(ws.admin).patch(`/api/v1/users/${ws.admin.id}`, { name: "Me" })).statusCode, 200);
});

test("updating a user validates the body", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const empty = await ws.as(ws.admin).patch(`/api/v1/users/${agent.id}`, {});
  assert.equal(empty.statusCode, 400);
  const unknown = await ws.as(ws.admin).patch(`/api/v1/users/${agent.id}`, { email: "x@y.z" });
  assert.equal(unknown.statusCode, 400);
  assert.equal(unknown.json().errors[0].path, "body.email");
});

test("agents and light agents see the team but cannot change it", async () => {
  const ws = await buildWorkspace(ctx());
  for (const role of ["agent", "light_agent"] as const) {
    const user = await ws.agent({ role });
    assert.equal((await ws.as(user).get("/api/v1/users")).statusCode, 200);
    const create = await ws.as(user).post("/api/v1/users", { name: "X", email: "x@ex.test", role: "admin" });
    assert.equal(create.statusCode, 403, role);
    assert.equal(create.json().code, "forbidden");
    const promote = await ws.as(user).patch(`/api/v1/users/${user.id}`, { role: "admin" });
    assert.equal(promote.statusCode, 403, role);
  }
});

test("customers and anonymous callers cannot reach users", async () => {
  const ws = await buildWorkspace(ctx());
  assert.equal((await ws.anonymous().get("/api/v1/users")).statusCode, 401);
  assert.equal((await ws.anonymous().post("/api/v1/users", {})).statusCode, 401);
  const customer = await ws.customerSession((await ws.contact()).id);
  assert.equal((await customer.get("/api/v1/users")).statusCode, 403);
  assert.equal((await customer.get(`/api/v1/users/${ws.admin.id}`)).statusCode, 403);
  assert.equal(
    (await customer.post("/api/v1/users", { name: "X", email: "x@ex.test", role: "admin" })).statusCode,
    403,
  );
});

test("users of another workspace are not found", async () => {
  const mine = await buildWorkspace(ctx());
  const theirs = await buildWorkspace(ctx());
  const stranger = await theirs.agent();
  assert.equal((await mine.as(mine.admin).get(`/api/v1/users/${stranger.id}`)).statusCode, 404);
  const patch = await mine.as(mine.admin).patch(`/api/v1/users/${stranger.id}`, { active: false });
  assert.equal(patch.statusCode, 404);
  assert.equal(patch.json().code, "not_found");
  assert.equal((await theirs.as(stranger).get("/api/v1/me")).statusCode, 200);
  const ids = (await mine.as(mine.admin).get("/api/v1/users")).json().data.map((u: { id: number }) => u.id);
  assert.deepEqual(ids, [mine.admin.id]);
});
