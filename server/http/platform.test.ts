import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

test("health and readiness answer without credentials", async () => {
  const { app } = ctx();
  const health = await app.inject({ method: "GET", url: "/healthz" });
  assert.equal(health.statusCode, 200);
  const ready = await app.inject({ method: "GET", url: "/readyz" });
  assert.equal(ready.statusCode, 200);
  assert.equal(ready.json().checks.migrations, "ok");
});

test("the OpenAPI 3.1 document describes the ticket routes and their schemas", async () => {
  const { app } = ctx();
  const res = await app.inject({ method: "GET", url: "/api/openapi.json" });
  assert.equal(res.statusCode, 200);
  const doc = res.json();
  assert.equal(doc.openapi, "3.1.0");
  assert.ok(doc.paths["/api/v1/tickets"].post.requestBody);
  assert.ok(doc.paths["/api/v1/tickets/{id}"].patch);
  const docs = await app.inject({ method: "GET", url: "/api/docs/" });
  assert.equal(docs.statusCode, 200);
  assert.match(docs.headers["content-type"] as string, /html/);
});

test("unknown routes and malformed JSON get problem+json with stable codes", async () => {
  const ws = await buildWorkspace(ctx());
  const missing = await ws.as(ws.admin).get("/api/v1/nope");
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().code, "route_not_found");
  const malformed = await ws.as(ws.admin).request("POST", "/api/v1/tickets", "{not json", {
    "content-type": "application/json",
  });
  assert.equal(malformed.statusCode, 400);
  assert.equal(malformed.json().code, "invalid_json");
});

test("a value that fails a schema pattern is explained in words, at its path", async () => {
  const ws = await buildWorkspace(ctx());
  const org = await ws
    .as(ws.admin)
    .post("/api/v1/organizations", { name: "Acme", domains: ["acme.test", "https://x"] });
  assert.equal(org.statusCode, 400, org.body);
  assert.deepEqual(org.json().errors, [
    { path: "body.domains.1", message: "is not a domain name, such as acme.com (no http:// or @)" },
  ]);
  const blank = await ws.as(ws.admin).post("/api/v1/organizations", { name: "   " });
  assert.deepEqual(blank.json().errors, [{ path: "body.name", message: "must not be blank" }]);
});

test("every response carries a request id, and a client's own id is echoed", async () => {
  const { app } = ctx();
  const res = await app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "trace-abc" } });
  assert.equal(res.headers["x-request-id"], "trace-abc");
});
