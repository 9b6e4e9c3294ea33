import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

async function define(ws: TestWorkspace, title: string, body: string) {
  const res = await ws.as(ws.admin).post("/api/v1/canned-responses", { title, body });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: number; title: string; body: string };
}

test("an admin writes canned responses that every agent reads, placeholders kept", async () => {
  const ws = await buildWorkspace(ctx());
  const created = await define(ws, " Refund policy ", "Hi {{requester.first_name}}, refunds take 5 days.");
  assert.equal(created.title, "Refund policy");
  assert.equal(created.body, "Hi {{requester.first_name}}, refunds take 5 days.");
  await define(ws, "Apology", "Sorry, {{ requester.name }}. — {{agent.name}}, ticket #{{ticket.number}}");

  for (const role of ["agent", "light_agent"] as const) {
    const reader = await ws.agent({ role });
    const list = await ws.as(reader).get("/api/v1/canned-responses");
    assert.equal(list.statusCode, 200);
    assert.deepEqual(
      list.json().data.map((c: { title: string }) => c.title),
      ["Apology", "Refund policy"],
    );
    const one = await ws.as(reader).get(`/api/v1/canned-responses/${created.id}`);
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().updatedByUserId, ws.admin.id);
  }
});

test("a search matches titles and bodies, title matches first", async () => {
  const ws = await buildWorkspace(ctx());
  await define(ws, "Shipping delays", "Parcels are late this week.");
  await define(ws, "Where is my parcel", "Tracking links arrive by email.");
  await define(ws, "Password reset", "Use the link on the sign-in page.");
  await define(ws, "100% off", "Percent signs are literal.");
  const agent = await ws.agent();
  const search = async (q: string) =>
    (await ws.as(agent).get(`/api/v1/canned-responses?q=${encodeURIComponent(q)}`))
      .json()
      .data.map((c: { title: string }) => c.title);
  assert.deepEqual(await search("parcel"), ["Where is my parcel", "Shipping delays"]);
  assert.deepEqual(await search("PASS"), ["Password reset"]);
  assert.deepEqual(await search("%"), ["100% off"]);
  assert.deepEqual(await search("nothing like this"), []);
});

test("an admin renames, rewrites and deletes a canned response", async () => {
  const ws = await buildWorkspace(ctx());
  const created = await define(ws, "Greeting", "Hello");
  const other = await ws.agent({ role: "admin" });
  const res = await ws.as(other).patch(`/api/v1/canned-responses/${created.id}`, {
    title: "Warm greeting",
    body: "Hello {{requester.first_name}}",
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().title, "Warm greeting");
  assert.equal(res.json().updatedByUserId, other.id);
  const removed = await ws.as(ws.admin).delete(`/api/v1/canned-responses/${created.id}`);
  assert.equal(removed.statusCode, 204);
  assert.equal((await ws.as(ws.admin).get(`/api/v1/canned-responses/${created.id}`)).statusCode, 404);
  assert.equal((await ws.as(ws.admin).delete(`/api/v1/canned-responses/${created.id}`)).statusCode, 404);
});

test("unknown placeholders and blank texts are refused with the field named", async () => {
  const ws = await buildWorkspace(ctx());
  const res = await ws.as(ws.admin).post("/api/v1/canned-responses", {
    title: "Typo",
    body: "Hi {{requester.frist_name}}",
  });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().code, "validation_failed");
  assert.equal(res.json().errors[0].path, "body");
  assert.match(res.json().errors[0].message, /requester\.frist_name/);
  const blank = await ws.as(ws.admin).post("/api/v1/canned-responses", { title: "  ", body: "x" });
  assert.equal(blank.statusCode, 422);
  assert.equal(blank.json().errors[0].path, "title");
  const created = await define(ws, "Fine", "Fine");
  const patch = await ws.as(ws.admin).patch(`/api/v1/canned-responses/${created.id}`, { body: "{{x}}" });
  assert.equal(patch.statusCode, 422);
});

test("a title is unique in the workspace whatever its case, but not across workspaces", async () => {
  const ws = await buildWorkspace(ctx());
  const first = await define(ws, "Refunds", "a");
  const again = await ws.as(ws.admin).post("/api/v1/canned-responses", { title: "REFUNDS", body: "b" });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().code, "already_exists");
  const second = await define(ws, "Other", "c");
  const rename = await ws.as(ws.admin).patch(`/api/v1/canned-responses/${second.id}`, { title: "refunds" });
  assert.equal(rename.statusCode, 409);
  assert.ok(first.id);
  const elsewhere = await buildWorkspace(ctx());
  await define(elsewhere, "Refunds", "d");
});

test("only admins write; customers and strangers read nothing; other workspaces' ids are 404", async () => {
  const ws = await buildWorkspace(ctx());
  const created = await define(ws, "Admin only", "x");
  const agent = await ws.agent();
  const url = `/api/v1/canned-responses/${created.id}`;
  assert.equal(
    (await ws.as(agent).post("/api/v1/canned-responses", { title: "a", body: "b" })).statusCode,
    403,
  );
  assert.equal((await ws.as(agent).patch(url, { title: "b" })).statusCode, 403);
  assert.equal((await ws.as(agent).delete(url)).statusCode, 403);

  const contact = await ws.contact();
  const customer = await ws.customerSession(contact.id);
  assert.equal((await customer.get("/api/v1/canned-responses")).statusCode, 403);
  assert.equal((await customer.get(url)).statusCode, 403);

  const anonymous = ws.anonymous();
  assert.equal((await anonymous.get("/api/v1/canned-responses")).statusCode, 401);
  assert.equal((await anonymous.post("/api/v1/canned-responses", { title: "a", body: "b" })).statusCode, 401);

  const elsewhere = await buildWorkspace(ctx());
  assert.equal((await elsewhere.as(elsewhere.admin).get(url)).statusCode, 404);
  assert.equal((await elsewhere.as(elsewhere.admin).patch(url, { title: "mine" })).statusCode, 404);
  assert.equal((await elsewhere.as(elsewhere.admin).delete(url)).statusCode, 404);
  const theirs = (await elsewhere.as(elsewhere.admin).get("/api/v1/canned-responses")).json().data;
  assert.deepEqual(theirs, []);
});
