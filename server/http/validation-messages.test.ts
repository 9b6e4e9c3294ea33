import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

// Each schema keyword our routes use, through a real route, in the words the API answers with.
test("schema errors are plain predicates, and the detail names them in one sentence", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);

  const one = await admin.post("/api/v1/views", { name: "" });
  assert.equal(one.statusCode, 400);
  assert.equal(one.json().code, "validation_failed");
  assert.deepEqual(one.json().errors, [
    { path: "body.name", message: "must not be empty" },
    { path: "body.name", message: "must not be blank" },
  ]);
  assert.equal(one.json().detail, "name must not be empty and must not be blank.");

  const ticket = await admin.post("/api/v1/tickets", { subject: "", priority: "x", assigneeId: "me" });
  assert.deepEqual(ticket.json().errors, [
    { path: "body.comment", message: "is required" },
    { path: "body.subject", message: "must not be empty" },
    { path: "body.priority", message: "must be one of: low, normal, high, urgent" },
    { path: "body.assigneeId", message: "must be a whole number or null" },
  ]);
  assert.equal(
    ticket.json().detail,
    "4 fields are invalid: comment is required; subject must not be empty; priority must be one of: low, normal, high, urgent; and 1 more.",
  );
  // A value of the union's kind that breaks a rule inside it is told that rule.
  const zero = await admin.post("/api/v1/tickets", {
    subject: "s",
    comment: { bodyText: "b" },
    assigneeId: -5,
  });
  assert.deepEqual(
    zero.json().errors.filter((e: { path: string }) => e.path === "body.assigneeId"),
    [{ path: "body.assigneeId", message: "must be 1 or more" }],
  );

  const low = await admin.post("/api/v1/views", {
    name: "v",
    columns: [],
    position: -1,
    shared: "maybe",
    sort: { field: "subject", direction: "up" },
  });
  assert.deepEqual(low.json().errors, [
    { path: "body.shared", message: "must be true or false" },
    { path: "body.sort.direction", message: "must be one of: asc, desc" },
    { path: "body.columns", message: "must list at least one item" },
    { path: "body.position", message: "must be 0 or more" },
  ]);

  const high = await admin.post("/api/v1/views", {
    name: "x".repeat(101),
    columns: ["subject", "subject"],
    position: 10_001,
    filters: { createdWithinDays: 1.5 },
  });
  assert.deepEqual(high.json().errors, [
    { path: "body.name", message: "is longer than 100 characters" },
    { path: "body.filters.createdWithinDays", message: "must be a whole number" },
    { path: "body.columns", message: "must not list the same item twice" },
    { path: "body.position", message: "must be 10000 or less" },
  ]);
  const many = await admin.post("/api/v1/views", { name: "v", columns: Array(21).fill("subject") });
  assert.ok(
    many.json().errors.some((e: { message: string }) => e.message === "must not list more than 20 items"),
    many.body,
  );

  const shape = await admin.post("/api/v1/views", { name: "v", filters: [1], extra: 1 });
  assert.deepEqual(shape.json().errors, [
    { path: "body.extra", message: "is not a known field" },
    { path: "body.filters", message: "must be an object" },
  ]);
  assert.equal(
    shape.json().detail,
    "2 fields are invalid: extra is not a known field; filters must be an object.",
  );

  // A check on the whole body is named as such.
  const empty = await admin.request("PATCH", "/api/v1/views/1", {});
  assert.deepEqual(empty.json().errors, [{ path: "body", message: "must not be empty" }]);
  assert.equal(empty.json().detail, "The request body must not be empty.");

  for (const res of [one, ticket, zero, low, high, many, shape, empty]) {
    for (const e of res.json().errors)
      assert.doesNotMatch(e.message, /must NOT|must have required|allowed values/);
  }
});
