import assert from "node:assert/strict";
import { test } from "node:test";
import { useLiveApp } from "../realtime/live-app.ts";
import { buildWorkspace, type TestUser, type TestWorkspace } from "../test/harness.ts";
import { mentionedUserIds } from "./mention-notifications.ts";

const ctx = useLiveApp();

test("a mention is the longest agent name after @, ending at a word boundary", () => {
  const users = [
    { id: 1, name: "Ada" },
    { id: 2, name: "Ada Lovelace" },
    { id: 3, name: "Grace Hopper" },
    { id: 4, name: "Émile" },
  ];
  assert.deepEqual(mentionedUserIds("@Ada Lovelace, please look", users), [2]);
  assert.deepEqual(mentionedUserIds("@ada and @Grace Hopper.", users), [1, 3]);
  assert.deepEqual(mentionedUserIds("@Adam is not here, mail ada@example.com", users), []);
  assert.deepEqual(mentionedUserIds("cc @Émile", users), [4]);
  assert.deepEqual(mentionedUserIds("no mention of Ada", users), []);
});

async function named(ws: TestWorkspace, name: string, options: Parameters<TestWorkspace["agent"]>[0] = {}) {
  const user = await ws.agent(options);
  const res = await ws.as(ws.admin).patch(`/api/v1/users/${user.id}`, { name });
  assert.equal(res.statusCode, 200, res.body);
  return user;
}

async function notified(ws: TestWorkspace, ticketId: number, count: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const rows = await ws.db
      .selectFrom("notifications")
      .select(["user_id", "kind"])
      .where("workspace_id", "=", ws.id)
      .where("ticket_id", "=", ticketId)
      .orderBy("user_id")
      .execute();
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("an internal note that @mentions agents leaves each a notification", async () => {
  const ws = await buildWorkspace(ctx());
  const ada = await named(ws, "Ada Lovelace");
  const grace = await named(ws, "Grace Hopper");
  const group = await ws.group();
  const outsider: TestUser = await named(ws, "Linus Outsider", { ticketAccess: "groups" });
  const ticket = await ws.ticket({ groupId: group.id });
  const author = await named(ws, "Alan Author");

  // A public reply never notifies, whatever it says.
  await ws
    .as(author)
    .post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Thanks @Grace Hopper", kind: "reply" });
  const note = await ws.as(author).post(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "@Ada Lovelace and @Grace Hopper, can you check? @Linus Outsider too. @Alan Author",
    kind: "note",
  });
  assert.equal(note.statusCode, 201, note.body);
  const rows = await notified(ws, ticket.id, 2);
  // The outsider cannot see tickets of a group they are not in; the author is not told of their own note.
  assert.deepEqual(
    rows,
    [ada, grace].map((u) => ({ user_id: u.id, kind: "mentioned" })),
  );
  assert.ok(outsider.id);
});
