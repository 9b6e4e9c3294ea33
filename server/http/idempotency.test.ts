import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

const newTicket = (subject: string) => ({
  subject,
  requester: { email: "idem@customer.test" },
  comment: { body: "Hello" },
});

test("a retried POST with the same Idempotency-Key returns the first ticket and makes no second", async () => {
  const ws = await buildWorkspace(ctx());
  const client = ws.as(ws.admin);
  const first = await client.post("/api/v1/tickets", newTicket("Once only"), {
    "idempotency-key": "retry-1",
  });
  assert.equal(first.statusCode, 201);
  const second = await client.post("/api/v1/tickets", newTicket("Once only"), {
    "idempotency-key": "retry-1",
  });
  assert.equal(second.statusCode, 201);
  assert.equal(second.headers["idempotent-replayed"], "true");
  assert.deepEqual(second.json(), first.json());
  const list = (await client.get("/api/v1/tickets")).json();
  assert.equal(list.data.length, 1);
});

test("concurrent retries with one key still make one ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const client = ws.as(ws.admin);
  const results = await Promise.all(
    Array.from({ length: 5 }, () =>
      client.post("/api/v1/tickets", newTicket("Racing"), { "idempotency-key": "race" }),
    ),
  );
  assert.ok(results.every((r) => r.statusCode === 201));
  assert.equal(new Set(results.map((r) => r.json().id)).size, 1);
  assert.equal((await client.get("/api/v1/tickets")).json().data.length, 1);
});

test("reusing a key for a different request is refused", async () => {
  const ws = await buildWorkspace(ctx());
  const client = ws.as(ws.admin);
  await client.post("/api/v1/tickets", newTicket("First"), { "idempotency-key": "k" });
  const res = await client.post("/api/v1/tickets", newTicket("Second"), { "idempotency-key": "k" });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().code, "idempotency_key_reused");
});

test("keys are per caller: two agents may use the same key", async () => {
  const ws = await buildWorkspace(ctx());
  const other = await ws.agent();
  const a = await ws.as(ws.admin).post("/api/v1/tickets", newTicket("Mine"), { "idempotency-key": "same" });
  const b = await ws.as(other).post("/api/v1/tickets", newTicket("Mine"), { "idempotency-key": "same" });
  assert.notEqual(a.json().id, b.json().id);
});

test("a failed request does not burn its key", async () => {
  const ws = await buildWorkspace(ctx());
  const client = ws.as(ws.admin);
  const bad = await client.post(
    "/api/v1/tickets",
    { ...newTicket("Bad"), assigneeId: 999999 },
    { "idempotency-key": "fix-and-retry" },
  );
  assert.equal(bad.statusCode, 422);
  const good = await client.post("/api/v1/tickets", newTicket("Bad"), { "idempotency-key": "fix-and-retry" });
  assert.equal(good.statusCode, 201);
});

test("a malformed key is a 400", async () => {
  const ws = await buildWorkspace(ctx());
  const res = await ws
    .as(ws.admin)
    .post("/api/v1/tickets", newTicket("x"), { "idempotency-key": "has space" });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().code, "invalid_idempotency_key");
});
