import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";
import { createMailbox } from "../test/mail.ts";
import { describeSeed, seedDemo } from "./seed.ts";

// The demo is what a new team looks at first: it must read like a real team's weeks, in the
// workspace they sign into.
const ctx = useTestApp();

test("seed-demo fills the workspace with plain names and threads that read in order over past weeks", async () => {
  const ws = await buildWorkspace(ctx());
  const result = await seedDemo(ws.db, { tickets: 30, workspaceId: ws.id });
  assert.equal(result.workspaceId, ws.id);
  assert.equal(result.createdWorkspace, false);

  const groups = await ws.db.selectFrom("groups").select("name").where("workspace_id", "=", ws.id).execute();
  assert.deepEqual(groups.map((g) => g.name).sort(), ["Billing", "Support", "Technical"]);
  const orgs = await ws.db
    .selectFrom("organizations")
    .select("name")
    .where("workspace_id", "=", ws.id)
    .execute();
  assert.ok(
    orgs.some((o) => o.name === "Acme Corp"),
    "organizations keep their plain names",
  );

  // The admin sees the tickets in their own inbox.
  const page = (await ws.as(ws.admin).get("/api/v1/tickets?limit=100")).json() as {
    data: { id: number; createdAt: string; status: string; requesterId: number }[];
  };
  assert.equal(page.data.length, 30);
  const opened = page.data.map((t) => Date.parse(t.createdAt));
  assert.ok(Math.max(...opened) <= Date.now(), "nothing happens in the future");
  assert.ok(Math.max(...opened) - Math.min(...opened) > 14 * 86_400_000, "tickets are spread over weeks");

  for (const ticket of page.data) {
    const messages = await ws.db
      .selectFrom("messages")
      .select(["id", "kind", "direction", "author_contact_id", "created_at"])
      .where("workspace_id", "=", ws.id)
      .where("ticket_id", "=", ticket.id)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    assert.deepEqual(
      messages.map((m) => m.id),
      [...messages].sort((a, b) => a.id - b.id).map((m) => m.id),
      "each message is later than the one before it",
    );
    assert.equal(messages[0].direction, "in", "the customer writes first");
    assert.equal(messages[0].author_contact_id, ticket.requesterId);
    assert.equal(messages[0].created_at.getTime(), Date.parse(ticket.createdAt));
    const replies = messages.filter((m) => m.kind === "reply").map((m) => m.direction);
    for (const [i, direction] of replies.entries())
      assert.equal(direction, i % 2 === 0 ? "in" : "out", "customer and agent take turns");
  }

  const text = describeSeed(result);
  assert.match(text, /30 tickets \(/);
  assert.match(text, /email: +ada\.byrne@demo\.example\n {2}password: (\S+)/);
  const password = /password: (\S+)/.exec(text)![1];
  const login = await ws
    .anonymous()
    .post("/api/v1/auth/login", { email: "ada.byrne@demo.example", password });
  assert.equal(login.statusCode, 200, "the printed agent sign-in works");
});

test("a second run adds tickets to the same people, and the printed password still works", async () => {
  const ws = await buildWorkspace(ctx());
  await seedDemo(ws.db, { tickets: 4, workspaceId: ws.id });
  const again = await seedDemo(ws.db, { tickets: 4, workspaceId: ws.id });
  const users = await ws.db.selectFrom("users").select("email").where("workspace_id", "=", ws.id).execute();
  assert.equal(users.length, 1 + 6, "the admin and six agents, not twelve");
  const page = (await ws.as(ws.admin).get("/api/v1/tickets?limit=100")).json() as { data: unknown[] };
  assert.equal(page.data.length, 8);
  const mei = again.agents.find((a) => a.name === "Mei Lin")!;
  const login = await ws
    .anonymous()
    .post("/api/v1/auth/login", { email: mei.email, password: again.agentPassword });
  assert.equal(login.statusCode, 200);
});

test("a workspace that receives mail is not seeded: demo replies would be mailed to made-up customers", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  await assert.rejects(
    seedDemo(ws.db, { tickets: 2, workspaceId: ws.id }),
    new RegExp(`receives mail at ${mailbox.address.replaceAll(".", "\\.")}.*--workspace`),
  );
  const page = (await ws.as(ws.admin).get("/api/v1/tickets")).json() as { data: unknown[] };
  assert.equal(page.data.length, 0);
});
