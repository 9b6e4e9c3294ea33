import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { buildWorkspace } from "../test/harness.ts";
import { type LiveContext, startLiveApp, TestSocket } from "./live-app.ts";

// On PostgreSQL: two app instances on one database, as behind a load balancer. PGlite is one
// process's embedded database, so there the same assertions run against a single instance.
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

const eventOf = (ticketId: number, type: string) => (m: { type: string; event?: any }) =>
  m.type === "ticket.event" && m.event.ticketId === ticketId && m.event.type === type;

test("a ticket created through instance A is pushed to a socket on instance B", async () => {
  const ws = await buildWorkspace(a);
  const agent = await ws.agent();
  const socket = await TestSocket.open(b.wsUrl, { cookie: agent.cookie });
  const ticket = await ws.ticket();
  const created = await socket.next(eventOf(ticket.id, "ticket.created"));
  assert.deepEqual(created.event.actor, { type: "user", id: ws.admin.id });
  await socket.close();
});

test("presence announced on instance A is seen on instance B, and so is leaving", async () => {
  const ws = await buildWorkspace(a);
  const ticket = await ws.ticket();
  const alice = await ws.agent();
  const bob = await ws.agent();
  const onA = await TestSocket.open(a.wsUrl, { cookie: alice.cookie });
  const onB = await TestSocket.open(b.wsUrl, { cookie: bob.cookie });
  onA.send({ type: "presence", ticketId: ticket.id, state: "viewing" });
  const seen = await onB.next(
    (m) => m.type === "presence" && m.ticketId === ticket.id && m.users.length === 1,
  );
  assert.equal(seen.users[0].id, alice.id);
  onB.send({ type: "presence", ticketId: ticket.id, state: "typing" });
  const both = await onA.next((m) => m.type === "presence" && m.users.length === 2);
  assert.deepEqual(
    both.users.map((u: { id: number; state: string }) => [u.id, u.state]),
    [
      [alice.id, "viewing"],
      [bob.id, "typing"],
    ].sort((x, y) => (x[0] as number) - (y[0] as number)),
  );
  await onA.close();
  await onB.next((m) => m.type === "presence" && m.users.length === 1 && m.users[0].id === bob.id);
  await onB.close();
});

// Only a server connection can drop; PGlite's notifications never leave the process.
if (onServer) {
  test("after its LISTEN connection is killed the bus reconnects and sockets are told to resync", async () => {
    const ws = await buildWorkspace(a);
    const socket = await TestSocket.open(b.wsUrl, { cookie: ws.admin.cookie });
    await sql`
      select pg_terminate_backend(pid) from pg_stat_activity
      where application_name = 'parley-listen' and datname = current_database()`.execute(a.database.db);
    await socket.next((m) => m.type === "resync");
    const ticket = await ws.ticket();
    await socket.next(eventOf(ticket.id, "ticket.created"));
    const metrics = await (b as LiveContext).metrics.registry.metrics();
    assert.match(metrics, /parley_event_bus_reconnects_total [1-9]/);
    await socket.close();
  });
}
