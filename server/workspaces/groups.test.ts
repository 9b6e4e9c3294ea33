import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

test("an admin creates, renames, lists and deletes a group", async () => {
  const ws = await buildWorkspace(ctx());
  const created = await ws.as(ws.admin).post("/api/v1/groups", { name: "  Billing ", description: "Money" });
  assert.equal(created.statusCode, 201, created.body);
  const group = created.json();
  assert.equal(group.name, "Billing");
  assert.equal(group.description, "Money");

  const renamed = await ws.as(ws.admin).patch(`/api/v1/groups/${group.id}`, { name: "Payments" });
  assert.equal(renamed.statusCode, 200);
  assert.equal(renamed.json().name, "Payments");
  assert.equal(renamed.json().description, "Money");

  const agent = await ws.agent();
  const list = await ws.as(agent).get("/api/v1/groups");
  assert.deepEqual(
    list.json().data.map((g: { name: string }) => g.name),
    ["Payments"],
  );

  const deleted = await ws.as(ws.admin).delete(`/api/v1/groups/${group.id}`);
  assert.equal(deleted.statusCode, 204);
  assert.equal((await ws.as(agent).get("/api/v1/groups")).json().data.length, 0);
});

test("deleting a group removes its memberships", async () => {
  const ws = await buildWorkspace(ctx());
  const group = await ws.group("Tier 2");
  const member = await ws.agent({ groupIds: [group.id] });
  assert.equal((await ws.as(ws.admin).delete(`/api/v1/groups/${group.id}`)).statusCode, 204);
  const user = (await ws.as(ws.admin).get(`/api/v1/users/${member.id}`)).json();
  assert.deepEqual(user.groupIds, []);
});

test("a group that tickets belong to cannot be deleted: 409 group_in_use", async () => {
  const ws = await buildWorkspace(ctx());
  const group = await ws.group("Escalations");
  await ws.ticket({ groupId: group.id });
  const res = await ws.as(ws.admin).delete(`/api/v1/groups/${group.id}`);
  assert.equal(res.statusCode, 409);
  assert.equal(res.json().code, "group_in_use");
  assert.equal(res.json().ticketCount, 1);
  const names = (await ws.as(ws.admin).get("/api/v1/groups"))
    .json()
    .data.map((g: { name: string }) => g.name);
  assert.deepEqual(names, ["Escalations"]);
});

test("a duplicate group name is 409 already_exists, whatever its case", async () => {
  const ws = await buildWorkspace(ctx());
  await ws.group("Billing");
  const res = await ws.as(ws.admin).post("/api/v1/groups", { name: "billing" });
  assert.equal(res.statusCode, 409);
  assert.equal(res.json().code, "already_exists");
  const other = await ws.group("Sales");
  const rename = await ws.as(ws.admin).patch(`/api/v1/groups/${other.id}`, { name: "BILLING" });
  assert.equal(rename.statusCode, 409);
});

test("group writes validate the body", async () => {
  const ws = await buildWorkspace(ctx());
  const group = await ws.group();
  const blank = await ws.as(ws.admin).post("/api/v1/groups", { name: "" });
  assert.equal(blank.statusCode, 400);
  assert.equal(blank.json().errors[0].path, "body.name");
  const empty = await ws.as(ws.admin).patch(`/api/v1/groups/${group.id}`, {});
  assert.equal(empty.statusCode, 400);
  const unknown = await ws.as(ws.admin).patch(`/api/v1/groups/${group.id}`, { colour: "red" });
  assert.equal(unknown.statusCode, 400);
  assert.equal(unknown.json().errors[0].path, "body.colour");
});

test("agents and light agents read groups but cannot change them", async () => {
  const ws = await buildWorkspace(ctx());
  const group = await ws.group();
  for (const role of ["agent", "light_agent"] as const) {
    const user = await ws.agent({ role });
    assert.equal((await ws.as(user).get("/api/v1/groups")).statusCode, 200);
    assert.equal((await ws.as(user).post("/api/v1/groups", { name: `x-${role}` })).statusCode, 403, role);
    assert.equal(
      (await ws.as(user).patch(`/api/v1/groups/${group.id}`, { name: "y" })).statusCode,
      403,
      role,
    );
    assert.equal((await ws.as(user).delete(`/api/v1/groups/${group.id}`)).statusCode, 403, role);
  }
});

test("customers get 403 and anonymous callers 401", async () => {
  const ws = await buildWorkspace(ctx());
  const group = await ws.group();
  const customer = await ws.customerSession((await ws.contact()).id);
  assert.equal((await customer.get("/api/v1/groups")).statusCode, 403);
  assert.equal((await customer.delete(`/api/v1/groups/${group.id}`)).statusCode, 403);
  assert.equal((await ws.anonymous().get("/api/v1/groups")).statusCode, 401);
  assert.equal((await ws.anonymous().delete(`/api/v1/groups/${group.id}`)).statusCode, 401);
});

test("groups of another workspace are not found", async () => {
  const mine = await buildWorkspace(ctx());
  const theirs = await buildWorkspace(ctx());
  const group = await theirs.group("Theirs");
  const patch = await mine.as(mine.admin).patch(`/api/v1/groups/${group.id}`, { name: "Mine" });
  assert.equal(patch.statusCode, 404);
  const del = await mine.as(mine.admin).delete(`/api/v1/groups/${group.id}`);
  assert.equal(del.statusCode, 404);
  assert.equal(del.json().code, "not_found");
  assert.equal((await mine.as(mine.admin).get("/api/v1/groups")).json().data.length, 0);
  assert.equal((await theirs.as(theirs.admin).get("/api/v1/groups")).json().data[0].name, "Theirs");
});
