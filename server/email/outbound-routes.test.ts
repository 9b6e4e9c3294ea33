import assert from "node:assert/strict";
import { after, test } from "node:test";
import { pino } from "pino";
import PostalMime from "postal-mime";
import { SecretBox } from "../auth/secret-box.ts";
import { LocalFileStore } from "../files/store.ts";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { emailTicket, outboundRows } from "../test/outbound-fixtures.ts";
import { type SinkMta, startSinkMta } from "../test/sink-mta.ts";
import { type OutboundDeps, sendOutbound } from "./outbound.ts";

// Outbound mail that did not get through, over HTTP: the list of failures and sending one again.
const ctx = useTestApp();

const sinks: SinkMta[] = [];
after(() => Promise.all(sinks.map((s) => s.close())));

const deps = (): OutboundDeps => ({
  db: ctx().database.db,
  box: SecretBox.fromConfig(ctx().app.config),
  fileStore: new LocalFileStore(ctx().app.config.fileStoreDir),
  relayUrl: null,
  log: pino({ level: "silent" }),
});

const send = (ws: TestWorkspace, outboundId: number) =>
  sendOutbound(deps(), { workspaceId: ws.id, outboundId }, { lastAttempt: false });

// An email ticket whose agent reply the receiving server refused for good (550).
async function refusedReply() {
  const mta = await startSinkMta({ dataReplies: [550] });
  sinks.push(mta);
  const ws = await buildWorkspace(ctx());
  const { ticket, requester } = await emailTicket(ws, mta);
  const posted = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "On it." });
  assert.equal(posted.statusCode, 201, posted.body);
  const [row] = await outboundRows(ws);
  assert.equal(await send(ws, row.id), "failed");
  return { ws, mta, ticket, requester, row, messageId: posted.json().message.id as number };
}

test("a failed reply names its outbound mail for agents, the id the agent app retries; customers see no delivery", async () => {
  const { ws, ticket, requester, row, messageId } = await refusedReply();
  const agent = await ws.agent();
  const shown = await ws.as(agent).get(`/api/v1/tickets/${ticket.id}/messages`);
  assert.equal(shown.statusCode, 200, shown.body);
  const reply = shown.json().data.find((m: { id: number }) => m.id === messageId);
  assert.equal(reply.delivery.outboundId, row.id);
  assert.equal(reply.delivery.status, "failed");

  const retried = await ws.as(agent).post(`/api/v1/outbound-emails/${reply.delivery.outboundId}/retry`);
  assert.equal(retried.statusCode, 202, retried.body);
  const after = await ws.as(agent).get(`/api/v1/tickets/${ticket.id}/messages`);
  const queued = after.json().data.find((m: { id: number }) => m.id === messageId);
  assert.equal(queued.delivery.outboundId, row.id);
  assert.equal(queued.delivery.status, "queued");
  assert.equal(queued.delivery.attempts, 1);

  // The customer reads the same reply with no delivery at all: no mail server, error or id.
  const customer = await ws.customerSession(requester.id);
  const theirs = await customer.get(`/api/v1/tickets/${ticket.id}/messages`);
  assert.equal(theirs.statusCode, 200, theirs.body);
  const seen = theirs.json().data.find((m: { id: number }) => m.id === messageId);
  assert.equal(seen.body, "On it.");
  assert.ok(!("delivery" in seen), "the customer's view of a message has no delivery member");
  assert.ok(!theirs.body.includes("outboundId") && !theirs.body.includes("lastError"));
});

test("agents list failed mail and send it again once the cause is fixed", async () => {
  const { ws, mta, ticket, row, messageId } = await refusedReply();
  const agent = await ws.agent();
  const list = await ws.as(agent).get("/api/v1/outbound-emails");
  assert.equal(list.statusCode, 200, list.body);
  const [failed] = list.json().data;
  assert.equal(failed.id, row.id);
  assert.equal(failed.status, "failed");
  assert.equal(failed.ticketId, ticket.id);
  assert.equal(failed.messageId, messageId);
  assert.equal(failed.attempts, 1);
  assert.match(failed.lastError, /550/);
  assert.deepEqual(failed.to, [row.recipients.to[0]]);
  assert.equal(failed.body, undefined, "the body stays on the message");
  // Sent mail is not a failure; asked for by status, it is listed.
  assert.equal((await ws.as(agent).get("/api/v1/outbound-emails?status=sent")).json().data.length, 0);
  const byTicket = await ws.as(agent).get(`/api/v1/outbound-emails?ticketId=${ticket.id}&status=failed`);
  assert.deepEqual(
    byTicket.json().data.map((r: { id: number }) => r.id),
    [row.id],
  );

  const retried = await ws.as(agent).post(`/api/v1/outbound-emails/${row.id}/retry`);
  assert.equal(retried.statusCode, 202, retried.body);
  assert.equal(retried.json().status, "queued");
  const again = await ws.as(agent).post(`/api/v1/outbound-emails/${row.id}/retry`);
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().code, "outbound_not_failed");
  assert.equal(again.json().status, 409, "status is the HTTP status (RFC 9457)");
  assert.equal(again.json().deliveryState, "queued");

  // The same mail goes out: same Message-ID, and the message shows it sent.
  assert.equal(await send(ws, row.id), "sent");
  const mail = await PostalMime.parse(mta.accepted().at(-1)!.raw);
  assert.equal(mail.messageId, row.message_id_header);
  const messages = await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}/messages`);
  const reply = messages.json().data.find((m: { id: number }) => m.id === messageId);
  assert.equal(reply.delivery.status, "sent");
  assert.equal(reply.delivery.attempts, 2);
  const events = await ws.db
    .selectFrom("ticket_events")
    .select(["type", "actor_id", "changes"])
    .where("workspace_id", "=", ws.id)
    .where("ticket_id", "=", ticket.id)
    .where("type", "=", "email.retried")
    .execute();
  assert.equal(events.length, 1);
  assert.equal(events[0].actor_id, agent.id);
  assert.deepEqual(events[0].changes, { outboundId: row.id, messageId, from: "failed" });
});

test("who may see and retry failed mail: 401, 403, 404, and other workspaces", async () => {
  const { ws, row } = await refusedReply();
  const url = `/api/v1/outbound-emails/${row.id}/retry`;
  assert.equal((await ws.anonymous().get("/api/v1/outbound-emails")).statusCode, 401);
  assert.equal((await ws.anonymous().post(url)).statusCode, 401);

  const light = await ws.agent({ role: "light_agent" });
  assert.equal((await ws.as(light).get("/api/v1/outbound-emails")).statusCode, 403);
  assert.equal((await ws.as(light).post(url)).json().code, "forbidden");
  const contact = await ws.contact();
  const customer = await ws.customerSession(contact.id);
  assert.equal((await customer.get("/api/v1/outbound-emails")).statusCode, 403);
  assert.equal((await customer.post(url)).statusCode, 403);

  // An agent who may not see the ticket sees neither the mail nor that it exists.
  const elsewhere = await ws.group();
  const outsider = await ws.agent({ ticketAccess: "groups", groupIds: [elsewhere.id] });
  assert.deepEqual((await ws.as(outsider).get("/api/v1/outbound-emails")).json().data, []);
  const hidden = await ws.as(outsider).post(url);
  assert.equal(hidden.statusCode, 404);
  assert.equal(hidden.json().code, "not_found");

  const other = await buildWorkspace(ctx());
  assert.deepEqual((await other.as(other.admin).get("/api/v1/outbound-emails")).json().data, []);
  assert.equal((await other.as(other.admin).post(url)).statusCode, 404);
  assert.equal((await ws.as(ws.admin).post("/api/v1/outbound-emails/999999999/retry")).statusCode, 404);
  assert.equal((await ws.as(ws.admin).get("/api/v1/outbound-emails?status=lost")).statusCode, 400);
  // Still failed: none of the refused attempts changed it.
  assert.equal((await outboundRows(ws))[0].status, "failed");
});
