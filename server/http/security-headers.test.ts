import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

type Answer = { statusCode: number; headers: Record<string, unknown>; body: string };

function assertApiHeaders(res: Answer, label: string) {
  const csp = String(res.headers["content-security-policy"]);
  assert.match(csp, /default-src 'none'/, `${label}: ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/, label);
  assert.equal(res.headers["x-content-type-options"], "nosniff", label);
  assert.equal(res.headers["x-frame-options"], "DENY", label);
  assert.equal(res.headers["referrer-policy"], "no-referrer", label);
}

test("JSON answers, errors and 404s carry a CSP that forbids scripts and framing, and nosniff", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  const answers: [string, Answer, number][] = [
    ["GET /api/v1/me", await admin.get("/api/v1/me"), 200],
    ["401", await ws.anonymous().get("/api/v1/me"), 401],
    ["400", await admin.get("/api/v1/tickets?limit=nope"), 400],
    ["404 record", await admin.get("/api/v1/tickets/999999"), 404],
    ["404 route", await admin.get("/api/v1/no-such-thing"), 404],
    ["404 outside /api", await admin.get("/no-such-page"), 404],
    ["health", await ws.anonymous().get("/healthz"), 200],
    ["openapi.json", await ws.anonymous().get("/api/openapi.json"), 200],
  ];
  for (const [label, res, status] of answers) {
    assert.equal(res.statusCode, status, `${label}: ${res.body.slice(0, 200)}`);
    assertApiHeaders(res, label);
  }
});

test("the API reference at /api/docs gets a CSP that lets Swagger UI run from its own files only", async () => {
  const ws = await buildWorkspace(ctx());
  const anon = ws.anonymous();
  for (const path of ["/api/docs", "/api/docs/json", "/api/docs/static/swagger-ui-bundle.js"]) {
    const res = await anon.get(path);
    assert.equal(res.statusCode, 200, `${path}: ${res.statusCode}`);
    const csp = String(res.headers["content-security-policy"]);
    assert.match(csp, /script-src 'self'(;|$)/, `${path}: ${csp}`);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.doesNotMatch(csp, /unsafe-eval|https:|\*/, path);
    assert.equal(res.headers["x-content-type-options"], "nosniff", path);
  }
  const initializer = await anon.get("/api/docs/static/swagger-initializer.js");
  assert.equal(initializer.statusCode, 200);
  // Off, so the page never sends the document to an outside validator (which CSP would block).
  assert.match(initializer.body, /"validatorUrl":\s*null/);
});
