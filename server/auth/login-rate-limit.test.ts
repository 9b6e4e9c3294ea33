import assert from "node:assert/strict";
import { test } from "node:test";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { loadConfig } from "../config.ts";
import { buildApp } from "../http/app.ts";
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

test("instances on one database share the count: guesses spread over them are limited together", async (t) => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent({ password: "correct horse battery" });
  // A second app on the same database, as a second instance behind a load balancer.
  const other = await buildApp({
    database: ctx().database,
    config: loadConfig({
      DATABASE_URL: process.env.DATABASE_URL,
      PARLEY_LOGIN_RATE_LIMIT: "3",
      PARLEY_LOGIN_IP_FAILURE_LIMIT: "1000000",
    }),
  });
  t.after(() => other.close());
  const login = (app: FastifyInstance, password: string) =>
    app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email: agent.email, password } });
  assert.equal((await login(ctx().app, "guess 1")).statusCode, 401);
  assert.equal((await login(other, "guess 2")).statusCode, 401);
  assert.equal((await login(ctx().app, "guess 3")).statusCode, 401);
  const blocked = await login(other, "correct horse battery");
  assert.equal(blocked.statusCode, 429);
  assert.equal(blocked.json().code, "rate_limited");
  assert.equal(blocked.headers["x-ratelimit-remaining"], "0");
});

test("a window that has ended starts a new count", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent({ password: "correct horse battery" });
  for (let i = 0; i < 4; i++) {
    await ws.anonymous().post("/api/v1/auth/login", { email: agent.email, password: "guess" });
  }
  // Moves this address's window into the past, as if a minute had gone by.
  await sql`update rate_limit_counters set window_ends_at = now() - interval '1 second'
    where key like ${`login:%|${agent.email.toLowerCase()}`}`.execute(ctx().database.db);
  const res = await ws
    .anonymous()
    .post("/api/v1/auth/login", { email: agent.email, password: "correct horse battery" });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers["x-ratelimit-remaining"], "2");
});
