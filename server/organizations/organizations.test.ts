import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

async function organization(ws: TestWorkspace, body: Record<string, unknown>) {
  const res = await ws.as(ws.admin).post("/api/v1/organizations", body);
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: number; name: string; domains: string[] };
}

test("an agent creates, reads and changes an organization", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const created = await ws.as(agent).post("/api/v1/organizations", {
    name: "  Acme Rockets ",
    domains: ["Acme.TEST", "acme.test", "eu.acme.test"],
    notes: "Key account",
    attributes: { tier: "gold" },
  });
  assert.equal(created.statusCode, 201, created.body);
  const org = created.json();
  assert.equal(org.name, "Acme Rockets");
  assert.deepEqual(org.domains, ["acme.test", "eu.acme.test"]);
  assert.equal(org.sharedTickets, false);

  const patched = await ws.as(agent).patch(`/api/v1/organizations/${org.id}`, {
    name: "Acme Rockets Inc",
    domains: ["acme.test"],
    sharedTickets: true,
    attributes: { tier: "platinum" },
  });
  assert.equal(patched.statusCode, 200, patched.body);
  const read = (await ws.as(agent).get(`/api/v1/organizations/${org.id}`)).json();
  assert.equal(read.name, "Acme Rockets Inc");
  assert.deepEqual(read.domains, ["acme.test"]);
  assert.equal(read.sharedTickets, true);
  assert.deepEqual(read.attributes, { tier: "platinum" });
  assert.equal(read.notes, "Key account");
});

test("a domain belongs to one organization of the workspace", async () => {
  const ws = await buildWorkspace(ctx());
  const acme = await organization(ws, { name: "Acme", domains: ["acme.test"] });
  const other = await organization(ws, { name: "Other" });

  const clash = await ws
    .as(ws.admin)
    .post("/api/v1/organizations", { name: "Copycat", domains: ["ACME.test"] });
  assert.equal(clash.statusCode, 422);
  assert.equal(clash.json().code, "validation_failed");
  assert.equal(clash.json().errors[0].path, "domains");
  const patchClash = await ws
    .as(ws.admin)
    .patch(`/api/v1/organizations/${other.id}`, { domains: ["acme.test"] });
  assert.equal(patchClash.statusCode, 422);
  const keepOwn = await ws.as(ws.admin).patch(`/api/v1/organizations/${acme.id}`, { domains: ["acme.test"] });
  assert.equal(keepOwn.statusCode, 200);

  // Another workspace may use the same domain.
  const elsewhere = await buildWorkspace(ctx());
  await organization(elsewhere, { name: "Acme", domains: ["acme.test"] });
});

test("organization fields are validated", async () => {
  const ws = await buildWorkspace(ctx());
  await organization(ws, { name: "Taken" });
  const admin = ws.as(ws.admin);
  for (const body of [
    {},
    { name: "" },
    { name: "   " },
    { name: "X", domains: ["localhost"] },
    { name: "X", domains: ["bad_domain.test"] },
    { name: "X", domains: ["-acme.test"] },
    { name: "X", sharedTickets: "yes" },
    { name: "X", color: "red" },
  ]) {
    const res = await admin.post("/api/v1/organizations", body);
    assert.equal(res.statusCode, 400, JSON.stringify(body));
    assert.equal(res.json().code, "validation_failed");
  }
  const dup = await admin.post("/api/v1/organizations", { name: "taken" });
  assert.equal(dup.statusCode, 409);
  assert.equal(dup.json().code, "already_exists");
  const org = await organization(ws, { name: "Fine" });
  const empty = await admin.patch(`/api/v1/organizations/${org.id}`, {});
  assert.equal(empty.statusCode, 400);
});

test("light agents read organizations, customers and strangers cannot", async () => {
  const ws = await buildWorkspace(ctx());
  const org = await organization(ws, { name: "Acme" });
  const light = ws.as(await ws.agent({ role: "light_agent" }));
  assert.equal((await light.get("/api/v1/organizations")).statusCode, 200);
  assert.equal((await light.get(`/api/v1/organizations/${org.id}`)).statusCode, 200);
  assert.equal((await light.get(`/api/v1/organizations/${org.id}/tickets`)).statusCode, 200);
  const create = await light.post("/api/v1/organizations", { name: "Nope" });
  assert.equal(create.statusCode, 403);
  assert.equal(create.json().code, "forbidden");
  assert.equal((await light.patch(`/api/v1/organizations/${org.id}`, { name: "Nope" })).statusCode, 403);

  const contact = await ws.contact({ organizationId: org.id });
  const customer = await ws.customerSession(contact.id);
  assert.equal((await customer.get("/api/v1/organizations")).statusCode, 403);
  assert.equal((await customer.get(`/api/v1/organizations/${org.id}`)).statusCode, 403);
  assert.equal((await customer.get(`/api/v1/organizations/${org.id}/tickets`)).statusCode, 403);
  assert.equal((await customer.get(`/api/v1/contacts/${contact.id}/tickets`)).statusCode, 403);
  assert.equal((await customer.post("/api/v1/organizations", { name: "Nope" })).statusCode, 403);
  assert.equal((await ws.anonymous().get("/api/v1/organizations")).statusCode, 401);
});

test("organizations of another workspace are not found", async () => {
  const mine = await buildWorkspace(ctx());
  const theirs = await buildWorkspace(ctx());
  const org = await organization(theirs, { name: "Hidden" });
  const admin = mine.as(mine.admin);
  for (const res of [
    await admin.get(`/api/v1/organizations/${org.id}`),
    await admin.patch(`/api/v1/organizations/${org.id}`, { name: "Mine now" }),
    await admin.get(`/api/v1/organizations/${org.id}/tickets`),
  ]) {
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, "not_found");
  }
  assert.deepEqual((await admin.get("/api/v1/organizations")).json().data, []);
});

test("the list is alphabetical, pages by cursor and matches part of a name or a domain", async () => {
  const ws = await buildWorkspace(ctx());
  for (const name of ["charlie Co", "Alpha Ltd", "Bravo GmbH"]) await organization(ws, { name });
  await organization(ws, { name: "Delta", domains: ["delta.test"] });
  const admin = ws.as(ws.admin);

  const first = (await admin.get("/api/v1/organizations?limit=2")).json();
  assert.deepEqual(
    first.data.map((o: { name: string }) => o.name),
    ["Alpha Ltd", "Bravo GmbH"],
  );
  const second = (await admin.get(`/api/v1/organizations?limit=2&cursor=${first.nextCursor}`)).json();
  assert.deepEqual(
    second.data.map((o: { name: string }) => o.name),
    ["charlie Co", "Delta"],
  );
  assert.equal(second.nextCursor, null);

  const partial = (await admin.get("/api/v1/organizations?q=rav")).json();
  assert.deepEqual(
    partial.data.map((o: { name: string }) => o.name),
    ["Bravo GmbH"],
  );
  const byDomain = (await admin.get("/api/v1/organizations?q=DELTA.test")).json();
  assert.deepEqual(
    byDomain.data.map((o: { name: string }) => o.name),
    ["Delta"],
  );
  const bad = await admin.get("/api/v1/organizations?cursor=garbage");
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().code, "invalid_cursor");
});

test("an organization's and a contact's tickets, as the agent may see them", async () => {
  const ws = await buildWorkspace(ctx());
  const org = await organization(ws, { name: "Acme" });
  const alice = await ws.contact({ organizationId: org.id });
  const bob = await ws.contact({ organizationId: org.id });
  const billing = await ws.group();
  const support = await ws.group();
  const a1 = await ws.ticket({ requester: { id: alice.id }, groupId: support.id });
  const a2 = await ws.ticket({ requester: { id: alice.id }, groupId: billing.id, channel: "email" });
  const b1 = await ws.ticket({ requester: { id: bob.id }, groupId: support.id, status: "pending" });
  await ws.ticket();

  const admin = ws.as(ws.admin);
  const orgTickets = (await admin.get(`/api/v1/organizations/${org.id}/tickets`)).json();
  assert.deepEqual(
    orgTickets.data.map((t: { id: number }) => t.id),
    [b1.id, a2.id, a1.id],
  );
  const open = (await admin.get(`/api/v1/organizations/${org.id}/tickets?status=new&limit=1`)).json();
  assert.deepEqual(
    open.data.map((t: { id: number }) => t.id),
    [a2.id],
  );
  assert.ok(open.nextCursor);
  const aliceTickets = (
    await admin.get(`/api/v1/contacts/${alice.id}/tickets?sort=created_at&direction=asc`)
  ).json();
  assert.deepEqual(
    aliceTickets.data.map((t: { id: number }) => t.id),
    [a1.id, a2.id],
  );

  const restricted = ws.as(await ws.agent({ ticketAccess: "groups", groupIds: [support.id] }));
  const seen = (await restricted.get(`/api/v1/contacts/${alice.id}/tickets`)).json();
  assert.deepEqual(
    seen.data.map((t: { id: number }) => t.id),
    [a1.id],
  );

  const other = await buildWorkspace(ctx());
  assert.equal((await other.as(other.admin).get(`/api/v1/contacts/${alice.id}/tickets`)).statusCode, 404);
  const extra = await admin.get(`/api/v1/contacts/${alice.id}/tickets?requesterId=${bob.id}`);
  assert.equal(extra.statusCode, 400);
});

test("sharing an organization's tickets lets its contacts see them in the portal", async () => {
  const ws = await buildWorkspace(ctx());
  const org = await organization(ws, { name: "Acme" });
  const alice = await ws.contact({ organizationId: org.id });
  const bob = await ws.contact({ organizationId: org.id });
  const bobs = await ws.ticket({ requester: { id: bob.id } });
  const customer = await ws.customerSession(alice.id);

  assert.equal((await customer.get(`/api/v1/tickets/${bobs.id}`)).statusCode, 404);
  await ws.as(ws.admin).patch(`/api/v1/organizations/${org.id}`, { sharedTickets: true });
  assert.equal((await customer.get(`/api/v1/tickets/${bobs.id}`)).statusCode, 200);
});

// What the agent app's organization page asks for: its people and its tickets, newest first.
test("the organization page's lists respect group access and stay inside the workspace", async () => {
  const ws = await buildWorkspace(ctx());
  const org = await organization(ws, { name: "Acme" });
  const alice = await ws.contact({ organizationId: org.id });
  await ws.contact();
  const billing = await ws.group();
  const support = await ws.group();
  const older = await ws.ticket({ requester: { id: alice.id }, groupId: support.id });
  await ws.ticket({ requester: { id: alice.id }, groupId: billing.id });
  const newer = await ws.ticket({ requester: { id: alice.id }, groupId: support.id });

  const restricted = ws.as(await ws.agent({ ticketAccess: "groups", groupIds: [support.id] }));
  const seen = (
    await restricted.get(`/api/v1/organizations/${org.id}/tickets?sort=created_at&direction=desc&limit=1`)
  ).json();
  assert.deepEqual(
    seen.data.map((t: { id: number }) => t.id),
    [newer.id],
  );
  const rest = (
    await restricted.get(
      `/api/v1/organizations/${org.id}/tickets?sort=created_at&direction=desc&limit=1&cursor=${encodeURIComponent(seen.nextCursor)}`,
    )
  ).json();
  assert.deepEqual(
    rest.data.map((t: { id: number }) => t.id),
    [older.id],
  );
  assert.equal(rest.nextCursor, null, "the billing ticket is not behind a further page");
  const people = (await restricted.get(`/api/v1/contacts?organizationId=${org.id}`)).json();
  assert.deepEqual(
    people.data.map((c: { id: number }) => c.id),
    [alice.id],
  );

  const stranger = await buildWorkspace(ctx());
  const outsider = stranger.as(stranger.admin);
  assert.equal((await outsider.get(`/api/v1/organizations/${org.id}`)).statusCode, 404);
  assert.equal((await outsider.get(`/api/v1/organizations/${org.id}/tickets`)).statusCode, 404);
  assert.deepEqual((await outsider.get(`/api/v1/contacts?organizationId=${org.id}`)).json().data, []);
  assert.equal((await outsider.patch(`/api/v1/organizations/${org.id}`, { notes: "x" })).statusCode, 404);
});
