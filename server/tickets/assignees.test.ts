import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

async function assignees(ws: TestWorkspace, groupIds: number[] = []) {
  const query = groupIds.map((id) => `groupIds=${id}`).join("&");
  const res = await ws.as(ws.admin).get(`/api/v1/assignees${query ? `?${query}` : ""}`);
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().data as { id: number; name: string }[]).map((u) => u.name);
}

test("an admin in no group may take any ticket: `a`, the update and the bulk bar agree", async () => {
  const ws = await buildWorkspace(ctx());
  const billing = await ws.group("Billing");
  const ticket = await ws.ticket({ groupId: billing.id });
  // What the `a` key sends: the signed-in person as assignee, with the version on screen.
  const mine = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${ticket.id}`, { assigneeId: ws.admin.id, version: ticket.version });
  assert.equal(mine.statusCode, 200, mine.body);
  assert.equal(mine.json().assigneeId, ws.admin.id);
  const other = await ws.ticket({ groupId: billing.id });
  const bulk = await ws
    .as(ws.admin)
    .post("/api/v1/tickets/bulk", { ids: [other.id], changes: { assigneeId: ws.admin.id } });
  assert.equal(bulk.json().results[0].ok, true, bulk.body);
  const created = await ws.ticket({ groupId: billing.id, assigneeId: ws.admin.id });
  assert.equal(created.status, "open");
});

test("an agent outside the group is refused in a whole sentence that names them and the group", async () => {
  const ws = await buildWorkspace(ctx());
  const billing = await ws.group("Billing");
  const dana = await ws.agent({ name: "Dana Reyes" });
  const ticket = await ws.ticket({ groupId: billing.id });
  const res = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${ticket.id}`, { assigneeId: dana.id, version: ticket.version });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().code, "validation_failed");
  assert.deepEqual(res.json().errors, [
    {
      path: "assigneeId",
      message: "Dana Reyes is not a member of the Billing group, so the ticket cannot be assigned to them.",
    },
  ]);
  // The same words when she presses `a` herself, and per ticket in a bulk update.
  const self = await ws.agent({ name: "Sam Ortiz" });
  const own = await ws
    .as(self)
    .patch(`/api/v1/tickets/${ticket.id}`, { assigneeId: self.id, version: ticket.version });
  assert.equal(
    own.json().errors[0].message,
    "Sam Ortiz is not a member of the Billing group, so the ticket cannot be assigned to them.",
  );
  const bulk = await ws
    .as(ws.admin)
    .post("/api/v1/tickets/bulk", { ids: [ticket.id], changes: { assigneeId: dana.id } });
  assert.match(
    bulk.json().results[0].error.errors[0].message,
    /^Dana Reyes is not a member of the Billing group/,
  );
});

test("light agents, deactivated people and unknown ids are refused with their reason", async () => {
  const ws = await buildWorkspace(ctx());
  const light = await ws.agent({ name: "Lee Light", role: "light_agent" });
  const gone = await ws.agent({ name: "Gale Gone" });
  await ws.as(ws.admin).patch(`/api/v1/users/${gone.id}`, { active: false });
  const ticket = await ws.ticket();
  const refusal = async (assigneeId: number) =>
    (await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { assigneeId })).json().errors[0].message;
  assert.equal(
    await refusal(light.id),
    "Lee Light is a light agent, and light agents cannot be assigned tickets.",
  );
  assert.equal(await refusal(gone.id), "Gale Gone is deactivated, so tickets cannot be assigned to them.");
  assert.equal(await refusal(999999), "There is no agent with id 999999 in this workspace.");
  const elsewhere = await (await buildWorkspace(ctx())).group("Theirs");
  const group = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { groupId: elsewhere.id });
  assert.deepEqual(group.json().errors, [
    { path: "groupId", message: `There is no group with id ${elsewhere.id} in this workspace.` },
  ]);
});

test("the assignee list follows the same rule: admins always, agents of every group asked for", async () => {
  const ws = await buildWorkspace(ctx());
  const billing = await ws.group("Billing");
  const shipping = await ws.group("Shipping");
  await ws.agent({ name: "Ana Billing", groupIds: [billing.id] });
  await ws.agent({ name: "Bo Both", groupIds: [billing.id, shipping.id] });
  await ws.agent({ name: "Cy Shipping", groupIds: [shipping.id] });
  await ws.agent({ name: "Di Light", role: "light_agent", groupIds: [billing.id] });
  const gone = await ws.agent({ name: "Ed Gone", groupIds: [billing.id] });
  await ws.as(ws.admin).patch(`/api/v1/users/${gone.id}`, { active: false });
  const admin = (await ws.as(ws.admin).get("/api/v1/me")).json().name as string;

  assert.deepEqual(await assignees(ws, [billing.id]), [admin, "Ana Billing", "Bo Both"].sort());
  assert.deepEqual(await assignees(ws, [billing.id, shipping.id]), [admin, "Bo Both"].sort());
  assert.deepEqual(await assignees(ws), [admin, "Ana Billing", "Bo Both", "Cy Shipping"].sort());

  // Whoever the list offers, the update accepts; whoever it leaves out, the update refuses.
  const ticket = await ws.ticket({ groupId: shipping.id });
  const listed = (await ws.as(ws.admin).get(`/api/v1/assignees?groupIds=${shipping.id}`)).json().data;
  const users = (await ws.as(ws.admin).get("/api/v1/users")).json().data as { id: number; name: string }[];
  for (const user of users) {
    const res = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { assigneeId: user.id });
    const offered = listed.some((u: { id: number }) => u.id === user.id);
    assert.equal(res.statusCode, offered ? 200 : 422, `${user.name}: ${res.body}`);
  }
});

test("the assignee list is for agents: customers get 403, anonymous callers 401", async () => {
  const ws = await buildWorkspace(ctx());
  const contact = await ws.contact();
  const customer = await ws.customerSession(contact.id);
  assert.equal((await customer.get("/api/v1/assignees")).statusCode, 403);
  assert.equal((await ws.anonymous().get("/api/v1/assignees")).statusCode, 401);
  assert.equal((await ws.as(ws.admin).get("/api/v1/assignees?groupIds=x")).statusCode, 400);
});
