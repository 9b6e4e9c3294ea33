import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, Client, type TestWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();
const PASSWORD = "correct horse battery";

async function signIn(ws: TestWorkspace, email: string, password = PASSWORD) {
  const res = await ws.anonymous().post("/api/v1/auth/login", { email, password });
  const session = res.cookies.find((c) => c.name === "parley_session");
  return {
    res,
    client: session ? new Client(ws.ctx.app, { cookie: `parley_session=${session.value}` }) : null,
  };
}

test("signing in with the right password sets a session cookie that works", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent({ password: PASSWORD });
  const { res, client } = await signIn(ws, agent.email.toUpperCase());
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().id, agent.id);
  const cookie = res.cookies.find((c) => c.name === "parley_session");
  assert.ok(cookie?.httpOnly);
  assert.equal(cookie?.sameSite, "Lax");
  const me = await client!.get("/api/v1/me");
  assert.equal(me.statusCode, 200);
  assert.equal(me.json().email, agent.email);
});

test("a wrong password and an unknown email get the same answer", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent({ password: PASSWORD });
  const wrong = (await signIn(ws, agent.email, "not the password")).res;
  const unknown = (await signIn(ws, `nobody-${agent.id}@example.test`)).res;
  assert.equal(wrong.statusCode, 401);
  assert.equal(unknown.statusCode, 401);
  assert.equal(wrong.json().code, "unauthorized");
  assert.equal(wrong.json().detail, unknown.json().detail);
  assert.equal(wrong.cookies.length, 0);
});

test("a user without a password or a deactivated user cannot sign in", async () => {
  const ws = await buildWorkspace(ctx());
  const invited = await ws.agent();
  assert.equal((await signIn(ws, invited.email)).res.statusCode, 401);
  const gone = await ws.agent({ password: PASSWORD });
  await ws.as(ws.admin).patch(`/api/v1/users/${gone.id}`, { active: false });
  const { res } = await signIn(ws, gone.email);
  assert.equal(res.statusCode, 401);
  assert.equal(res.json().detail, "Email or password is wrong.");
});

test("signing in validates the body", async () => {
  const ws = await buildWorkspace(ctx());
  const res = await ws.anonymous().post("/api/v1/auth/login", { email: "x", remember: true });
  assert.equal(res.statusCode, 400);
  const paths = res.json().errors.map((e: { path: string }) => e.path);
  assert.ok(paths.includes("body.email"), paths.join());
  assert.ok(paths.includes("body.password"), paths.join());
  assert.ok(paths.includes("body.remember"), paths.join());
});

test("signing out ends the session and clears the cookie", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const res = await ws.as(agent).post("/api/v1/auth/logout");
  assert.equal(res.statusCode, 204);
  const cleared = res.cookies.find((c) => c.name === "parley_session");
  assert.equal(cleared?.value, "");
  const after = await ws.as(agent).get("/api/v1/me");
  assert.equal(after.statusCode, 401);
  assert.equal(after.json().code, "unauthorized");
  // Signing out twice, or without a session, is harmless.
  assert.equal((await ws.anonymous().post("/api/v1/auth/logout")).statusCode, 204);
});

test("changing the password needs the current one and signs out other sessions", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent({ password: PASSWORD });
  const laptop = (await signIn(ws, agent.email)).client!;
  const phone = (await signIn(ws, agent.email)).client!;

  const wrong = await laptop.post("/api/v1/auth/password", {
    currentPassword: "not it at all",
    newPassword: "a much better password",
  });
  assert.equal(wrong.statusCode, 422);
  assert.equal(wrong.json().errors[0].path, "currentPassword");
  assert.equal((await phone.get("/api/v1/me")).statusCode, 200);

  const short = await laptop.post("/api/v1/auth/password", {
    currentPassword: PASSWORD,
    newPassword: "short",
  });
  assert.equal(short.statusCode, 400);
  assert.equal(short.json().errors[0].path, "body.newPassword");

  const ok = await laptop.post("/api/v1/auth/password", {
    currentPassword: PASSWORD,
    newPassword: "a much better password",
  });
  assert.equal(ok.statusCode, 204);
  assert.equal((await laptop.get("/api/v1/me")).statusCode, 200);
  assert.equal((await phone.get("/api/v1/me")).statusCode, 401);
  assert.equal((await signIn(ws, agent.email)).res.statusCode, 401);
  assert.equal((await signIn(ws, agent.email, "a much better password")).res.statusCode, 200);
});

test("changing the password needs a session", async () => {
  const ws = await buildWorkspace(ctx());
  const res = await ws.anonymous().post("/api/v1/auth/password", {
    currentPassword: PASSWORD,
    newPassword: "a much better password",
  });
  assert.equal(res.statusCode, 401);
});

test("an agent reads and updates their own profile", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const res = await ws.as(agent).patch("/api/v1/me", {
    name: "Sam Support",
    timeZone: "Europe/Berlin",
    signature: "-- Sam",
    availability: "online",
  });
  assert.equal(res.statusCode, 200, res.body);
  const me = (await ws.as(agent).get("/api/v1/me")).json();
  assert.equal(me.name, "Sam Support");
  assert.equal(me.timeZone, "Europe/Berlin");
  assert.equal(me.signature, "-- Sam");
  assert.equal(me.availability, "online");
  assert.equal(me.role, "agent");
});

test("a profile update with a bad time zone or a role is refused", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const zone = await ws.as(agent).patch("/api/v1/me", { timeZone: "Mars/Olympus_Mons" });
  assert.equal(zone.statusCode, 422);
  assert.deepEqual(
    zone.json().errors.map((e: { path: string }) => e.path),
    ["timeZone"],
  );
  const role = await ws.as(agent).patch("/api/v1/me", { role: "admin" });
  assert.equal(role.statusCode, 400);
  assert.equal(role.json().errors[0].path, "body.role");
  assert.equal((await ws.as(agent).get("/api/v1/me")).json().timeZone, "UTC");
});

test("the profile needs a signed-in user: anonymous 401, a customer 403", async () => {
  const ws = await buildWorkspace(ctx());
  assert.equal((await ws.anonymous().get("/api/v1/me")).statusCode, 401);
  assert.equal((await ws.anonymous().patch("/api/v1/me", { name: "x" })).statusCode, 401);
  const contact = await ws.contact();
  const customer = await ws.customerSession(contact.id);
  assert.equal((await customer.get("/api/v1/me")).statusCode, 403);
  assert.equal((await customer.patch("/api/v1/me", { name: "x" })).statusCode, 403);
});
