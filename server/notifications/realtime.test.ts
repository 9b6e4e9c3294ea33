import assert from "node:assert/strict";
import { test } from "node:test";
import { TestSocket, useLiveApp } from "../realtime/live-app.ts";
import { buildWorkspace } from "../test/harness.ts";

// The app as `parley start` runs it: event bus, mention job worker, websocket.
const ctx = useLiveApp();

const nameOf = async (cookie: string) => {
  const res = await ctx().app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie } });
  return res.json().name as string;
};

test("a new notification is pushed to its user's sockets only, and reading it is pushed too", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const bystander = await ws.agent();
  const mine = await TestSocket.open(ctx().wsUrl, { cookie: agent.cookie });
  const secondTab = await TestSocket.open(ctx().wsUrl, { cookie: agent.cookie });
  const theirs = await TestSocket.open(ctx().wsUrl, { cookie: bystander.cookie });

  const ticket = await ws.ticket({ assigneeId: agent.id });
  await mine.next((m) => m.type === "notification" && m.reason === "created");
  await secondTab.next((m) => m.type === "notification" && m.reason === "created");
  // The bystander heard the ticket's own events (they may see it) but no notification.
  await theirs.next((m) => m.type === "ticket.event" && m.event.ticketId === ticket.id);
  const [n] = (await ws.as(agent).get("/api/v1/notifications")).json().data;
  await ws.as(agent).post("/api/v1/notifications/read", { ids: [n.id] });
  await secondTab.next((m) => m.type === "notification" && m.reason === "read");
  // A later marker on the bystander's socket: anything pushed before it has arrived by now.
  const marker = await ws.ticket();
  await theirs.next((m) => m.type === "ticket.event" && m.event.ticketId === marker.id);
  assert.equal(theirs.received.filter((m) => m.type === "notification").length, 0);
  await Promise.all([mine.close(), secondTab.close(), theirs.close()]);
});

test("a mention lists with an excerpt of the note around the name", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const name = await nameOf(agent.cookie);
  const socket = await TestSocket.open(ctx().wsUrl, { cookie: agent.cookie });
  const ticket = await ws.ticket({ subject: "Refund request" });
  const filler = "Background that goes on for a while. ".repeat(8);
  const note = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, {
    kind: "note",
    body: `${filler}Could @${name} check the refund?\nThanks.`,
  });
  assert.equal(note.statusCode, 201, note.body);
  await socket.next((m) => m.type === "notification" && m.reason === "created");
  const [mention] = (await ws.as(agent).get("/api/v1/notifications")).json().data;
  assert.equal(mention.kind, "mentioned");
  assert.equal(mention.ticket.subject, "Refund request");
  assert.equal(mention.actor.id, ws.admin.id);
  assert.ok(mention.excerpt.includes(`Could @${name} check the refund? Thanks.`), mention.excerpt);
  assert.ok(mention.excerpt.startsWith("…"), mention.excerpt);
  assert.ok(mention.excerpt.length <= 142, mention.excerpt);
  await socket.close();
});
