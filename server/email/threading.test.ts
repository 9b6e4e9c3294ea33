import assert from "node:assert/strict";
import { test } from "node:test";
import { inTransaction } from "../db/connection.ts";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { newMessageId } from "../test/mail.ts";
import { canonicalMessageId, findThread, type ThreadHeaders } from "./threading.ts";
import { generateMessageId } from "./ticket-token.ts";

const ctx = useTestApp();

const headers = (h: Partial<ThreadHeaders>): ThreadHeaders => ({
  inReplyTo: [],
  references: [],
  subject: "",
  ...h,
});

// A ticket whose first message is an inbound mail with the given Message-ID.
async function mailTicket(ws: TestWorkspace, messageId: string) {
  const ticket = await ws.ticket({ subject: "Printer" });
  await ws.db
    .updateTable("messages")
    .set({ channel: "email", external_id: messageId })
    .where("workspace_id", "=", ws.id)
    .where("ticket_id", "=", ticket.id)
    .execute();
  return ticket;
}

const find = (ws: TestWorkspace, h: Partial<ThreadHeaders>) =>
  inTransaction(ws.db, (trx) => findThread(trx, ws.id, headers(h)));

test("Message-IDs compare in their bracketed form", () => {
  assert.equal(canonicalMessageId("abc@x.test"), "<abc@x.test>");
  assert.equal(canonicalMessageId(" <abc@x.test> "), "<abc@x.test>");
  assert.equal(canonicalMessageId("<>"), "");
});

test("In-Reply-To wins over References, and References are read newest first", async () => {
  const ws = await buildWorkspace(ctx());
  const [a, b, c] = [newMessageId(), newMessageId(), newMessageId()];
  const ta = await mailTicket(ws, a);
  const tb = await mailTicket(ws, b);
  const tc = await mailTicket(ws, c);
  const byReply = await find(ws, { inReplyTo: [b], references: [a, c] });
  assert.equal(byReply?.ticket.id, tb.id);
  assert.equal(byReply?.via, "in_reply_to");
  const byRefs = await find(ws, { inReplyTo: [newMessageId()], references: [a, c] });
  assert.equal(byRefs?.ticket.id, tc.id);
  assert.equal(byRefs?.via, "references");
  const unbracketed = await find(ws, { inReplyTo: [a.slice(1, -1)] });
  assert.equal(unbracketed?.ticket.id, ta.id);
});

test("a known Message-ID wins over the ticket token, which wins over the subject token", async () => {
  const ws = await buildWorkspace(ctx());
  const known = newMessageId();
  const byHeader = await mailTicket(ws, known);
  const byToken = await ws.ticket();
  const bySubject = await ws.ticket();
  const token = generateMessageId("help.test", ws.id, byToken.number);
  const all = await find(ws, {
    inReplyTo: [token],
    references: [known],
    subject: `Re: [#${bySubject.number}]`,
  });
  assert.equal(all?.ticket.id, byHeader.id);
  const tokenAndSubject = await find(ws, { references: [token], subject: `Re: [#${bySubject.number}]` });
  assert.equal(tokenAndSubject?.ticket.id, byToken.id);
  assert.equal(tokenAndSubject?.via, "message_id_token");
  const subjectOnly = await find(ws, { subject: `Re: Printer [#${bySubject.number}]` });
  assert.equal(subjectOnly?.ticket.id, bySubject.id);
  assert.equal(subjectOnly?.via, "subject_token");
});

test("nothing known, another workspace's ids, or an unknown ticket number start a new ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const other = await buildWorkspace(ctx());
  const foreignId = newMessageId();
  const foreign = await mailTicket(other, foreignId);
  assert.equal(await find(ws, { inReplyTo: [foreignId] }), null);
  assert.equal(
    await find(ws, { inReplyTo: [generateMessageId("help.test", other.id, foreign.number)] }),
    null,
  );
  assert.equal(await find(ws, { subject: "Re: [#987654]" }), null);
  assert.equal(await find(ws, { subject: "Hello" }), null);
});

test("a mail Parley sent threads by its outbound Message-ID, and merged tickets resolve to their target", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await ws.db
    .insertInto("mailboxes")
    .values({ workspace_id: ws.id, name: "S", address: `s-${ws.id}-${Date.now()}@help.test`, settings: "{}" })
    .returning("id")
    .executeTakeFirstOrThrow();
  const source = await ws.ticket();
  const target = await ws.ticket();
  const sent = `<out-${Date.now()}@help.test>`;
  await ws.db
    .insertInto("outbound_emails")
    .values({
      workspace_id: ws.id,
      ticket_id: source.id,
      mailbox_id: mailbox.id,
      message_id_header: sent,
      recipients: JSON.stringify({ to: [], cc: [] }),
      subject: "Re: Printer",
    })
    .execute();
  assert.equal((await find(ws, { inReplyTo: [sent] }))?.ticket.id, source.id);
  const merged = await ws.as(ws.admin).post(`/api/v1/tickets/${source.id}/merge`, { targetId: target.id });
  assert.equal(merged.statusCode, 200, merged.body);
  const match = await find(ws, { inReplyTo: [sent] });
  assert.equal(match?.ticket.id, target.id);
  assert.equal(match?.ticket.merged_into_id, null);
});
