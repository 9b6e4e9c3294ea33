import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

async function get(ws: TestWorkspace, path: string) {
  return (await ws.as(ws.admin).get(path)).json();
}

const types = (events: { type: string }[]) => events.map((e) => e.type);

test("merging moves every message to the target, closes the source and tells the requesters", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const source = await ws.ticket({ subject: "Printer again", comment: { body: "Second report" } });
  // The same customer's two tickets (merging another customer's is merge-customers.test.ts).
  const target = await ws.ticket({
    subject: "Printer",
    comment: { body: "First report" },
    requester: { id: source.requesterId },
  });
  await ws.as(agent).post(`/api/v1/tickets/${source.id}/messages`, { body: "Looking", kind: "note" });

  const res = await ws.as(agent).post(`/api/v1/tickets/${source.id}/merge`, { targetId: target.id });
  assert.equal(res.statusCode, 200, res.body);
  const { target: merged, sources } = res.json();
  assert.equal(merged.id, target.id);
  assert.equal(sources[0].id, source.id);
  assert.equal(sources[0].status, "closed");
  assert.equal(sources[0].mergedIntoId, target.id);
  assert.equal(sources[0].version, source.version + 1);

  const onTarget = (await get(ws, `/api/v1/tickets/${target.id}/messages`)).data;
  const bodies = onTarget.map((m: { body: string }) => m.body);
  assert.deepEqual(bodies.slice(0, 3).sort(), ["First report", "Looking", "Second report"]);
  const entry = `Ticket #${source.number} was merged into #${target.number}.`;
  assert.equal(onTarget[3].body, entry);
  assert.equal(onTarget[3].kind, "system");
  const notice = onTarget[4];
  assert.equal(notice.kind, "reply");
  assert.equal(notice.direction, "out");
  assert.deepEqual(notice.author, { type: "system", id: null });
  assert.match(notice.body, new RegExp(`#${source.number} has been merged into request #${target.number}`));

  const moved = await ws.db
    .selectFrom("messages")
    .select(["body_text", "moved_from_ticket_id"])
    .where("workspace_id", "=", ws.id)
    .where("ticket_id", "=", target.id)
    .where("moved_from_ticket_id", "is not", null)
    .execute();
  assert.equal(moved.length, 2);
  assert.ok(moved.every((m) => m.moved_from_ticket_id === source.id));
  const recipients = await ws.db
    .selectFrom("messages")
    .select("channel_meta")
    .where("workspace_id", "=", ws.id)
    .where("id", "=", notice.id)
    .executeTakeFirstOrThrow();
  assert.deepEqual(recipients.channel_meta.recipientContactIds, [target.requesterId]);

  const onSource = (await get(ws, `/api/v1/tickets/${source.id}/messages`)).data;
  assert.deepEqual(
    onSource.map((m: { body: string }) => m.body),
    [entry],
  );
  const sourceEvents = (await get(ws, `/api/v1/tickets/${source.id}/events`)).data;
  const mergedEvent = sourceEvents.find((e: { type: string }) => e.type === "ticket.merged");
  assert.equal(mergedEvent.changes.mergedIntoId, target.id);
  assert.deepEqual(mergedEvent.changes.status, { from: "new", to: "closed" });
  assert.deepEqual(mergedEvent.actor, { type: "user", id: agent.id });
  const targetEvents = (await get(ws, `/api/v1/tickets/${target.id}/events`)).data;
  assert.ok(types(targetEvents).includes("ticket.merge_received"));

  const list = (await get(ws, "/api/v1/tickets")).data;
  assert.deepEqual(
    list.map((t: { id: number }) => t.id),
    [target.id],
  );
});

test("a merged ticket takes no more messages and says where to write", async () => {
  const ws = await buildWorkspace(ctx());
  const source = await ws.ticket();
  const target = await ws.ticket();
  await ws.as(ws.admin).post(`/api/v1/tickets/${source.id}/merge`, { targetId: target.id });
  const res = await ws.as(ws.admin).post(`/api/v1/tickets/${source.id}/messages`, { body: "Hello" });
  assert.equal(res.statusCode, 409);
  assert.equal(res.json().code, "ticket_merged");
  assert.equal(res.json().mergedIntoId, target.id);
});

test("a custom comment replaces the default notice", async () => {
  const ws = await buildWorkspace(ctx());
  const source = await ws.ticket();
  const target = await ws.ticket({ requester: { id: source.requesterId } });
  const res = await ws.as(ws.admin).post(`/api/v1/tickets/${source.id}/merge`, {
    targetId: target.id,
    comment: "We merged your two requests.",
  });
  assert.equal(res.statusCode, 200);
  const messages = (await get(ws, `/api/v1/tickets/${target.id}/messages`)).data;
  assert.equal(messages.at(-1).body, "We merged your two requests.");
});

test("merge refuses a ticket into itself, a closed or merged target, and a stale version", async () => {
  const ws = await buildWorkspace(ctx());
  const source = await ws.ticket();
  const self = await ws.as(ws.admin).post(`/api/v1/tickets/${source.id}/merge`, { targetId: source.id });
  assert.equal(self.statusCode, 422);
  assert.equal(self.json().errors[0].path, "targetId");

  const closed = await ws.ticket();
  await ws.as(ws.admin).patch(`/api/v1/tickets/${closed.id}`, { status: "solved" });
  await ws.as(ws.admin).patch(`/api/v1/tickets/${closed.id}`, { status: "closed" });
  const intoClosed = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${source.id}/merge`, { targetId: closed.id });
  assert.equal(intoClosed.statusCode, 409);
  assert.equal(intoClosed.json().code, "ticket_closed");
  const fromClosed = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${closed.id}/merge`, { targetId: source.id });
  assert.equal(fromClosed.json().code, "ticket_closed");

  const gone = await ws.ticket();
  const keeper = await ws.ticket();
  await ws.as(ws.admin).post(`/api/v1/tickets/${gone.id}/merge`, { targetId: keeper.id });
  const intoMerged = await ws.as(ws.admin).post(`/api/v1/tickets/${source.id}/merge`, { targetId: gone.id });
  assert.equal(intoMerged.statusCode, 409);
  assert.equal(intoMerged.json().code, "ticket_merged");
  assert.equal(intoMerged.json().mergedIntoId, keeper.id);

  const stale = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${source.id}/merge`, { targetId: keeper.id, version: source.version + 5 });
  assert.equal(stale.statusCode, 409);
  assert.equal(stale.json().code, "ticket_version_conflict");
  assert.equal(stale.json().current.id, source.id);
  assert.equal((await get(ws, `/api/v1/tickets/${source.id}`)).status, "new");
});

test("merge validates its body", async () => {
  const ws = await buildWorkspace(ctx());
  const source = await ws.ticket();
  const res = await ws.as(ws.admin).post(`/api/v1/tickets/${source.id}/merge`, { target: 3 });
  assert.equal(res.statusCode, 400);
  const paths = res.json().errors.map((e: { path: string }) => e.path);
  assert.ok(paths.includes("body.targetId"), paths.join());
});

test("merge needs ticket.merge: light agents and customers get 403, anonymous 401", async () => {
  const ws = await buildWorkspace(ctx());
  const light = await ws.agent({ role: "light_agent" });
  const source = await ws.ticket();
  const target = await ws.ticket({ requester: { id: source.requesterId } });
  const body = { targetId: target.id };
  assert.equal((await ws.as(light).post(`/api/v1/tickets/${source.id}/merge`, body)).statusCode, 403);
  const customer = await ws.customerSession(source.requesterId);
  assert.equal((await customer.post(`/api/v1/tickets/${source.id}/merge`, body)).statusCode, 403);
  assert.equal((await ws.anonymous().post(`/api/v1/tickets/${source.id}/merge`, body)).statusCode, 401);
});

test("merging into or from a ticket the agent cannot see is not found", async () => {
  const ws = await buildWorkspace(ctx());
  const other = await buildWorkspace(ctx());
  const billing = await ws.group("Billing");
  const support = await ws.group("Support");
  const agent = await ws.agent({ ticketAccess: "groups", groupIds: [support.id] });
  const mine = await ws.ticket({ groupId: support.id });
  const hidden = await ws.ticket({ groupId: billing.id });
  const into = await ws.as(agent).post(`/api/v1/tickets/${mine.id}/merge`, { targetId: hidden.id });
  assert.equal(into.statusCode, 404);
  const from = await ws.as(agent).post(`/api/v1/tickets/${hidden.id}/merge`, { targetId: mine.id });
  assert.equal(from.statusCode, 404);
  const foreign = await other.ticket();
  const across = await ws.as(ws.admin).post(`/api/v1/tickets/${mine.id}/merge`, { targetId: foreign.id });
  assert.equal(across.statusCode, 404);
  assert.equal((await get(ws, `/api/v1/tickets/${mine.id}`)).status, "new");
});

test("merge-from merges several tickets into the target at once", async () => {
  const ws = await buildWorkspace(ctx());
  const target = await ws.ticket();
  const a = await ws.ticket({ comment: { body: "From A" }, requester: { id: target.requesterId } });
  const b = await ws.ticket({ comment: { body: "From B" }, requester: { id: target.requesterId } });
  const res = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${target.id}/merge-from`, { sourceIds: [a.id, b.id, a.id] });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(
    res.json().sources.map((s: { id: number; mergedIntoId: number }) => [s.id, s.mergedIntoId]),
    [
      [a.id, target.id],
      [b.id, target.id],
    ],
  );
  const messages = (await get(ws, `/api/v1/tickets/${target.id}/messages`)).data;
  const bodies = messages.map((m: { body: string }) => m.body);
  assert.ok(bodies.includes("From A") && bodies.includes("From B"));
  const notices = messages.filter(
    (m: { kind: string; author: { type: string } }) => m.kind === "reply" && m.author.type === "system",
  );
  assert.equal(notices.length, 1);
  assert.match(notices[0].body, new RegExp(`Requests #${a.number}, #${b.number} have been merged`));
});

test("merge-from is all or nothing", async () => {
  const ws = await buildWorkspace(ctx());
  const target = await ws.ticket();
  const a = await ws.ticket();
  const closed = await ws.ticket();
  await ws.as(ws.admin).patch(`/api/v1/tickets/${closed.id}`, { status: "solved" });
  await ws.as(ws.admin).patch(`/api/v1/tickets/${closed.id}`, { status: "closed" });
  const res = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${target.id}/merge-from`, { sourceIds: [a.id, closed.id] });
  assert.equal(res.statusCode, 409);
  assert.equal(res.json().code, "ticket_closed");
  assert.equal((await get(ws, `/api/v1/tickets/${a.id}`)).mergedIntoId, null);
  assert.equal((await get(ws, `/api/v1/tickets/${a.id}/messages`)).data.length, 1);

  const self = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${target.id}/merge-from`, { sourceIds: [target.id] });
  assert.equal(self.statusCode, 422);
  assert.equal(self.json().errors[0].path, "sourceIds");
  const empty = await ws.as(ws.admin).post(`/api/v1/tickets/${target.id}/merge-from`, { sourceIds: [] });
  assert.equal(empty.statusCode, 400);
});

test("a problem's incidents follow it into another problem, and block other merges", async () => {
  const ws = await buildWorkspace(ctx());
  const problem = await ws.ticket({ type: "problem" });
  const incident = await ws.ticket({ type: "incident" });
  await ws.as(ws.admin).patch(`/api/v1/tickets/${incident.id}`, { problemId: problem.id });
  const question = await ws.ticket();
  const refused = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${problem.id}/merge`, { targetId: question.id });
  assert.equal(refused.statusCode, 422);

  const other = await ws.ticket({ type: "problem" });
  const ok = await ws.as(ws.admin).post(`/api/v1/tickets/${problem.id}/merge`, { targetId: other.id });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal((await get(ws, `/api/v1/tickets/${incident.id}`)).problemId, other.id);
});

test("a replayed merge with the same Idempotency-Key returns the first answer", async () => {
  const ws = await buildWorkspace(ctx());
  const source = await ws.ticket();
  const target = await ws.ticket();
  const headers = { "idempotency-key": "merge-1" };
  const first = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${source.id}/merge`, { targetId: target.id }, headers);
  const again = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${source.id}/merge`, { targetId: target.id }, headers);
  assert.equal(first.statusCode, 200);
  assert.equal(again.statusCode, 200);
  assert.equal(again.headers["idempotent-replayed"], "true");
  assert.deepEqual(again.json(), first.json());
});
