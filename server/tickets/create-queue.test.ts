import assert from "node:assert/strict";
import { test } from "node:test";
import type { UserActor } from "../auth/actor.ts";
import type { AppError } from "../http/errors.ts";
import type { IdempotencyClaim } from "../http/idempotency.ts";
import { useLiveApp } from "../realtime/live-app.ts";
import { buildWorkspace, type TestWorkspace } from "../test/harness.ts";
import { TicketCreationQueue } from "./create-queue.ts";
import type { EventNotice } from "./events.ts";
import type { CreateTicketInput } from "./service.ts";

// Group commit of ticket creation (create-queue.ts). Requests submitted in one turn of the
// event loop are written by one batch, so these tests know which requests shared a transaction.
const ctx = useLiveApp();

const adminActor = (ws: TestWorkspace): UserActor => ({
  type: "user",
  workspaceId: ws.id,
  userId: ws.admin.id,
  role: "admin",
  ticketAccess: "all",
  groupIds: [],
  scopes: null,
});

const newQueue = () => new TicketCreationQueue(ctx().database.db, { maxBatch: 64 });

const input = (i: number, extra: Partial<CreateTicketInput> = {}): CreateTicketInput => ({
  subject: `Batch ticket ${i}`,
  requester: { email: `batch-${i}-${process.pid}@customer.test`, name: `Customer ${i}` },
  comment: { body: `Message ${i}` },
  ...extra,
});

// Settles every promise, so one rejection does not hide the others' outcomes.
const settle = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);

test("fifty tickets submitted at once share one transaction and each gets its own number, requester, message and events", async () => {
  const ws = await buildWorkspace(ctx());
  const group = await ws.group();
  const notices: EventNotice[] = [];
  const stop = ctx().bus.onTicketEvent((n) => {
    if (n.workspaceId === ws.id) notices.push(n);
  });
  const queue = newQueue();
  const actor = adminActor(ws);
  const outcomes = await Promise.all(
    Array.from({ length: 50 }, (_, i) => queue.submit(actor, input(i, { groupId: group.id }), null)),
  );
  const tickets = outcomes.map((o) => o.body);
  assert.ok(outcomes.every((o) => o.status === 201 && !o.replayed));
  const numbers = tickets.map((t) => t.number).sort((a, b) => a - b);
  assert.deepEqual(
    numbers,
    Array.from({ length: 50 }, (_, i) => numbers[0] + i),
    "fifty consecutive numbers",
  );
  assert.equal(new Set(tickets.map((t) => t.createdAt)).size, 1, "written by one batch");
  assert.equal(new Set(tickets.map((t) => t.requesterId)).size, 50);

  const client = ws.as(ws.admin);
  for (const i of [0, 17, 49]) {
    const t = tickets[i];
    assert.equal(t.subject, `Batch ticket ${i}`);
    assert.equal(t.groupId, group.id);
    const contact = (await client.get(`/api/v1/contacts/${t.requesterId}`)).json();
    assert.deepEqual(contact.emails, [`batch-${i}-${process.pid}@customer.test`]);
    assert.equal(contact.name, `Customer ${i}`);
    const messages = (await client.get(`/api/v1/tickets/${t.id}/messages`)).json().data;
    assert.deepEqual(
      messages.map((m: { body: string; author: unknown }) => [m.body, m.author]),
      [[`Message ${i}`, { type: "contact", id: t.requesterId }]],
    );
    const events = (await client.get(`/api/v1/tickets/${t.id}/events`)).json().data;
    assert.deepEqual(
      events.map((e: { type: string }) => e.type),
      ["ticket.created", "message.created"],
    );
    assert.deepEqual(events[0].changes, {
      status: "new",
      priority: "normal",
      assigneeId: null,
      groupId: group.id,
    });
    assert.deepEqual(events[1].changes, { messageId: messages[0].id, kind: "reply", direction: "in" });
    assert.deepEqual(events[0].actor, { type: "user", id: ws.admin.id });
  }

  // Every event is announced after commit, each ticket's in order, with what decides who sees it.
  for (let i = 0; i < 100 && notices.length < 100; i++) await new Promise((r) => setTimeout(r, 50));
  stop();
  assert.equal(notices.length, 100);
  for (const t of tickets) {
    const mine = notices.filter((n) => n.ticketId === t.id);
    assert.deepEqual(
      mine.map((n) => n.type),
      ["ticket.created", "message.created"],
    );
    assert.ok(mine[0].eventId < mine[1].eventId);
    assert.equal(mine[0].groupId, group.id);
    assert.equal(mine[0].requesterId, t.requesterId);
    assert.equal(mine[0].actorType, "user");
    assert.equal(mine[0].actorId, ws.admin.id);
  }
});

test("in one batch, each invalid request gets its own error and the others their tickets", async () => {
  const ws = await buildWorkspace(ctx());
  const other = await buildWorkspace(ctx());
  const group = await ws.group();
  const outsider = await ws.agent();
  const foreign = await other.contact();
  const known = await ws.contact();
  const queue = newQueue();
  const actor = adminActor(ws);
  const requests: [CreateTicketInput, string | null][] = [
    [input(1), null],
    [input(2, { groupId: 987654321 }), "groupId"],
    [input(3, { status: "solved" }), "status"],
    [input(4, { requester: { id: foreign.id } }), "requester.id"],
    [input(5, { customFields: { no_such_field: 1 } }), "customFields.no_such_field"],
    [input(6, { groupId: group.id, assigneeId: outsider.id }), "assigneeId"],
    [input(7, { requester: undefined }), "requester"],
    [input(8, { requester: { id: known.id }, groupId: group.id }), null],
    [input(9, { groupId: group.id, tags: ["VIP"], priority: "high" }), null],
  ];
  const settled = await settle(requests.map(([body]) => queue.submit(actor, body, null)));
  settled.forEach((s, i) => {
    const path = requests[i][1];
    if (path === null) {
      assert.equal(s.status, "fulfilled", `request ${i + 1} succeeds`);
    } else {
      assert.equal(s.status, "rejected", `request ${i + 1} fails`);
      const err = (s as PromiseRejectedResult).reason as AppError;
      assert.equal(err.code, "validation_failed");
      assert.deepEqual(
        err.errors?.map((e) => e.path),
        [path],
      );
    }
  });
  const made = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value.body] : []));
  assert.equal(made[1].requesterId, known.id);
  assert.deepEqual(made[2].tags, ["vip"]);
  assert.equal(made[2].priority, "high");
  // Failed requests made nothing: no ticket, and no contact for their requesters.
  const list = (await ws.as(ws.admin).get("/api/v1/tickets")).json().data;
  assert.equal(list.length, 3);
  const contacts = (await ws.as(ws.admin).get("/api/v1/contacts?q=batch-2-")).json().data;
  assert.equal(contacts.length, 0);
});

test("a request the database refuses fails alone: the rest of its batch is written", async () => {
  const ws = await buildWorkspace(ctx());
  const queue = newQueue();
  const actor = adminActor(ws);
  // Not a priority the schema allows: only the table's CHECK constraint catches it, inside the
  // batch's statement, so the batch is rolled back and each request is written on its own.
  const bad = input(3, { priority: "whenever" as never });
  const settled = await settle([input(1), input(2), bad, input(4)].map((b) => queue.submit(actor, b, null)));
  assert.deepEqual(
    settled.map((s) => s.status),
    ["fulfilled", "fulfilled", "rejected", "fulfilled"],
  );
  const list = (await ws.as(ws.admin).get("/api/v1/tickets")).json().data;
  assert.equal(list.length, 3);
});

test("the same new customer in many requests of one batch becomes one contact", async () => {
  const ws = await buildWorkspace(ctx());
  const queue = newQueue();
  const actor = adminActor(ws);
  const email = `Same-${process.pid}@Customer.test`;
  const outcomes = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      queue.submit(actor, input(i, { requester: { email: i % 2 ? email.toLowerCase() : email } }), null),
    ),
  );
  assert.equal(new Set(outcomes.map((o) => o.body.requesterId)).size, 1);
  assert.equal(new Set(outcomes.map((o) => o.body.id)).size, 10);
});

test("requests sharing an Idempotency-Key in one batch make one ticket; a different request with the key is refused", async () => {
  const ws = await buildWorkspace(ctx());
  const queue = newQueue();
  const actor = adminActor(ws);
  const claim = (key: string, requestHash: string): IdempotencyClaim => ({
    workspaceId: ws.id,
    actor: `user:${ws.admin.id}`,
    key,
    requestHash,
  });
  const settled = await settle([
    queue.submit(actor, input(1), claim("k1", "h1")),
    queue.submit(actor, input(1), claim("k1", "h1")),
    queue.submit(actor, input(2), claim("k2", "h2")),
    queue.submit(actor, input(1), claim("k1", "h1")),
    queue.submit(actor, input(3), claim("k1", "h3")),
    queue.submit(actor, input(4), null),
  ]);
  const [first, second, other, third, reused, plain] = settled;
  assert.ok(first.status === "fulfilled" && second.status === "fulfilled" && third.status === "fulfilled");
  assert.equal(first.value.replayed, false);
  assert.equal(second.value.replayed, true);
  assert.equal(third.value.replayed, true);
  assert.deepEqual(second.value.body, first.value.body);
  assert.deepEqual(third.value.body, first.value.body);
  assert.ok(other.status === "fulfilled" && plain.status === "fulfilled");
  assert.notEqual(other.value.body.id, first.value.body.id);
  assert.equal(reused.status, "rejected");
  assert.equal((reused.reason as AppError).code, "idempotency_key_reused");
  const list = (await ws.as(ws.admin).get("/api/v1/tickets")).json().data;
  assert.equal(list.length, 3);
});

test("fifty concurrent POSTs over HTTP, with keys and replays, each get their own answer", async () => {
  const ws = await buildWorkspace(ctx());
  const group = await ws.group();
  const client = ws.as(ws.admin);
  const body = (i: number) => ({
    subject: `HTTP ${i}`,
    requester: { email: `http-${i}-${process.pid}@customer.test` },
    groupId: i === 7 ? 987654321 : group.id,
    comment: { body: `Body ${i}` },
  });
  // Requests 40-49 repeat 30-39 with the same key: whichever is written first, the other replays.
  const responses = await Promise.all(
    Array.from({ length: 50 }, (_, i) => {
      const n = i >= 40 ? i - 10 : i;
      return client.post("/api/v1/tickets", body(n), n >= 30 ? { "idempotency-key": `http-${n}` } : {});
    }),
  );
  assert.equal(responses[7].statusCode, 422);
  assert.deepEqual(
    responses[7].json().errors.map((e: { path: string }) => e.path),
    ["groupId"],
  );
  const ok = responses.filter((_, i) => i !== 7);
  assert.ok(
    ok.every((r) => r.statusCode === 201),
    ok.map((r) => r.statusCode).join(),
  );
  for (let n = 30; n < 40; n++) {
    const a = responses[n];
    const b = responses[n + 10];
    assert.deepEqual(a.json(), b.json());
    assert.equal([a, b].filter((r) => r.headers["idempotent-replayed"] === "true").length, 1);
  }
  const tickets = responses.slice(0, 40).flatMap((r, i) => (i === 7 ? [] : [{ i, ...r.json() }]));
  for (const t of tickets) assert.equal(t.subject, `HTTP ${t.i}`);
  assert.equal(new Set(tickets.map((t) => t.number)).size, 39);
  const list = (await client.get("/api/v1/tickets?limit=100")).json().data;
  assert.equal(list.length, 39);
});

test("two instances making the same new customer at once end with one contact", async () => {
  const ws = await buildWorkspace(ctx());
  const actor = adminActor(ws);
  // Two queues stand for two Parley processes: on PostgreSQL their batches run concurrently and
  // the contact identity's unique key decides; the loser drops its contact and uses the winner's.
  const [a, b] = [newQueue(), newQueue()];
  const email = `race-${process.pid}@customer.test`;
  const outcomes = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      (i % 2 ? a : b).submit(actor, input(i, { requester: { email } }), null),
    ),
  );
  assert.equal(new Set(outcomes.map((o) => o.body.requesterId)).size, 1);
  const contacts = (await ws.as(ws.admin).get(`/api/v1/contacts?q=race-${process.pid}`)).json().data;
  assert.equal(contacts.length, 1);
});
