import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

async function problemWithIncidents(ws: TestWorkspace, count: number, extra: Record<string, unknown> = {}) {
  const problem = await ws.ticket({ subject: "Login outage", type: "problem" });
  const incidents = [];
  for (let i = 0; i < count; i++) {
    const incident = await ws.ticket({ subject: `Cannot log in ${i}`, type: "incident", ...extra });
    const res = await ws.as(ws.admin).patch(`/api/v1/tickets/${incident.id}`, { problemId: problem.id });
    assert.equal(res.statusCode, 200, res.body);
    incidents.push(res.json());
  }
  return { problem, incidents };
}

async function get(ws: TestWorkspace, path: string) {
  return (await ws.as(ws.admin).get(path)).json();
}

test("an incident links to a problem; other types and non-problems are refused", async () => {
  const ws = await buildWorkspace(ctx());
  const problem = await ws.ticket({ type: "problem" });
  const question = await ws.ticket();
  const incident = await ws.ticket({ type: "incident" });
  const notIncident = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${question.id}`, { problemId: problem.id });
  assert.equal(notIncident.statusCode, 422);
  assert.equal(notIncident.json().errors[0].path, "problemId");
  const notProblem = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${incident.id}`, { problemId: question.id });
  assert.equal(notProblem.statusCode, 422);
  const ok = await ws.as(ws.admin).patch(`/api/v1/tickets/${incident.id}`, { problemId: problem.id });
  assert.equal(ok.json().problemId, problem.id);
});

test("an incident that changes type lets go of its problem; a problem with incidents keeps its type", async () => {
  const ws = await buildWorkspace(ctx());
  const { problem, incidents } = await problemWithIncidents(ws, 1);
  const stuck = await ws.as(ws.admin).patch(`/api/v1/tickets/${problem.id}`, { type: "task" });
  assert.equal(stuck.statusCode, 422);
  assert.equal(stuck.json().errors[0].path, "type");
  const changed = await ws.as(ws.admin).patch(`/api/v1/tickets/${incidents[0].id}`, { type: "question" });
  assert.equal(changed.statusCode, 200);
  assert.equal(changed.json().problemId, null);
});

test("GET incidents lists a problem's incidents page by page", async () => {
  const ws = await buildWorkspace(ctx());
  const { problem, incidents } = await problemWithIncidents(ws, 3);
  await ws.ticket({ type: "incident" });
  const first = await ws.as(ws.admin).get(`/api/v1/tickets/${problem.id}/incidents?limit=2`);
  assert.equal(first.statusCode, 200, first.body);
  assert.deepEqual(
    first.json().data.map((t: { id: number }) => t.id),
    [incidents[0].id, incidents[1].id],
  );
  assert.ok(first.json().nextCursor);
  const second = await get(
    ws,
    `/api/v1/tickets/${problem.id}/incidents?limit=2&cursor=${first.json().nextCursor}`,
  );
  assert.deepEqual(
    second.data.map((t: { id: number }) => t.id),
    [incidents[2].id],
  );
  assert.equal(second.nextCursor, null);

  const bad = await ws.as(ws.admin).get(`/api/v1/tickets/${problem.id}/incidents?cursor=nope`);
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().code, "invalid_cursor");
  const tooMany = await ws.as(ws.admin).get(`/api/v1/tickets/${problem.id}/incidents?limit=1000`);
  assert.equal(tooMany.statusCode, 400);
});

test("GET incidents shows a group-restricted agent only the incidents they may see", async () => {
  const ws = await buildWorkspace(ctx());
  const support = await ws.group("Support");
  const billing = await ws.group("Billing");
  const agent = await ws.agent({ ticketAccess: "groups", groupIds: [support.id] });
  const problem = await ws.ticket({ type: "problem", groupId: support.id });
  for (const group of [support, billing]) {
    const incident = await ws.ticket({ type: "incident", groupId: group.id });
    await ws.as(ws.admin).patch(`/api/v1/tickets/${incident.id}`, { problemId: problem.id });
  }
  const res = await ws.as(agent).get(`/api/v1/tickets/${problem.id}/incidents`);
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().data.length, 1);
  assert.equal(res.json().data[0].groupId, support.id);

  const hiddenProblem = await ws.ticket({ type: "problem", groupId: billing.id });
  const hidden = await ws.as(agent).get(`/api/v1/tickets/${hiddenProblem.id}/incidents`);
  assert.equal(hidden.statusCode, 404);
});

test("GET incidents is for agents: customers get 403, anonymous 401, other workspaces 404", async () => {
  const ws = await buildWorkspace(ctx());
  const other = await buildWorkspace(ctx());
  const problem = await ws.ticket({ type: "problem" });
  const customer = await ws.customerSession(problem.requesterId);
  assert.equal((await customer.get(`/api/v1/tickets/${problem.id}/incidents`)).statusCode, 403);
  assert.equal((await ws.anonymous().get(`/api/v1/tickets/${problem.id}/incidents`)).statusCode, 401);
  assert.equal((await other.as(other.admin).get(`/api/v1/tickets/${problem.id}/incidents`)).statusCode, 404);
});

test("solving a problem solves its open incidents and posts its latest public reply to each", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const { problem, incidents } = await problemWithIncidents(ws, 3);
  // One incident is already solved: it is left alone.
  await ws.as(ws.admin).patch(`/api/v1/tickets/${incidents[2].id}`, { status: "solved" });
  await ws.as(agent).post(`/api/v1/tickets/${problem.id}/messages`, { body: "Investigating." });
  await ws
    .as(agent)
    .post(`/api/v1/tickets/${problem.id}/messages`, { body: "Internal detail", kind: "note" });
  const reply = await ws.as(agent).post(`/api/v1/tickets/${problem.id}/messages`, {
    body: "Fixed: sign-in works again.",
    status: "solved",
  });
  assert.equal(reply.statusCode, 201, reply.body);
  assert.equal(reply.json().ticket.status, "solved");

  for (const incident of incidents.slice(0, 2)) {
    const now = await get(ws, `/api/v1/tickets/${incident.id}`);
    assert.equal(now.status, "solved");
    assert.equal(now.version, incident.version + 1);
    assert.ok(now.solvedAt);
    assert.ok(now.firstRespondedAt);
    const messages = (await get(ws, `/api/v1/tickets/${incident.id}/messages`)).data;
    const last = messages.at(-1);
    assert.equal(last.body, "Fixed: sign-in works again.");
    assert.equal(last.kind, "reply");
    assert.equal(last.direction, "out");
    assert.deepEqual(last.author, { type: "user", id: agent.id });
    const events = (await get(ws, `/api/v1/tickets/${incident.id}/events`)).data;
    const solved = events.find(
      (e: { type: string; changes: Record<string, unknown> }) =>
        e.type === "ticket.updated" && e.changes.solvedWithProblemId,
    );
    assert.deepEqual(solved.changes.status, { from: "new", to: "solved" });
    assert.deepEqual(solved.actor, { type: "user", id: agent.id });
    assert.equal(events.at(-1).type, "message.created");
  }
  const untouched = (await get(ws, `/api/v1/tickets/${incidents[2].id}/messages`)).data;
  assert.equal(untouched.length, 1);

  const problemEvents = (await get(ws, `/api/v1/tickets/${problem.id}/events`)).data;
  const cascade = problemEvents.find((e: { type: string }) => e.type === "problem.incidents_solved");
  assert.deepEqual(cascade.changes.solvedIds, [incidents[0].id, incidents[1].id]);
  assert.equal(cascade.changes.replyMessageId, reply.json().message.id);
});

test("a problem solved without a public reply solves its incidents without posting", async () => {
  const ws = await buildWorkspace(ctx());
  const { problem, incidents } = await problemWithIncidents(ws, 2);
  await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${problem.id}/messages`, { body: "Internal only", kind: "note" });
  const res = await ws.as(ws.admin).patch(`/api/v1/tickets/${problem.id}`, { status: "solved" });
  assert.equal(res.statusCode, 200);
  for (const incident of incidents) {
    assert.equal((await get(ws, `/api/v1/tickets/${incident.id}`)).status, "solved");
    assert.equal((await get(ws, `/api/v1/tickets/${incident.id}/messages`)).data.length, 1);
  }
});

test("an incident missing a required field gets the reply but stays open", async () => {
  const ws = await buildWorkspace(ctx());
  await ws.db
    .insertInto("custom_fields")
    .values({
      workspace_id: ws.id,
      key: "cause",
      label: "Cause",
      kind: "text",
      options: "[]",
      required_on_solve: true,
    })
    .execute();
  const { problem, incidents } = await problemWithIncidents(ws, 2);
  await ws.as(ws.admin).patch(`/api/v1/tickets/${incidents[0].id}`, { customFields: { cause: "Outage" } });
  await ws.as(ws.admin).patch(`/api/v1/tickets/${incidents[1].id}`, { status: "pending" });
  const res = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${problem.id}/messages`, { body: "Fixed.", status: "solved" });
  // The problem itself needs the field too.
  assert.equal(res.statusCode, 422);
  await ws.as(ws.admin).patch(`/api/v1/tickets/${problem.id}`, { customFields: { cause: "Outage" } });
  const solved = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${problem.id}/messages`, { body: "Fixed.", status: "solved" });
  assert.equal(solved.statusCode, 201, solved.body);

  assert.equal((await get(ws, `/api/v1/tickets/${incidents[0].id}`)).status, "solved");
  const open = await get(ws, `/api/v1/tickets/${incidents[1].id}`);
  assert.equal(open.status, "pending");
  const messages = (await get(ws, `/api/v1/tickets/${incidents[1].id}/messages`)).data;
  assert.equal(messages.at(-1).body, "Fixed.");
  const events = (await get(ws, `/api/v1/tickets/${problem.id}/events`)).data;
  const cascade = events.find((e: { type: string }) => e.type === "problem.incidents_solved");
  assert.deepEqual(cascade.changes.leftOpenIds, [incidents[1].id]);
});

test("solving a problem in a bulk update solves its incidents too", async () => {
  const ws = await buildWorkspace(ctx());
  const { problem, incidents } = await problemWithIncidents(ws, 1);
  const res = await ws
    .as(ws.admin)
    .post("/api/v1/tickets/bulk", { ids: [problem.id], changes: { status: "solved" } });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal((await get(ws, `/api/v1/tickets/${incidents[0].id}`)).status, "solved");
});
