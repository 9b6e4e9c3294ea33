import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { createMailbox, newMessageId, rawMail, type TestMail, upload } from "../test/mail.ts";
import { generateMessageId } from "./ticket-token.ts";

const storeDir = mkdtempSync(join(tmpdir(), "parley-inbound-"));
after(() => rmSync(storeDir, { recursive: true, force: true }));
const ctx = useTestApp({ PARLEY_FILE_STORE_DIR: storeDir });

type Mailbox = Awaited<ReturnType<typeof createMailbox>>;

async function deliver(ws: TestWorkspace, mailbox: Mailbox, mail: TestMail) {
  const res = await upload(ws.as(ws.admin), mailbox.id, rawMail({ to: mailbox.address, ...mail }));
  assert.equal(res.statusCode, 202, res.body);
  const row = await ws.db
    .selectFrom("inbound_emails")
    .select(["status", "reason", "ticket_id", "message_id", "attempts"])
    .where("workspace_id", "=", ws.id)
    .where("id", "=", res.json().id)
    .executeTakeFirstOrThrow();
  return { ...row, id: res.json().id as number, response: res.json() };
}

async function messagesOf(ws: TestWorkspace, ticketId: number) {
  const res = await ws.as(ws.admin).get(`/api/v1/tickets/${ticketId}/messages`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().data as { id: number; body: string; html: string | null; author: { id: number } }[];
}

async function ticketOf(ws: TestWorkspace, ticketId: number) {
  const res = await ws.as(ws.admin).get(`/api/v1/tickets/${ticketId}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as {
    id: number;
    number: number;
    subject: string;
    status: string;
    channel: string;
    groupId: number | null;
    requesterId: number;
    version: number;
    followUpOfId?: number | null;
  };
}

async function meta(ws: TestWorkspace, messageId: number) {
  const row = await ws.db
    .selectFrom("messages")
    .select(["channel", "channel_meta", "external_id"])
    .where("workspace_id", "=", ws.id)
    .where("id", "=", messageId)
    .executeTakeFirstOrThrow();
  return row;
}

test("a mail opens a ticket in the mailbox's group, with the new text as body and the quote kept aside", async () => {
  const ws = await buildWorkspace(ctx());
  const group = await ws.group();
  const mailbox = await createMailbox(ws, { groupId: group.id });
  const id = newMessageId();
  const result = await deliver(ws, mailbox, {
    from: "Robin Customer <robin@customer.test>",
    subject: "Invoice missing",
    messageId: id,
    text: "Where is my invoice?\n\nOn Mon, someone wrote:\n> old text\n",
  });
  assert.equal(result.status, "processed");
  assert.equal(result.response.status, "processed");
  const ticket = await ticketOf(ws, result.ticket_id!);
  assert.equal(ticket.subject, "Invoice missing");
  assert.equal(ticket.channel, "email");
  assert.equal(ticket.groupId, group.id);
  const [message] = await messagesOf(ws, ticket.id);
  assert.equal(message.id, result.message_id);
  assert.match(message.body, /Where is my invoice\?/);
  assert.doesNotMatch(message.body, /old text/);
  const stored = await meta(ws, message.id);
  assert.equal(stored.channel, "email");
  assert.equal(stored.external_id, id);
  assert.match(String(stored.channel_meta.quotedText), /old text/);
  assert.deepEqual(stored.channel_meta.from, { address: "robin@customer.test", name: "Robin Customer" });
  assert.equal(stored.channel_meta.inboundId, result.id);
  const requester = await ws.as(ws.admin).get(`/api/v1/contacts/${ticket.requesterId}`);
  assert.equal(requester.json().name, "Robin Customer");
});

test("a mail without a subject gets a placeholder subject", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const result = await deliver(ws, mailbox, { from: "a@customer.test", subject: "" });
  assert.equal((await ticketOf(ws, result.ticket_id!)).subject, "(no subject)");
});

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
  assert.equal((await meta(ws, stranger.message_id!)).channel_meta.flagged, "non_participant");
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
  assert.equal((await meta(ws, fromCc.message_id!)).channel_meta.flagged, undefined);
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

test("auto-replies, bounces, loops and blocked senders are stored as ignored and make no ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const before = await ws.db.selectFrom("tickets").select("id").where("workspace_id", "=", ws.id).execute();
  const auto = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    subject: "Out of office",
    headers: { "Auto-Submitted": "auto-replied" },
  });
  assert.equal(auto.status, "ignored");
  assert.match(auto.reason!, /auto/);
  const bounce = await deliver(ws, mailbox, {
    from: "MAILER-DAEMON@mx.customer.test",
    subject: "Undelivered Mail Returned to Sender",
    headers: { "Auto-Submitted": "auto-replied" },
    text: "This is the mail system. I'm sorry to have to inform you that your message could not be delivered.",
  });
  assert.equal(bounce.status, "ignored");
  const loop = await deliver(ws, mailbox, { from: mailbox.address });
  assert.equal(loop.status, "ignored");
  assert.match(loop.reason!, /loop/);
  const header = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    headers: { "X-Parley-Loop": "1" },
  });
  assert.match(header.reason!, /loop/);

  const blocked = await ws.contact({ email: "spammer@customer.test" });
  await ws.as(ws.admin).patch(`/api/v1/contacts/${blocked.id}`, { blocked: true });
  const fromBlocked = await deliver(ws, mailbox, { from: "spammer@customer.test" });
  assert.equal(fromBlocked.status, "ignored");
  assert.equal(fromBlocked.reason, "sender blocked");
  const afterwards = await ws.db
    .selectFrom("tickets")
    .select("id")
    .where("workspace_id", "=", ws.id)
    .execute();
  assert.equal(afterwards.length, before.length);
});

test("a customer's mail reopens a solved ticket, and on a closed one opens a follow-up", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const first = newMessageId();
  const opened = await deliver(ws, mailbox, { from: "robin@customer.test", messageId: first });
  let ticket = await ticketOf(ws, opened.ticket_id!);
  const solve = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { status: "solved" });
  assert.equal(solve.statusCode, 200, solve.body);
  const again = newMessageId();
  await deliver(ws, mailbox, { from: "robin@customer.test", inReplyTo: first, messageId: again });
  ticket = await ticketOf(ws, ticket.id);
  assert.equal(ticket.status, "open");

  await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { status: "solved" });
  const close = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, { status: "closed" });
  assert.equal(close.statusCode, 200, close.body);
  const late = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    inReplyTo: again,
    text: "It is back.",
  });
  assert.notEqual(late.ticket_id, ticket.id);
  const followUp = await ticketOf(ws, late.ticket_id!);
  assert.equal(followUp.followUpOfId, ticket.id);
  assert.equal((await messagesOf(ws, followUp.id))[0].body.trim(), "It is back.");
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

test("attachments are stored and linked; inline images point at their attachment", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.from("png body"),
  ]);
  const result = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    text: "See the picture and the log.",
    html: '<p>See <img src="cid:shot@customer.test"> and the log.</p>',
    attachments: [
      { filename: "shot.png", contentType: "image/png", content: png, contentId: "shot@customer.test" },
      { filename: "printer.log", contentType: "text/plain", content: Buffer.from("paper jam\n") },
    ],
  });
  assert.equal(result.status, "processed", result.reason ?? "");
  const [message] = await messagesOf(ws, result.ticket_id!);
  const files = (message as unknown as { attachments: { id: number; filename: string; url: string }[] })
    .attachments;
  assert.deepEqual(files.map((f) => f.filename).sort(), ["printer.log", "shot.png"]);
  const shot = files.find((f) => f.filename === "shot.png")!;
  assert.match(message.html ?? "", new RegExp(`src="/api/v1/attachments/${shot.id}"`));
  assert.deepEqual((await meta(ws, message.id)).channel_meta.inline, { "shot@customer.test": shot.id });
  const log = files.find((f) => f.filename === "printer.log")!;
  const download = await ws.as(ws.admin).get(log.url);
  assert.equal(download.statusCode, 200);
  assert.equal(download.body, "paper jam\n");
});

test("the same Message-ID through two mailboxes is one message", async () => {
  const ws = await buildWorkspace(ctx());
  const a = await createMailbox(ws);
  const b = await createMailbox(ws);
  const id = newMessageId();
  const first = await deliver(ws, a, { from: "robin@customer.test", messageId: id });
  const second = await deliver(ws, b, { from: "robin@customer.test", messageId: id });
  assert.equal(second.status, "processed");
  assert.equal(second.message_id, first.message_id);
  assert.equal((await messagesOf(ws, first.ticket_id!)).length, 1);
});
