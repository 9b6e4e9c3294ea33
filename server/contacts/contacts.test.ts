import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

test("an agent creates a contact with emails and phones normalized", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const res = await ws.as(agent).post("/api/v1/contacts", {
    name: "Dana Doe",
    emails: ["Dana@Example.TEST", "dana@example.test", "d.doe@work.test"],
    phones: ["+1 (555) 010-0000", "+15550100000"],
    locale: "de-CH",
    timeZone: "Europe/Zurich",
    attributes: { plan: "gold" },
  });
  assert.equal(res.statusCode, 201, res.body);
  const contact = res.json();
  assert.deepEqual(contact.emails, ["dana@example.test", "d.doe@work.test"]);
  assert.deepEqual(contact.phones, ["+15550100000"]);
  assert.equal(contact.locale, "de-CH");
  assert.equal(contact.timeZone, "Europe/Zurich");
  assert.deepEqual(contact.attributes, { plan: "gold" });
  assert.equal(contact.blocked, false);
  const read = await ws.as(agent).get(`/api/v1/contacts/${contact.id}`);
  assert.deepEqual(read.json(), contact);
});

test("an email or phone that belongs to another contact is 422", async () => {
  const ws = await buildWorkspace(ctx());
  const first = await ws.contact({ email: "taken@example.test" });
  const res = await ws
    .as(ws.admin)
    .post("/api/v1/contacts", { name: "Copy", emails: ["TAKEN@example.test"] });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().code, "validation_failed");
  assert.equal(res.json().errors[0].path, "emails");
  const other = (await ws.as(ws.admin).post("/api/v1/contacts", { name: "Other" })).json();
  const patch = await ws
    .as(ws.admin)
    .patch(`/api/v1/contacts/${other.id}`, { emails: ["taken@example.test"] });
  assert.equal(patch.statusCode, 422);
  assert.deepEqual((await ws.as(ws.admin).get(`/api/v1/contacts/${first.id}`)).json().emails, [
    "taken@example.test",
  ]);
  // Another workspace may know the same person.
  const elsewhere = await buildWorkspace(ctx());
  const there = await elsewhere
    .as(elsewhere.admin)
    .post("/api/v1/contacts", { emails: ["taken@example.test"] });
  assert.equal(there.statusCode, 201);
});

test("creating a contact validates its fields", async () => {
  const ws = await buildWorkspace(ctx());
  const schema = await ws.as(ws.admin).post("/api/v1/contacts", {
    emails: ["not-an-email"],
    phones: ["call me"],
    locale: "english please",
    vip: true,
  });
  assert.equal(schema.statusCode, 400);
  const paths = schema.json().errors.map((e: { path: string }) => e.path);
  for (const p of ["body.emails.0", "body.phones.0", "body.locale", "body.vip"]) {
    assert.ok(paths.includes(p), `${p} not in ${paths.join()}`);
  }
  const zone = await ws.as(ws.admin).post("/api/v1/contacts", { timeZone: "Atlantis/Capital" });
  assert.equal(zone.statusCode, 422);
  assert.equal(zone.json().errors[0].path, "timeZone");
  const digits = await ws.as(ws.admin).post("/api/v1/contacts", { phones: ["( - )"] });
  assert.equal(digits.statusCode, 422);
  assert.equal(digits.json().errors[0].path, "phones");
  const other = await buildWorkspace(ctx());
  const org = await other.db
    .insertInto("organizations")
    .values({ workspace_id: other.id, name: "Acme", attributes: "{}" })
    .returning("id")
    .executeTakeFirstOrThrow();
  const foreignOrg = await ws.as(ws.admin).post("/api/v1/contacts", { organizationId: org.id });
  assert.equal(foreignOrg.statusCode, 422);
  assert.equal(foreignOrg.json().errors[0].path, "organizationId");
});

test("the contact list searches names and addresses and pages with a cursor", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent({ role: "light_agent" });
  const ids: number[] = [];
  for (let i = 0; i < 5; i++) {
    ids.push((await ws.contact({ name: `Pat ${i}`, email: `pat${i}@acme.test` })).id);
  }
  await ws.contact({ name: "Quinn", email: "quinn@other.test" });
  await ws.contact({ name: "100%_match", email: "odd@other.test" });

  const byName = (await ws.as(agent).get("/api/v1/contacts?q=pat")).json();
  assert.equal(byName.data.length, 5);
  const byEmail = (await ws.as(agent).get("/api/v1/contacts?q=QUINN@other")).json();
  assert.deepEqual(
    byEmail.data.map((c: { name: string }) => c.name),
    ["Quinn"],
  );
  // % and _ are searched for literally, not as wildcards.
  const literal = (await ws.as(agent).get("/api/v1/contacts?q=0%25_")).json();
  assert.deepEqual(
    literal.data.map((c: { name: string }) => c.name),
    ["100%_match"],
  );

  const seen: number[] = [];
  let cursor: string | null = null;
  do {
    const url: string = `/api/v1/contacts?q=acme.test&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
    const page = (await ws.as(agent).get(url)).json();
    assert.ok(page.data.length <= 2);
    seen.push(...page.data.map((c: { id: number }) => c.id));
    cursor = page.nextCursor;
  } while (cursor);
  assert.deepEqual(seen, [...ids].reverse());

  const bad = await ws.as(agent).get("/api/v1/contacts?cursor=abc&limit=1000");
  assert.equal(bad.statusCode, 400);
});

test("an agent updates a contact; emails are replaced and phones kept", async () => {
  const ws = await buildWorkspace(ctx());
  const created = (
    await ws.as(ws.admin).post("/api/v1/contacts", {
      name: "Old",
      emails: ["old@example.test"],
      phones: ["+44 20 7946 0000"],
    })
  ).json();
  const agent = await ws.agent();
  const res = await ws.as(agent).patch(`/api/v1/contacts/${created.id}`, {
    name: "New",
    emails: ["New@Example.test"],
    timeZone: null,
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().name, "New");
  assert.deepEqual(res.json().emails, ["new@example.test"]);
  assert.deepEqual(res.json().phones, ["+442079460000"]);
  const empty = await ws.as(agent).patch(`/api/v1/contacts/${created.id}`, {});
  assert.equal(empty.statusCode, 400);
  const zone = await ws.as(agent).patch(`/api/v1/contacts/${created.id}`, { timeZone: "Not/AZone" });
  assert.equal(zone.statusCode, 422);
});

test("a blocked contact's session stops working", async () => {
  const ws = await buildWorkspace(ctx());
  const contact = await ws.contact();
  const ticket = await ws.ticket({ requester: { id: contact.id } });
  const customer = await ws.customerSession(contact.id);
  assert.equal((await customer.get(`/api/v1/tickets/${ticket.id}`)).statusCode, 200);
  const res = await ws.as(ws.admin).patch(`/api/v1/contacts/${contact.id}`, { blocked: true });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().blocked, true);
  const after = await customer.get(`/api/v1/tickets/${ticket.id}`);
  assert.equal(after.statusCode, 401);
});

test("a light agent reads contacts but cannot write them", async () => {
  const ws = await buildWorkspace(ctx());
  const light = await ws.agent({ role: "light_agent" });
  const contact = await ws.contact();
  assert.equal((await ws.as(light).get(`/api/v1/contacts/${contact.id}`)).statusCode, 200);
  const create = await ws.as(light).post("/api/v1/contacts", { name: "X" });
  assert.equal(create.statusCode, 403);
  assert.equal(create.json().code, "forbidden");
  const patch = await ws.as(light).patch(`/api/v1/contacts/${contact.id}`, { blocked: true });
  assert.equal(patch.statusCode, 403);
  assert.equal((await ws.as(ws.admin).get(`/api/v1/contacts/${contact.id}`)).json().blocked, false);
});

test("customers get 403 on contacts, even their own; anonymous callers 401", async () => {
  const ws = await buildWorkspace(ctx());
  const contact = await ws.contact();
  const customer = await ws.customerSession(contact.id);
  assert.equal((await customer.get("/api/v1/contacts")).statusCode, 403);
  assert.equal((await customer.get(`/api/v1/contacts/${contact.id}`)).statusCode, 403);
  assert.equal((await customer.post("/api/v1/contacts", { name: "X" })).statusCode, 403);
  assert.equal((await customer.patch(`/api/v1/contacts/${contact.id}`, { name: "Me" })).statusCode, 403);
  assert.equal((await ws.anonymous().get("/api/v1/contacts")).statusCode, 401);
  assert.equal((await ws.anonymous().post("/api/v1/contacts", {})).statusCode, 401);
});

test("contacts of another workspace are not found", async () => {
  const mine = await buildWorkspace(ctx());
  const theirs = await buildWorkspace(ctx());
  const contact = await theirs.contact({ name: "Theirs" });
  assert.equal((await mine.as(mine.admin).get(`/api/v1/contacts/${contact.id}`)).statusCode, 404);
  const patch = await mine.as(mine.admin).patch(`/api/v1/contacts/${contact.id}`, { blocked: true });
  assert.equal(patch.statusCode, 404);
  assert.equal(patch.json().code, "not_found");
  assert.equal((await mine.as(mine.admin).get("/api/v1/contacts?q=Theirs")).json().data.length, 0);
  assert.equal((await theirs.as(theirs.admin).get(`/api/v1/contacts/${contact.id}`)).json().blocked, false);
});

test("the contact list fetches contacts by id, only within the workspace", async () => {
  const mine = await buildWorkspace(ctx());
  const theirs = await buildWorkspace(ctx());
  const a = await mine.contact({ name: "Ada", email: "ada@ids.test" });
  const b = await mine.contact({ name: "Bo", email: "bo@ids.test" });
  await mine.contact({ name: "Cy", email: "cy@ids.test" });
  const foreign = await theirs.contact({ name: "Foreign" });
  const agent = await mine.agent();

  const page = (
    await mine.as(agent).get(`/api/v1/contacts?ids=${a.id}&ids=${b.id}&ids=${foreign.id}`)
  ).json();
  assert.deepEqual(page.data.map((c: { name: string }) => c.name).sort(), ["Ada", "Bo"]);

  const tooMany = Array.from({ length: 101 }, (_, i) => `ids=${i + 1}`).join("&");
  assert.equal((await mine.as(agent).get(`/api/v1/contacts?${tooMany}`)).statusCode, 400);
});
