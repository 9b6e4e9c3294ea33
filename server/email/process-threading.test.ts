import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";
import { createMailbox, deliver, messagesOf, newMessageId, ticketOf } from "../test/mail.ts";
import { generateMessageId } from "./ticket-token.ts";

// How replies find their ticket, end to end: a mail uploaded, processed, and where it landed.
const ctx = useTestApp();

test("a reply with In-Reply-To of an inbound mail lands on its ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const first = newMessageId();
  const opened = await deliver(ws, mailbox, { from: "robin@customer.test", messageId: first });
  const reply = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    subject: "Re: Printer on fire",
    inReplyTo: first,
    references: first,
    text: "Still burning.",
  });
  assert.equal(reply.ticket_id, opened.ticket_id);
  assert.equal((await messagesOf(ws, opened.ticket_id!)).length, 2);
});

test("a reply to a mail Parley sent finds the ticket by the outbound Message-ID", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const opened = await deliver(ws, mailbox, { from: "robin@customer.test" });
  const ticket = await ticketOf(ws, opened.ticket_id!);
  // An outbound row as the outbox writes it; its Message-ID is random here so that only the
  // row, not the ticket token, can find the ticket.
  const sent = `<${Date.now()}.agent-reply@mail.help.test>`;
  await ws.db
    .insertInto("outbound_emails")
    .values({
      workspace_id: ws.id,
      ticket_id: ticket.id,
      mailbox_id: mailbox.id,
      message_id_header: sent,
      recipients: JSON.stringify({ to: ["robin@customer.test"], cc: [] }),
      subject: `Re: Printer on fire [#${ticket.number}]`,
    })
    .execute();
  const reply = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    subject: "Re: whatever",
    inReplyTo: sent,
  });
  assert.equal(reply.ticket_id, ticket.id);
});

test("References alone thread a reply, and the newest known reference wins", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const a = newMessageId();
  const b = newMessageId();
  const first = await deliver(ws, mailbox, { from: "robin@customer.test", messageId: a, subject: "One" });
  const second = await deliver(ws, mailbox, { from: "robin@customer.test", messageId: b, subject: "Two" });
  assert.notEqual(first.ticket_id, second.ticket_id);
  const reply = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    subject: "Re: Two",
    references: `${a} ${newMessageId()} ${b}`,
  });
  assert.equal(reply.ticket_id, second.ticket_id);
});

test("a Parley Message-ID token or the subject token threads a reply when the headers are unknown", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const opened = await deliver(ws, mailbox, { from: "robin@customer.test" });
  const ticket = await ticketOf(ws, opened.ticket_id!);
  const byToken = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    subject: "Re: something",
    inReplyTo: generateMessageId("help.test", ws.id, ticket.number),
  });
  assert.equal(byToken.ticket_id, ticket.id);
  const bySubject = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    subject: `Re: Printer on fire [#${ticket.number}]`,
  });
  assert.equal(bySubject.ticket_id, ticket.id);
  // Another workspace's token in a Message-ID means nothing here.
  const foreign = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    subject: "Unrelated",
    inReplyTo: generateMessageId("help.test", ws.id + 1000000, ticket.number),
  });
  assert.notEqual(foreign.ticket_id, ticket.id);
});

test("a non-participant's reply is appended flagged by default, or opens a new ticket when configured", async () => {
  const ws = await buildWorkspace(ctx());
  const flaggedBox = await createMailbox(ws);
  const opened = await deliver(ws, flaggedBox, { from: "robin@customer.test", subject: "Help" });
  const ticket = await ticketOf(ws, opened.ticket_id!);
  const stranger = await deliver(ws, flaggedBox, {
    from: "mallory@elsewhere.test",
    cc: "eve@elsewhere.test",
    subject: `Re: Help [#${ticket.number}]`,
  });
  assert.equal(stranger.ticket_id, ticket.id);
  const shown = (await messagesOf(ws, ticket.id)).find((m) => m.id === stranger.message_id);
  assert.equal(shown?.email?.flagged, "non_participant");
  const events = await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}/events`);
  assert.ok(events.json().data.some((e: { type: string }) => e.type === "message.flagged"));
  // A stranger does not get to add people to the ticket.
  const participants = await ws.db
    .selectFrom("ticket_participants")
    .select("contact_id")
    .where("workspace_id", "=", ws.id)
    .where("ticket_id", "=", ticket.id)
    .execute();
  assert.equal(participants.length, 0);

  const strictBox = await createMailbox(ws, { settings: { nonParticipantReplies: "new_ticket" } });
  const strictOpened = await deliver(ws, strictBox, { from: "robin@customer.test", subject: "Help" });
  const strictTicket = await ticketOf(ws, strictOpened.ticket_id!);
  const separate = await deliver(ws, strictBox, {
    from: "mallory@elsewhere.test",
    subject: `Re: Help [#${strictTicket.number}]`,
  });
  assert.notEqual(separate.ticket_id, strictTicket.id);
  assert.equal((await messagesOf(ws, strictTicket.id)).length, 1);
});

test("CCs become participants, and a participant's reply is not flagged", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws, { settings: { nonParticipantReplies: "new_ticket" } });
  const first = newMessageId();
  const opened = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    to: `${mailbox.address}, sam@customer.test`,
    cc: `Kim <kim@customer.test>, ${mailbox.address.toUpperCase()}`,
    messageId: first,
  });
  const rows = await ws.db
    .selectFrom("ticket_participants as p")
    .innerJoin("contact_identities as i", (j) =>
      j.onRef("i.workspace_id", "=", "p.workspace_id").onRef("i.contact_id", "=", "p.contact_id"),
    )
    .select("i.value")
    .where("p.workspace_id", "=", ws.id)
    .where("p.ticket_id", "=", opened.ticket_id!)
    .orderBy("i.value")
    .execute();
  assert.deepEqual(
    rows.map((r) => r.value),
    ["kim@customer.test", "sam@customer.test"],
  );
  const fromCc = await deliver(ws, mailbox, {
    from: "kim@customer.test",
    inReplyTo: first,
    subject: "Re: Printer on fire",
  });
  assert.equal(fromCc.ticket_id, opened.ticket_id);
  const shown = (await messagesOf(ws, opened.ticket_id!)).find((m) => m.id === fromCc.message_id);
  assert.equal(shown?.email?.flagged, null);
});

test("with newTicketOnSubjectChange, a reply under a new subject starts a new ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws, { settings: { newTicketOnSubjectChange: true } });
  const first = newMessageId();
  const opened = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    subject: "Printer",
    messageId: first,
  });
  const same = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    subject: "RE: Fwd: printer",
    inReplyTo: first,
  });
  assert.equal(same.ticket_id, opened.ticket_id);
  const changed = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    subject: "Re: Scanner",
    inReplyTo: first,
  });
  assert.notEqual(changed.ticket_id, opened.ticket_id);
  assert.equal((await ticketOf(ws, changed.ticket_id!)).subject, "Re: Scanner");

  const lenient = await createMailbox(ws);
  const other = newMessageId();
  const kept = await deliver(ws, lenient, {
    from: "robin@customer.test",
    subject: "Printer",
    messageId: other,
  });
  const moved = await deliver(ws, lenient, {
    from: "robin@customer.test",
    subject: "Scanner",
    inReplyTo: other,
  });
  assert.equal(moved.ticket_id, kept.ticket_id);
});

test("mail to a merged ticket lands on the ticket it was merged into", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const first = newMessageId();
  const source = await deliver(ws, mailbox, { from: "robin@customer.test", messageId: first });
  const target = await deliver(ws, mailbox, { from: "robin@customer.test", subject: "Other" });
  const sourceTicket = await ticketOf(ws, source.ticket_id!);
  const merged = await ws.as(ws.admin).post(`/api/v1/tickets/${sourceTicket.id}/merge`, {
    targetId: target.ticket_id,
  });
  assert.equal(merged.statusCode, 200, merged.body);
  const reply = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    subject: `Re: [#${sourceTicket.number}]`,
  });
  assert.equal(reply.ticket_id, target.ticket_id);
});
