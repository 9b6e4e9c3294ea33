import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, Client, type TestUser, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { sha256 } from "./secrets.ts";

const ctx = useTestApp();

async function mint(
  ws: TestWorkspace,
  user: TestUser,
  scopes: string[],
  extra: Record<string, unknown> = {},
) {
  const res = await ws.as(user).post("/api/v1/api-tokens", { name: "CI", scopes, ...extra });
  assert.equal(res.statusCode, 201, res.body);
  const body = res.json() as { id: number; token: string; prefix: string };
  return { ...body, client: new Client(ws.ctx.app, { authorization: `Bearer ${body.token}` }) };
}

test("a new token's secret is shown once, never listed, and kept only as a hash", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const token = await mint(ws, agent, ["read", "write"]);
  assert.match(token.token, /^pat_/);
  assert.equal(token.prefix, token.token.slice(0, 10));

  const list = await ws.as(agent).get("/api/v1/api-tokens");
  assert.equal(list.statusCode, 200);
  assert.equal(list.json().data.length, 1);
  assert.equal(list.json().data[0].token, undefined);
  assert.ok(!list.body.includes(token.token));

  const row = await ws.db
    .selectFrom("api_tokens")
    .selectAll()
    .where("workspace_id", "=", ws.id)
    .where("id", "=", token.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.token_hash, sha256(token.token));
  assert.ok(!JSON.stringify(row).includes(token.token));

  const me = await token.client.get("/api/v1/me");
  assert.equal(me.statusCode, 200);
  assert.equal(me.json().id, agent.id);
});

test("a read-only token can read but not write", async () => {
  const ws = await buildWorkspace(ctx());
  const token = await mint(ws, ws.admin, ["read"]);
  assert.equal((await token.client.get("/api/v1/tickets")).statusCode, 200);
  const write = await token.client.post("/api/v1/contacts", { name: "Casey" });
  assert.equal(write.statusCode, 403);
  assert.equal(write.json().code, "forbidden");
});

test("a write token cannot use admin routes without the admin scope", async () => {
  const ws = await buildWorkspace(ctx());
  const token = await mint(ws, ws.admin, ["read", "write"]);
  const res = await token.client.post("/api/v1/groups", { name: "Billing" });
  assert.equal(res.statusCode, 403);
  const admin = await mint(ws, ws.admin, ["read", "write", "admin"]);
  assert.equal((await admin.client.post("/api/v1/groups", { name: "Billing" })).statusCode, 201);
});

test("an agent cannot mint admin scope, and a token cannot mint wider than itself", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const res = await ws.as(agent).post("/api/v1/api-tokens", { name: "x", scopes: ["read", "admin"] });
  assert.equal(res.statusCode, 403);
  assert.equal(res.json().code, "forbidden");
  const narrow = await mint(ws, ws.admin, ["read", "write"]);
  const wider = await narrow.client.post("/api/v1/api-tokens", { name: "y", scopes: ["admin"] });
  assert.equal(wider.statusCode, 403);
});

test("an admin token kept by a demoted admin cannot mint admin scope", async () => {
  const ws = await buildWorkspace(ctx());
  const other = await ws.agent({ role: "admin" });
  const token = await mint(ws, other, ["read", "write", "admin"]);
  await ws.as(ws.admin).patch(`/api/v1/users/${other.id}`, { role: "agent" });
  const res = await token.client.post("/api/v1/api-tokens", { name: "z", scopes: ["admin"] });
  assert.equal(res.statusCode, 403);
});

test("creating a token validates its fields", async () => {
  const ws = await buildWorkspace(ctx());
  const bad = await ws.as(ws.admin).post("/api/v1/api-tokens", { name: "", scopes: ["root"] });
  assert.equal(bad.statusCode, 400);
  const paths = bad.json().errors.map((e: { path: string }) => e.path);
  assert.ok(paths.includes("body.name"), paths.join());
  assert.ok(
    paths.some((p: string) => p.startsWith("body.scopes")),
    paths.join(),
  );
  const past = await ws.as(ws.admin).post("/api/v1/api-tokens", {
    name: "old",
    scopes: ["read"],
    expiresAt: "2001-01-01T00:00:00Z",
  });
  assert.equal(past.statusCode, 422);
  assert.equal(past.json().errors[0].path, "expiresAt");
});

test("tokens need a signed-in user: anonymous 401, customer 403", async () => {
  const ws = await buildWorkspace(ctx());
  assert.equal((await ws.anonymous().get("/api/v1/api-tokens")).statusCode, 401);
  assert.equal(
    (await ws.anonymous().post("/api/v1/api-tokens", { name: "x", scopes: ["read"] })).statusCode,
    401,
  );
  const customer = await ws.customerSession((await ws.contact()).id);
  assert.equal((await customer.get("/api/v1/api-tokens")).statusCode, 403);
  assert.equal((await customer.post("/api/v1/api-tokens", { name: "x", scopes: ["read"] })).statusCode, 403);
  assert.equal((await customer.delete("/api/v1/api-tokens/1")).statusCode, 403);
});

test("a revoked token gets 401", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const token = await mint(ws, agent, ["read"]);
  const res = await ws.as(agent).delete(`/api/v1/api-tokens/${token.id}`);
  assert.equal(res.statusCode, 204);
  const after = await token.client.get("/api/v1/me");
  assert.equal(after.statusCode, 401);
  assert.equal(after.json().code, "unauthorized");
  const listed = (await ws.as(agent).get("/api/v1/api-tokens")).json().data[0];
  assert.ok(listed.revokedAt);
  // Revoking again finds nothing left to revoke.
  assert.equal((await ws.as(agent).delete(`/api/v1/api-tokens/${token.id}`)).statusCode, 404);
});

test("an expired token gets 401", async () => {
  const ws = await buildWorkspace(ctx());
  const token = await mint(ws, ws.admin, ["read"], {
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
  });
  assert.equal((await token.client.get("/api/v1/me")).statusCode, 200);
  await ws.db
    .updateTable("api_tokens")
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where("workspace_id", "=", ws.id)
    .where("id", "=", token.id)
    .execute();
  assert.equal((await token.client.get("/api/v1/me")).statusCode, 401);
});

test("a deactivated user's tokens stop working", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const token = await mint(ws, agent, ["read"]);
  await ws.as(ws.admin).patch(`/api/v1/users/${agent.id}`, { active: false });
  assert.equal((await token.client.get("/api/v1/me")).statusCode, 401);
});

test("an agent sees and revokes only their own tokens; an admin sees and revokes all", async () => {
  const ws = await buildWorkspace(ctx());
  const alice = await ws.agent();
  const bob = await ws.agent();
  const alices = await mint(ws, alice, ["read"]);
  const bobs = await mint(ws, bob, ["read"]);
  const seen = (await ws.as(alice).get("/api/v1/api-tokens")).json().data.map((t: { id: number }) => t.id);
  assert.deepEqual(seen, [alices.id]);

  const res = await ws.as(alice).delete(`/api/v1/api-tokens/${bobs.id}`);
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().code, "not_found");
  assert.equal((await bobs.client.get("/api/v1/me")).statusCode, 200);

  const all = (await ws.as(ws.admin).get("/api/v1/api-tokens")).json().data.map((t: { id: number }) => t.id);
  assert.deepEqual(all, [alices.id, bobs.id]);
  assert.equal((await ws.as(ws.admin).delete(`/api/v1/api-tokens/${bobs.id}`)).statusCode, 204);
  assert.equal((await bobs.client.get("/api/v1/me")).statusCode, 401);
});

test("tokens of another workspace are not found", async () => {
  const mine = await buildWorkspace(ctx());
  const theirs = await buildWorkspace(ctx());
  const token = await mint(theirs, theirs.admin, ["read"]);
  assert.equal((await mine.as(mine.admin).delete(`/api/v1/api-tokens/${token.id}`)).statusCode, 404);
  assert.equal((await mine.as(mine.admin).get("/api/v1/api-tokens")).json().data.length, 0);
});

// Signing in is remembered for a few seconds (docs/api/auth.md); a change made through the API
// must still count from the very next request.
test("a token in use follows its user's role, groups and deactivation on the next request", async () => {
  const ws = await buildWorkspace(ctx());
  const group = await ws.group();
  const agent = await ws.agent({ ticketAccess: "groups" });
  const token = await mint(ws, agent, ["read", "write"]);
  const ticket = await ws.ticket({ groupId: group.id });
  assert.equal((await token.client.get(`/api/v1/tickets/${ticket.id}`)).statusCode, 404);
  await ws.as(ws.admin).patch(`/api/v1/users/${agent.id}`, { groupIds: [group.id] });
  assert.equal((await token.client.get(`/api/v1/tickets/${ticket.id}`)).statusCode, 200);
  await ws.as(ws.admin).patch(`/api/v1/users/${agent.id}`, { role: "light_agent" });
  const reply = await token.client.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Hello" });
  assert.equal(reply.statusCode, 403);
  await ws.as(ws.admin).patch(`/api/v1/users/${agent.id}`, { active: false });
  assert.equal((await token.client.get("/api/v1/me")).statusCode, 401);
});

test("a token in use stops at once when revoked or expired, and a session when signed out", async () => {
  const ws = await buildWorkspace(ctx());
  const revoked = await mint(ws, ws.admin, ["read"]);
  assert.equal((await revoked.client.get("/api/v1/me")).statusCode, 200);
  assert.equal((await ws.as(ws.admin).delete(`/api/v1/api-tokens/${revoked.id}`)).statusCode, 204);
  assert.equal((await revoked.client.get("/api/v1/me")).statusCode, 401);
  const expired = await mint(ws, ws.admin, ["read"]);
  assert.equal((await expired.client.get("/api/v1/me")).statusCode, 200);
  await ws.db
    .updateTable("api_tokens")
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where("workspace_id", "=", ws.id)
    .where("id", "=", expired.id)
    .execute();
  assert.equal((await expired.client.get("/api/v1/me")).statusCode, 401);
  const agent = await ws.agent();
  assert.equal((await ws.as(agent).get("/api/v1/me")).statusCode, 200);
  assert.equal((await ws.as(agent).post("/api/v1/auth/logout")).statusCode, 204);
  assert.equal((await ws.as(agent).get("/api/v1/me")).statusCode, 401);
});
