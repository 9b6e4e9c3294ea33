import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { backfillTicketAccessCopies } from "../db/migrations/20261207T0600-search-ticket-access-copies.ts";
import { buildWorkspace, type Client, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { insertTicketDrafts } from "../tickets/create-batch.ts";

const ctx = useTestApp();

// Messages carry copies of their ticket's group, assignee and status for search's index; triggers
// keep them equal to the ticket's. After every kind of change, no message of the workspace may
// differ from its ticket (and there must be messages to compare).
async function assertCopiesEqual(ws: TestWorkspace, after: string) {
  const { rows } = await sql<{ messages: number; differing: number }>`
    select count(*)::int as messages,
      count(*) filter (where (m.ticket_group_id, m.ticket_assignee_id, m.ticket_status)
        is distinct from (t.group_id, t.assignee_id, t.status))::int as differing
    from messages m join tickets t on t.workspace_id = m.workspace_id and t.id = m.ticket_id
    where m.workspace_id = ${ws.id}`.execute(ws.db);
  assert.ok(rows[0].messages > 0, `no messages after ${after}`);
  assert.equal(rows[0].differing, 0, `copies differ from their ticket after ${after}`);
}

async function copiesOf(ws: TestWorkspace, ticketId: number) {
  const { rows } = await sql<{ group_id: number | null; assignee_id: number | null; status: string }>`
    select distinct ticket_group_id::int as group_id, ticket_assignee_id::int as assignee_id,
      ticket_status as status
    from messages where workspace_id = ${ws.id} and ticket_id = ${ticketId}`.execute(ws.db);
  return rows;
}

async function ok(res: Promise<{ statusCode: number; body: string; json(): any }>, status = 200) {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  return r;
}

test("messages' copies of group, assignee and status follow their ticket through every change", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  const g1 = await ws.group();
  const g2 = await ws.group();
  const agent = await ws.agent({ groupIds: [g1.id, g2.id] });

  // Creation by an agent: the batched path.
  const a = await ws.ticket({ groupId: g1.id, subject: "Alpha" });
  const b = await ws.ticket({ subject: "Bravo", assigneeId: agent.id });
  assert.deepEqual(await copiesOf(ws, a.id), [{ group_id: g1.id, assignee_id: null, status: "new" }]);
  assert.deepEqual(await copiesOf(ws, b.id), [{ group_id: null, assignee_id: agent.id, status: "open" }]);
  await assertCopiesEqual(ws, "batched creation");

  // Creation by a customer: the single path.
  const contact = await ws.contact();
  const customer = await ws.customerSession(contact.id);
  const c = (
    await ok(customer.post("/api/v1/tickets", { subject: "Charlie", comment: { body: "Hello" } }), 201)
  ).json() as { id: number };
  await assertCopiesEqual(ws, "single creation");

  // The batched insert called directly, as the creation queue does.
  const [d] = await ws.db.transaction().execute((trx) =>
    insertTicketDrafts(
      trx,
      [
        {
          workspaceId: ws.id,
          subject: "Delta",
          status: "pending",
          priority: "normal",
          type: "question",
          requesterId: contact.id,
          organizationId: null,
          assigneeId: agent.id,
          groupId: g2.id,
          channel: "api",
          tags: [],
          customFields: {},
          actor: { type: "user", id: ws.admin.id },
          message: {
            kind: "reply",
            direction: "in",
            author: { contact: contact.id },
            body: "Delta",
            html: null,
          },
        },
      ],
      new Date(),
    ),
  );
  assert.deepEqual(await copiesOf(ws, d.id), [{ group_id: g2.id, assignee_id: agent.id, status: "pending" }]);

  // New messages, then single updates of each field.
  await ok(admin.post(`/api/v1/tickets/${a.id}/messages`, { body: "A note", kind: "note" }), 201);
  await ok(admin.post(`/api/v1/tickets/${a.id}/messages`, { body: "A reply" }), 201);
  await assertCopiesEqual(ws, "new messages");
  await ok(admin.patch(`/api/v1/tickets/${a.id}`, { groupId: g2.id }));
  await ok(admin.patch(`/api/v1/tickets/${a.id}`, { assigneeId: agent.id }));
  await ok(admin.patch(`/api/v1/tickets/${a.id}`, { status: "pending" }));
  assert.deepEqual(await copiesOf(ws, a.id), [{ group_id: g2.id, assignee_id: agent.id, status: "pending" }]);
  await ok(admin.patch(`/api/v1/tickets/${a.id}`, { groupId: null, assigneeId: null }));
  assert.deepEqual(await copiesOf(ws, a.id), [{ group_id: null, assignee_id: null, status: "pending" }]);
  await assertCopiesEqual(ws, "single updates");

  // Bulk update.
  await ok(
    admin.post("/api/v1/tickets/bulk", {
      ids: [a.id, b.id, c.id],
      changes: { groupId: g1.id, assigneeId: agent.id, status: "on_hold" },
    }),
  );
  for (const id of [a.id, b.id, c.id]) {
    assert.deepEqual(await copiesOf(ws, id), [{ group_id: g1.id, assignee_id: agent.id, status: "on_hold" }]);
  }
  await assertCopiesEqual(ws, "bulk update");

  // Split: the moved message takes the new ticket's values.
  await ok(admin.patch(`/api/v1/tickets/${b.id}`, { groupId: g2.id }));
  const second = await ok(admin.post(`/api/v1/tickets/${b.id}/messages`, { body: "Another question" }), 201);
  const split = await ok(
    admin.post(`/api/v1/tickets/${b.id}/split`, { messageId: second.json().message.id, subject: "Echo" }),
    201,
  );
  const e = split.json().ticket as { id: number };
  await ok(admin.patch(`/api/v1/tickets/${e.id}`, { groupId: g1.id, assigneeId: null }));
  assert.deepEqual(await copiesOf(ws, e.id), [{ group_id: g1.id, assignee_id: null, status: "new" }]);
  await assertCopiesEqual(ws, "split");

  // Merge: the source's messages move to the target and take its values; the source closes.
  await ok(admin.post(`/api/v1/tickets/${c.id}/merge`, { targetId: d.id }));
  await assertCopiesEqual(ws, "merge");
  assert.deepEqual(await copiesOf(ws, d.id), [{ group_id: g2.id, assignee_id: agent.id, status: "pending" }]);
});

async function searchIds(client: Client, q: string) {
  const res = await client.get(`/api/v1/search?q=${encodeURIComponent(q)}&limit=100`);
  assert.equal(res.statusCode, 200, res.body);
  const data = res.json().data as {
    type: string;
    ticket?: { id: number };
    message?: { ticket: { id: number } };
  }[];
  const tickets = data.filter((h) => h.type === "tickets").map((h) => h.ticket!.id);
  const messages = data.filter((h) => h.type === "messages").map((h) => h.message!.ticket.id);
  return { tickets: [...new Set(tickets)].sort(), messages: [...new Set(messages)].sort() };
}

test("a restricted agent finds exactly their groups' tickets and those assigned to them, as they change", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  const mine = await ws.group();
  const other = await ws.group();
  const agent = await ws.agent({ ticketAccess: "groups", groupIds: [mine.id] });
  const loner = await ws.agent({ ticketAccess: "groups", groupIds: [] });
  const body = { comment: { body: "zanzibar gadget" } };
  const inMine = await ws.ticket({ subject: "zanzibar", groupId: mine.id, ...body });
  const inOther = await ws.ticket({ subject: "zanzibar", groupId: other.id, ...body });
  const noGroup = await ws.ticket({ subject: "zanzibar", ...body });
  // Assigned to the agent outside their groups (an assignee must belong to the ticket's group).
  const toAgent = await ws.ticket({ subject: "zanzibar", assigneeId: agent.id, ...body });
  const toLoner = await ws.ticket({ subject: "zanzibar", assigneeId: loner.id, ...body });
  const sorted = (...ids: number[]) => ids.sort();

  const expectAgent = async (ids: number[], when: string) => {
    const found = await searchIds(ws.as(agent), "zanzibar");
    assert.deepEqual(found, { tickets: sorted(...ids), messages: sorted(...ids) }, when);
  };
  const expectLoner = async (ids: number[], when: string) => {
    const found = await searchIds(ws.as(loner), "zanzibar");
    assert.deepEqual(found, { tickets: sorted(...ids), messages: sorted(...ids) }, when);
  };
  await expectAgent([inMine.id, toAgent.id], "at creation");
  await expectLoner([toLoner.id], "at creation");
  const everyone = await searchIds(admin, "zanzibar");
  assert.deepEqual(everyone.messages, sorted(inMine.id, inOther.id, noGroup.id, toAgent.id, toLoner.id));

  // Moving a ticket out of the agent's group, and another in, and unassigning.
  await ok(admin.patch(`/api/v1/tickets/${inMine.id}`, { groupId: other.id }));
  await ok(admin.patch(`/api/v1/tickets/${noGroup.id}`, { groupId: mine.id }));
  await ok(admin.patch(`/api/v1/tickets/${toAgent.id}`, { assigneeId: null }));
  await expectAgent([noGroup.id], "after regrouping and unassigning");
  await ok(
    admin.post("/api/v1/tickets/bulk", {
      ids: [inOther.id, toLoner.id],
      changes: { groupId: null, assigneeId: loner.id },
    }),
  );
  await expectLoner([inOther.id, toLoner.id], "after a bulk assignment");
  await expectAgent([noGroup.id], "after a bulk assignment to someone else");

  // A merge moves the source's messages under the target, which the agent may not see.
  await ok(admin.post(`/api/v1/tickets/${noGroup.id}/merge`, { targetId: inOther.id }));
  const afterMerge = await searchIds(ws.as(agent), "zanzibar");
  assert.deepEqual(afterMerge.messages, [], "no message of a ticket the agent cannot see");
});

test("the migration's backfill gives existing messages their ticket's values", async () => {
  const ws = await buildWorkspace(ctx());
  const group = await ws.group();
  const agent = await ws.agent({ groupIds: [group.id] });
  const a = await ws.ticket({ groupId: group.id, assigneeId: agent.id, subject: "Foxtrot" });
  const b = await ws.ticket({ subject: "Golf", status: "pending" });
  // As before the migration: messages without copies.
  await sql`update messages set ticket_group_id = null, ticket_assignee_id = null, ticket_status = null
    where workspace_id = ${ws.id}`.execute(ws.db);
  assert.deepEqual(await copiesOf(ws, a.id), [{ group_id: null, assignee_id: null, status: null }]);
  await backfillTicketAccessCopies(ws.db);
  assert.deepEqual(await copiesOf(ws, a.id), [{ group_id: group.id, assignee_id: agent.id, status: "open" }]);
  assert.deepEqual(await copiesOf(ws, b.id), [{ group_id: null, assignee_id: null, status: "pending" }]);
  await assertCopiesEqual(ws, "the backfill");
});
