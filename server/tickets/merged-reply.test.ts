import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

// A customer who answers on a ticket that has since been merged, through the API or the portal,
// lands on the ticket the conversation continues on, as their email reply would.
const ctx = useTestApp();

test("a customer's reply on a merged ticket goes to the ticket it was merged into", async () => {
  const ws = await buildWorkspace(ctx());
  const customer = await ws.contact();
  const source = await ws.ticket({ requester: { id: customer.id } });
  const target = await ws.ticket({ requester: { id: customer.id } });
  await ws.as(ws.admin).post(`/api/v1/tickets/${source.id}/merge`, { targetId: target.id });
  await ws.as(ws.admin).patch(`/api/v1/tickets/${target.id}`, { status: "solved" });

  const portal = await ws.customerSession(customer.id);
  const res = await portal.post(`/api/v1/tickets/${source.id}/messages`, { body: "One more thing" });
  assert.equal(res.statusCode, 201, res.body);
  const { message, ticket } = res.json();
  assert.equal(ticket.id, target.id);
  assert.equal(message.ticketId, target.id);
  // Like any customer reply, it reopens the solved ticket it lands on.
  assert.equal(ticket.status, "open");
  const onTarget = (await ws.as(ws.admin).get(`/api/v1/tickets/${target.id}/messages`)).json().data;
  assert.equal(onTarget.at(-1).body, "One more thing");
});

test("the reply follows a chain of merges", async () => {
  const ws = await buildWorkspace(ctx());
  const customer = await ws.contact();
  const [a, b, c] = [
    await ws.ticket({ requester: { id: customer.id } }),
    await ws.ticket({ requester: { id: customer.id } }),
    await ws.ticket({ requester: { id: customer.id } }),
  ];
  await ws.as(ws.admin).post(`/api/v1/tickets/${a.id}/merge`, { targetId: b.id });
  await ws.as(ws.admin).post(`/api/v1/tickets/${b.id}/merge`, { targetId: c.id });
  const portal = await ws.customerSession(customer.id);
  const res = await portal.post(`/api/v1/tickets/${a.id}/messages`, { body: "Still there?" });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().ticket.id, c.id);
});

test("agents, and customers who may not see the target, are still told where to write", async () => {
  const ws = await buildWorkspace(ctx());
  const alice = await ws.contact();
  const bob = await ws.contact();
  const mine = await ws.ticket({ requester: { id: alice.id } });
  const theirs = await ws.ticket({ requester: { id: bob.id } });
  await ws.as(ws.admin).post(`/api/v1/tickets/${mine.id}/merge`, { targetId: theirs.id });

  const agent = await ws.as(ws.admin).post(`/api/v1/tickets/${mine.id}/messages`, { body: "Hello" });
  assert.equal(agent.statusCode, 409);
  assert.equal(agent.json().code, "ticket_merged");
  assert.equal(agent.json().mergedIntoId, theirs.id);

  const portal = await ws.customerSession(alice.id);
  const res = await portal.post(`/api/v1/tickets/${mine.id}/messages`, { body: "Hello?" });
  assert.equal(res.statusCode, 409);
  assert.equal(res.json().code, "ticket_merged");
  const onTheirs = (await ws.as(ws.admin).get(`/api/v1/tickets/${theirs.id}/messages`)).json().data;
  assert.ok(!onTheirs.some((m: { body: string }) => m.body === "Hello?"));
});

test("a reply that follows a merge to a closed ticket opens a follow-up", async () => {
  const ws = await buildWorkspace(ctx());
  const customer = await ws.contact();
  const source = await ws.ticket({ requester: { id: customer.id } });
  const target = await ws.ticket({ requester: { id: customer.id } });
  await ws.as(ws.admin).post(`/api/v1/tickets/${source.id}/merge`, { targetId: target.id });
  await ws.as(ws.admin).patch(`/api/v1/tickets/${target.id}`, { status: "solved" });
  await ws.as(ws.admin).patch(`/api/v1/tickets/${target.id}`, { status: "closed" });
  const portal = await ws.customerSession(customer.id);
  const res = await portal.post(`/api/v1/tickets/${source.id}/messages`, { body: "It is back" });
  assert.equal(res.statusCode, 201, res.body);
  const followUp = (await ws.as(ws.admin).get(`/api/v1/tickets/${res.json().ticket.id}`)).json();
  assert.equal(followUp.followUpOfId, target.id);
});
