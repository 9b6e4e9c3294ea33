import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { buildWorkspace } from "../test/harness.ts";
import { startLiveApp, TestSocket } from "./live-app.ts";

// A socket must follow its user's rights as they change, not as they were when it opened: the
// change is written through instance A, the socket is on instance B (on PostgreSQL; PGlite is
// one process, so there A and B are one instance). Each test waits for a later event that does
// reach the socket, as a barrier, instead of waiting a fixed time: events are pushed in commit
// order, so by then the one that must not arrive would have.
const onServer = Boolean(process.env.DATABASE_URL);
let a: Awaited<ReturnType<typeof startLiveApp>>;
let b: Awaited<ReturnType<typeof startLiveApp>>;

before(async () => {
  a = await startLiveApp();
  b = onServer ? await startLiveApp() : a;
});

after(async () => {
  if (b !== a) await b.stop();
  await a.stop();
});

const eventOn = (ticketId: number) => (m: { type: string; event?: { ticketId: number } }) =>
  m.type === "ticket.event" && m.event?.ticketId === ticketId;

test("an agent removed from a group hears nothing more of its tickets", async () => {
  const ws = await buildWorkspace(a);
  const billing = await ws.group("Billing");
  const support = await ws.group("Support");
  const agent = await ws.agent({ ticketAccess: "groups", groupIds: [billing.id, support.id] });
  const billingTicket = await ws.ticket({ groupId: billing.id });
  const supportTicket = await ws.ticket({ groupId: support.id });
  const admin = ws.as(ws.admin);
  const socket = await TestSocket.open(b.wsUrl, { cookie: agent.cookie });

  // Still a member: the socket hears of Billing's ticket (and B has the agent's rights cached).
  const before = await admin.patch(`/api/v1/tickets/${billingTicket.id}`, { priority: "high" });
  assert.equal(before.statusCode, 200, before.body);
  await socket.next(eventOn(billingTicket.id));
  const heardBefore = socket.received.length;

  const removed = await admin.patch(`/api/v1/users/${agent.id}`, { groupIds: [support.id] });
  assert.equal(removed.statusCode, 200, removed.body);
  assert.equal(
    (await admin.patch(`/api/v1/tickets/${billingTicket.id}`, { priority: "urgent" })).statusCode,
    200,
  );
  assert.equal(
    (await admin.patch(`/api/v1/tickets/${supportTicket.id}`, { priority: "high" })).statusCode,
    200,
  );

  await socket.next((m) => eventOn(supportTicket.id)(m) && m.event?.type === "ticket.updated");
  const after = socket.received.slice(heardBefore);
  assert.ok(!after.some(eventOn(billingTicket.id)), "an event of a group the agent has left arrived");
  await socket.close();
});

test("an agent added to a group hears of its tickets from then on", async () => {
  const ws = await buildWorkspace(a);
  const billing = await ws.group("Billing");
  const agent = await ws.agent({ ticketAccess: "groups", groupIds: [] });
  const billingTicket = await ws.ticket({ groupId: billing.id });
  const admin = ws.as(ws.admin);
  const socket = await TestSocket.open(b.wsUrl, { cookie: agent.cookie });
  assert.equal((await admin.patch(`/api/v1/users/${agent.id}`, { groupIds: [billing.id] })).statusCode, 200);
  assert.equal(
    (await admin.patch(`/api/v1/tickets/${billingTicket.id}`, { priority: "high" })).statusCode,
    200,
  );
  await socket.next(eventOn(billingTicket.id));
  await socket.close();
});

test("an admin made an agent limited to groups hears only what an agent may see", async () => {
  const ws = await buildWorkspace(a);
  const billing = await ws.group("Billing");
  const lead = await ws.agent({ role: "admin", ticketAccess: "groups", groupIds: [] });
  const socket = await TestSocket.open(b.wsUrl, { cookie: lead.cookie });
  const seenAsAdmin = await ws.ticket({ groupId: billing.id });
  await socket.next(eventOn(seenAsAdmin.id));

  const demoted = await ws.as(ws.admin).patch(`/api/v1/users/${lead.id}`, { role: "agent" });
  assert.equal(demoted.statusCode, 200, demoted.body);
  const hidden = await ws.ticket({ groupId: billing.id });
  const theirs = await ws.ticket({ assigneeId: lead.id });
  await socket.next(eventOn(theirs.id));
  assert.ok(!socket.received.some(eventOn(hidden.id)), "an event only an admin may see arrived");
  await socket.close();
});

test("a deactivated agent's socket is closed before any later event reaches it", async () => {
  const ws = await buildWorkspace(a);
  const agent = await ws.agent();
  const socket = await TestSocket.open(b.wsUrl, { cookie: agent.cookie });
  const earlier = await ws.ticket();
  await socket.next(eventOn(earlier.id));

  const deactivated = await ws.as(ws.admin).patch(`/api/v1/users/${agent.id}`, { active: false });
  assert.equal(deactivated.statusCode, 200, deactivated.body);
  const later = await ws.ticket();
  const outcome = await Promise.race([
    socket.closed,
    socket.next(eventOn(later.id)).then(() => "heard a ticket created after the deactivation"),
  ]);
  assert.deepEqual(outcome, { code: 4401, reason: "session ended" });
});

test("a blocked customer's socket is closed", async () => {
  const ws = await buildWorkspace(a);
  const contact = await ws.contact();
  const customer = await ws.customerSession(contact.id);
  const socket = await TestSocket.open(b.wsUrl, { cookie: customer.headers.cookie });
  const blocked = await ws.as(ws.admin).patch(`/api/v1/contacts/${contact.id}`, { blocked: true });
  assert.equal(blocked.statusCode, 200, blocked.body);
  const theirs = await ws.ticket({ requester: { id: contact.id } });
  const outcome = await Promise.race([
    socket.closed,
    socket.next(eventOn(theirs.id)).then(() => "heard a ticket created after the block"),
  ]);
  assert.deepEqual(outcome, { code: 4401, reason: "session ended" });
});

test("a change written straight into the database is announced, and no instance serves the old rights", async () => {
  const ws = await buildWorkspace(a);
  const agent = await ws.agent();
  const me = () => b.app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: agent.cookie } });
  assert.equal((await me()).statusCode, 200, "the agent's rights are now cached");
  const announced = new Promise<void>((resolve) => {
    const stop = b.bus.onAccessChange((n) => {
      if (n.workspaceId === ws.id && n.userId === agent.id) {
        stop();
        resolve();
      }
    });
  });
  // Raw SQL, as from psql: no query-builder write for this process's cache to notice.
  await sql`update users set active = false where workspace_id = ${ws.id} and id = ${agent.id}`.execute(
    a.database.db,
  );
  await announced;
  const after = await me();
  assert.equal(after.statusCode, 401, after.body);
});
