import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

async function defineField(ws: TestWorkspace, body: Record<string, unknown>) {
  const res = await ws.as(ws.admin).post("/api/v1/custom-fields", body);
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: number; key: string };
}

test("an admin defines fields that every agent can read, in position order", async () => {
  const ws = await buildWorkspace(ctx());
  const res = await ws.as(ws.admin).post("/api/v1/custom-fields", {
    key: "plan",
    label: " Plan ",
    kind: "dropdown",
    options: ["free", "pro", "enterprise"],
    requiredOnSolve: true,
    position: 2,
  });
  assert.equal(res.statusCode, 201, res.body);
  const plan = res.json();
  assert.equal(plan.label, "Plan");
  assert.equal(plan.kind, "dropdown");
  assert.deepEqual(plan.options, ["free", "pro", "enterprise"]);
  assert.equal(plan.requiredOnSolve, true);
  assert.equal(plan.active, true);
  await defineField(ws, { key: "order_id", label: "Order", kind: "text", position: 1 });

  for (const role of ["agent", "light_agent"] as const) {
    const reader = await ws.agent({ role });
    const list = await ws.as(reader).get("/api/v1/custom-fields");
    assert.equal(list.statusCode, 200);
    assert.deepEqual(
      list.json().data.map((f: { key: string }) => f.key),
      ["order_id", "plan"],
    );
    assert.deepEqual((await ws.as(reader).get(`/api/v1/custom-fields/${plan.id}`)).json(), plan);
  }
});

test("an admin relabels, reorders, changes options and deactivates a field", async () => {
  const ws = await buildWorkspace(ctx());
  const field = await defineField(ws, {
    key: "tier",
    label: "Tier",
    kind: "multi_select",
    options: ["a", "b"],
  });
  const res = await ws.as(ws.admin).patch(`/api/v1/custom-fields/${field.id}`, {
    key: "tier",
    kind: "multi_select",
    label: "Support tier",
    options: ["a", "b", "c"],
    position: 7,
    active: false,
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().label, "Support tier");
  assert.deepEqual(res.json().options, ["a", "b", "c"]);
  assert.equal(res.json().position, 7);
  assert.equal(res.json().active, false);
  const active = (await ws.as(ws.admin).get("/api/v1/custom-fields?active=true")).json().data;
  assert.equal(active.length, 0);
  const inactive = (await ws.as(ws.admin).get("/api/v1/custom-fields?active=false")).json().data;
  assert.deepEqual(
    inactive.map((f: { key: string }) => f.key),
    ["tier"],
  );
  // Deactivated fields no longer take values on tickets.
  const ticket = await ws.as(ws.admin).post("/api/v1/tickets", {
    subject: "x",
    requester: { email: "t@customer.test" },
    customFields: { tier: ["a"] },
    comment: { body: "x" },
  });
  assert.equal(ticket.statusCode, 422);
  assert.equal(ticket.json().errors[0].path, "customFields.tier");
});

test("key and kind cannot change after creation", async () => {
  const ws = await buildWorkspace(ctx());
  const field = await defineField(ws, { key: "size", label: "Size", kind: "number" });
  const res = await ws
    .as(ws.admin)
    .patch(`/api/v1/custom-fields/${field.id}`, { key: "size2", kind: "text" });
  assert.equal(res.statusCode, 422);
  assert.deepEqual(
    res.json().errors.map((e: { path: string }) => e.path),
    ["key", "kind"],
  );
  const read = (await ws.as(ws.admin).get(`/api/v1/custom-fields/${field.id}`)).json();
  assert.equal(read.key, "size");
  assert.equal(read.kind, "number");
});

test("options are required for dropdowns and multi-selects, unique, and forbidden elsewhere", async () => {
  const ws = await buildWorkspace(ctx());
  const cases: [Record<string, unknown>, string][] = [
    [{ key: "a", label: "A", kind: "dropdown" }, "options"],
    [{ key: "b", label: "B", kind: "multi_select", options: [] }, "options"],
    [{ key: "c", label: "C", kind: "dropdown", options: ["x", "y", "x"] }, "options.2"],
    [{ key: "d", label: "D", kind: "dropdown", options: ["x", " "] }, "options.1"],
    [{ key: "e", label: "E", kind: "text", options: ["x"] }, "options"],
    [{ key: "f", label: "F", kind: "checkbox", options: ["yes"] }, "options"],
  ];
  for (const [body, path] of cases) {
    const res = await ws.as(ws.admin).post("/api/v1/custom-fields", body);
    assert.equal(res.statusCode, 422, JSON.stringify(body));
    assert.equal(res.json().errors[0].path, path, JSON.stringify(body));
  }
  const dropdown = await defineField(ws, { key: "g", label: "G", kind: "dropdown", options: ["x"] });
  const emptied = await ws.as(ws.admin).patch(`/api/v1/custom-fields/${dropdown.id}`, { options: [] });
  assert.equal(emptied.statusCode, 422);
  assert.equal((await ws.as(ws.admin).get("/api/v1/custom-fields")).json().data.length, 1);
});

test("field definitions validate key, kind and unknown properties", async () => {
  const ws = await buildWorkspace(ctx());
  const res = await ws.as(ws.admin).post("/api/v1/custom-fields", {
    key: "Order ID",
    label: "",
    kind: "color",
    colour: "red",
  });
  assert.equal(res.statusCode, 400);
  const paths = res.json().errors.map((e: { path: string }) => e.path);
  for (const p of ["body.key", "body.label", "body.kind", "body.colour"])
    assert.ok(paths.includes(p), paths.join());
  const field = await defineField(ws, { key: "ok", label: "OK", kind: "date" });
  const empty = await ws.as(ws.admin).patch(`/api/v1/custom-fields/${field.id}`, {});
  assert.equal(empty.statusCode, 400);
});

test("a key is unique per workspace: 409 already_exists", async () => {
  const ws = await buildWorkspace(ctx());
  await defineField(ws, { key: "region", label: "Region", kind: "text" });
  const res = await ws
    .as(ws.admin)
    .post("/api/v1/custom-fields", { key: "region", label: "Again", kind: "text" });
  assert.equal(res.statusCode, 409);
  assert.equal(res.json().code, "already_exists");
  const other = await buildWorkspace(ctx());
  await defineField(other, { key: "region", label: "Region", kind: "text" });
});

test("agents and light agents cannot define fields; customers cannot read them", async () => {
  const ws = await buildWorkspace(ctx());
  const field = await defineField(ws, { key: "k", label: "K", kind: "text" });
  for (const role of ["agent", "light_agent"] as const) {
    const user = await ws.agent({ role });
    const create = await ws.as(user).post("/api/v1/custom-fields", { key: "x", label: "X", kind: "text" });
    assert.equal(create.statusCode, 403, role);
    assert.equal(create.json().code, "forbidden");
    const patch = await ws.as(user).patch(`/api/v1/custom-fields/${field.id}`, { label: "Y" });
    assert.equal(patch.statusCode, 403, role);
  }
  const customer = await ws.customerSession((await ws.contact()).id);
  assert.equal((await customer.get("/api/v1/custom-fields")).statusCode, 403);
  assert.equal((await customer.get(`/api/v1/custom-fields/${field.id}`)).statusCode, 403);
  assert.equal((await ws.anonymous().get("/api/v1/custom-fields")).statusCode, 401);
  assert.equal((await ws.anonymous().post("/api/v1/custom-fields", {})).statusCode, 401);
});

test("fields of another workspace are not found", async () => {
  const mine = await buildWorkspace(ctx());
  const theirs = await buildWorkspace(ctx());
  const field = await defineField(theirs, { key: "secret", label: "Secret", kind: "text" });
  assert.equal((await mine.as(mine.admin).get(`/api/v1/custom-fields/${field.id}`)).statusCode, 404);
  const patch = await mine.as(mine.admin).patch(`/api/v1/custom-fields/${field.id}`, { active: false });
  assert.equal(patch.statusCode, 404);
  assert.equal((await mine.as(mine.admin).get("/api/v1/custom-fields")).json().data.length, 0);
  assert.equal((await theirs.as(theirs.admin).get(`/api/v1/custom-fields/${field.id}`)).json().active, true);
});

test("a ticket with a dropdown value outside the options is 422 at customFields.<key>", async () => {
  const ws = await buildWorkspace(ctx());
  await defineField(ws, { key: "plan", label: "Plan", kind: "dropdown", options: ["free", "pro"] });
  const agent = await ws.agent();
  const res = await ws.as(agent).post("/api/v1/tickets", {
    subject: "Upgrade",
    requester: { email: "u@customer.test" },
    customFields: { plan: "platinum" },
    comment: { body: "Please upgrade me" },
  });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().code, "validation_failed");
  assert.equal(res.json().errors[0].path, "customFields.plan");
  const ok = await ws.as(agent).post("/api/v1/tickets", {
    subject: "Upgrade",
    requester: { email: "u@customer.test" },
    customFields: { plan: "pro" },
    comment: { body: "Please upgrade me" },
  });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.deepEqual(ok.json().customFields, { plan: "pro" });
});

test("solving a ticket without a field required on solve is 422 until it is filled", async () => {
  const ws = await buildWorkspace(ctx());
  await defineField(ws, { key: "root_cause", label: "Root cause", kind: "text", requiredOnSolve: true });
  const ticket = await ws.ticket();
  const res = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, {
    status: "solved",
    version: ticket.version,
  });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().errors[0].path, "customFields.root_cause");
  assert.equal((await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}`)).json().status, "new");
  const solved = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, {
    status: "solved",
    customFields: { root_cause: "Paper jam" },
    version: ticket.version,
  });
  assert.equal(solved.statusCode, 200, solved.body);
  assert.equal(solved.json().status, "solved");
});

test("a field is hidden from customers until an admin marks it visibleToCustomers", async () => {
  const ws = await buildWorkspace(ctx());
  const field = await defineField(ws, { key: "order_id", label: "Order", kind: "text" });
  assert.equal(
    (await ws.as(ws.admin).get(`/api/v1/custom-fields/${field.id}`)).json().visibleToCustomers,
    false,
  );
  const contact = await ws.contact();
  const ticket = await ws.ticket({ requester: { id: contact.id }, customFields: { order_id: "A-1" } });
  const customer = await ws.customerSession(contact.id);
  const seen = async () => (await customer.get(`/api/v1/tickets/${ticket.id}`)).json().customFields;
  assert.deepEqual(await seen(), {});

  const agent = await ws.agent();
  assert.equal(
    (await ws.as(agent).patch(`/api/v1/custom-fields/${field.id}`, { visibleToCustomers: true })).statusCode,
    403,
  );
  const shown = await ws
    .as(ws.admin)
    .patch(`/api/v1/custom-fields/${field.id}`, { visibleToCustomers: true });
  assert.equal(shown.statusCode, 200, shown.body);
  assert.equal(shown.json().visibleToCustomers, true);
  assert.deepEqual(await seen(), { order_id: "A-1" });
  // Deactivating stops new values; it does not hide the values customers were already shown.
  await ws.as(ws.admin).patch(`/api/v1/custom-fields/${field.id}`, { active: false });
  assert.deepEqual(await seen(), { order_id: "A-1" });
  await ws.as(ws.admin).patch(`/api/v1/custom-fields/${field.id}`, { visibleToCustomers: false });
  assert.deepEqual(await seen(), {});
});
