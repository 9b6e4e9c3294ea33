import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

// Its own file: the limit is set when the app is built, and other tests sign in freely.
const ctx = useTestApp({ PARLEY_LOGIN_RATE_LIMIT: "3" });

test("sign-in attempts past the limit get 429 rate_limited, even with the right password", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent({ password: "correct horse battery" });
  for (let i = 0; i < 3; i++) {
    const res = await ws.anonymous().post("/api/v1/auth/login", { email: agent.email, password: "guess" });
    assert.equal(res.statusCode, 401);
  }
  const blocked = await ws
    .anonymous()
    .post("/api/v1/auth/login", { email: agent.email, password: "correct horse battery" });
  assert.equal(blocked.statusCode, 429);
  assert.equal(blocked.json().code, "rate_limited");
  assert.equal(blocked.headers["content-type"], "application/problem+json; charset=utf-8");
  assert.ok(blocked.headers["retry-after"]);
});

test("the limit counts per email, so one person's typos do not lock out a colleague", async () => {
  const ws = await buildWorkspace(ctx());
  const clumsy = await ws.agent({ password: "correct horse battery" });
  const careful = await ws.agent({ password: "correct horse battery" });
  for (let i = 0; i < 4; i++) {
    await ws.anonymous().post("/api/v1/auth/login", { email: clumsy.email, password: "guess" });
  }
  const res = await ws
    .anonymous()
    .post("/api/v1/auth/login", { email: careful.email, password: "correct horse battery" });
  assert.equal(res.statusCode, 200, res.body);
});
