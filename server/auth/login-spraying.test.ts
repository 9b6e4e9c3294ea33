import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { test } from "node:test";
import { buildWorkspace, type TestContext, useTestApp } from "../test/harness.ts";

// Its own file: the limit is set when the app is built. The per-email limit stays out of the way.
const ctx = useTestApp({ PARLEY_LOGIN_IP_FAILURE_LIMIT: "5", PARLEY_LOGIN_RATE_LIMIT: "1000" });

// An address of the test's own, so counts kept in a shared PostgreSQL never meet another test's.
const someAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

const login = (c: TestContext, from: string, email: string, password: string) =>
  c.app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    payload: { email, password },
    remoteAddress: from,
  });

test("one address guessing one password for many emails is stopped after the limit, even when right", async () => {
  const ws = await buildWorkspace(ctx());
  const sprayer = someAddress();
  const victims = await Promise.all(
    [1, 2, 3, 4, 5, 6].map(() => ws.agent({ password: "correct horse battery" })),
  );
  for (const victim of victims.slice(0, 5)) {
    const res = await login(ctx(), sprayer, victim.email, "Summer2026!");
    assert.equal(res.statusCode, 401, res.body);
  }
  // Also for an email never tried before, and with its right password: the address is spent.
  const blocked = await login(ctx(), sprayer, victims[5].email, "correct horse battery");
  assert.equal(blocked.statusCode, 429, blocked.body);
  assert.equal(blocked.json().code, "rate_limited");
  assert.ok(Number(blocked.headers["retry-after"]) > 60);
  // Unknown emails count the same as known ones.
  assert.equal((await login(ctx(), sprayer, "nobody@example.test", "x")).statusCode, 429);
  // Another address is not affected.
  const colleague = await login(ctx(), someAddress(), victims[5].email, "correct horse battery");
  assert.equal(colleague.statusCode, 200, colleague.body);
});

test("successful sign-ins do not use up the limit: a team behind one address can all sign in", async () => {
  const ws = await buildWorkspace(ctx());
  const office = someAddress();
  for (let i = 0; i < 8; i++) {
    const agent = await ws.agent({ password: "correct horse battery" });
    const res = await login(ctx(), office, agent.email, "correct horse battery");
    assert.equal(res.statusCode, 200, `sign-in ${i + 1}: ${res.body}`);
  }
  // Four typos leave room for one more attempt, which still succeeds.
  const typist = await ws.agent({ password: "correct horse battery" });
  for (let i = 0; i < 4; i++) {
    assert.equal((await login(ctx(), office, typist.email, "correct horse batery")).statusCode, 401);
  }
  assert.equal((await login(ctx(), office, typist.email, "correct horse battery")).statusCode, 200);
});

test("the addresses of one IPv6 /64 share a count: a fresh address per guess does not escape it", async () => {
  const ws = await buildWorkspace(ctx());
  const prefix = `2001:db8:${randomInt(65536).toString(16)}:${randomInt(65536).toString(16)}`;
  const agent = await ws.agent({ password: "correct horse battery" });
  for (let i = 1; i <= 5; i++) {
    const res = await login(ctx(), `${prefix}::${i.toString(16)}`, `nobody${i}@example.test`, "Summer2026!");
    assert.equal(res.statusCode, 401, res.body);
  }
  const blocked = await login(ctx(), `${prefix}:0:0:0:ff`, agent.email, "correct horse battery");
  assert.equal(blocked.statusCode, 429, blocked.body);
  // The next /64 is someone else.
  const neighbour = await login(ctx(), `2001:db9::1`, agent.email, "correct horse battery");
  assert.equal(neighbour.statusCode, 200, neighbour.body);
});
