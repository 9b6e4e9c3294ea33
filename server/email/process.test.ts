import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";
import {
  channelMeta,
  createMailbox,
  deliver,
  messagesOf,
  newMessageId,
  ticketOf,
  upload,
} from "../test/mail.ts";

const storeDir = mkdtempSync(join(tmpdir(), "parley-inbound-"));
after(() => rmSync(storeDir, { recursive: true, force: true }));
const ctx = useTestApp({ PARLEY_FILE_STORE_DIR: storeDir });

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
  const stored = await channelMeta(ws, message.id);
  assert.equal(stored.channel, "email");
  assert.equal(stored.external_id, id);
  // The agent app shows the quoted history collapsed under the new text.
  assert.match(message.email?.quotedText ?? "", /old text/);
  assert.deepEqual(message.email?.from, { address: "robin@customer.test", name: "Robin Customer" });
  assert.equal(stored.channel_meta.inboundId, result.id);
  const requester = await ws.as(ws.admin).get(`/api/v1/contacts/${ticket.requesterId}`);
  assert.equal(requester.json().name, "Robin Customer");
});

test("list mail is automated unless the mailbox takes it as normal (a support address behind a Google Group)", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const viaGroup = {
    from: "Robin Customer <robin@customer.test>",
    headers: {
      "List-Id": "<support.acme.example>",
      "List-Unsubscribe": "<mailto:support+unsubscribe@acme.example>",
      Precedence: "list",
    },
  };
  // Bulk by default: a ticket, marked automated and never answered automatically.
  const bulk = await deliver(ws, mailbox, viaGroup);
  assert.equal(bulk.status, "processed", bulk.reason ?? "");
  assert.deepEqual(((await ticketOf(ws, bulk.ticket_id!)) as unknown as { tags: string[] }).tags, [
    "automated",
  ]);

  const changed = await ws.as(ws.admin).patch(`/api/v1/mailboxes/${mailbox.id}`, {
    settings: { acceptListMail: true },
  });
  assert.equal(changed.statusCode, 200, changed.body);
  assert.equal(changed.json().settings.acceptListMail, true);
  const accepted = await deliver(ws, mailbox, viaGroup);
  assert.equal(accepted.status, "processed", accepted.reason ?? "");
  assert.deepEqual(((await ticketOf(ws, accepted.ticket_id!)) as unknown as { tags: string[] }).tags, []);
  // An out-of-office reply through the group is still not a ticket.
  const auto = await deliver(ws, mailbox, {
    ...viaGroup,
    headers: { ...viaGroup.headers, "Auto-Submitted": "auto-replied" },
  });
  assert.equal(auto.status, "ignored");
  assert.equal(auto.reason, "auto-reply: auto-submitted: auto-replied");
});

test("a mail without a subject gets a placeholder subject", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const result = await deliver(ws, mailbox, { from: "a@customer.test", subject: "" });
  assert.equal((await ticketOf(ws, result.ticket_id!)).subject, "(no subject)");
});

test("auto-replies, loops and blocked senders are stored as ignored and make no ticket", async () => {
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
  assert.deepEqual((await channelMeta(ws, message.id)).channel_meta.inline, {
    "shot@customer.test": shot.id,
  });
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

// A delivery status notification as Postfix writes it, about the mail with `original` as Message-ID.
function dsn(to: string, original: string) {
  const boundary = "dsn-boundary";
  return Buffer.from(
    [
      "From: MAILER-DAEMON@mx.customer.test (Mail Delivery System)",
      `To: ${to}`,
      "Subject: Undelivered Mail Returned to Sender",
      `Message-ID: ${newMessageId("mx.customer.test")}`,
      "Auto-Submitted: auto-replied",
      "MIME-Version: 1.0",
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
      "",
      `--${boundary}`,
      "Content-Type: text/plain; charset=us-ascii",
      "",
      "I'm sorry to have to inform you that your message could not be delivered.",
      `--${boundary}`,
      "Content-Type: message/delivery-status",
      "",
      "Reporting-MTA: dns; mx.customer.test",
      "",
      "Final-Recipient: rfc822; gone@customer.test",
      "Action: failed",
      "Status: 5.1.1",
      "Diagnostic-Code: smtp; 550 5.1.1 user unknown",
      `--${boundary}`,
      "Content-Type: text/rfc822-headers",
      "",
      `From: ${to}`,
      "To: gone@customer.test",
      "Subject: Re: Printer on fire",
      `Message-ID: ${original}`,
      `--${boundary}--`,
      "",
    ].join("\r\n"),
  );
}

test("a bounce of a mail Parley sent marks it bounced and makes no ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const opened = await deliver(ws, mailbox, { from: "gone@customer.test" });
  const sent = `<bounced-${Date.now()}@help.test>`;
  await ws.db
    .insertInto("outbound_emails")
    .values({
      workspace_id: ws.id,
      ticket_id: opened.ticket_id,
      mailbox_id: mailbox.id,
      message_id_header: sent,
      recipients: JSON.stringify({ to: ["gone@customer.test"], cc: [] }),
      subject: "Re: Printer on fire",
      status: "sent",
    })
    .execute();
  const res = await upload(ws.as(ws.admin), mailbox.id, dsn(mailbox.address, sent));
  assert.equal(res.statusCode, 202, res.body);
  assert.equal(res.json().status, "ignored");
  const row = await ws.db
    .selectFrom("inbound_emails")
    .select("reason")
    .where("workspace_id", "=", ws.id)
    .where("id", "=", res.json().id)
    .executeTakeFirstOrThrow();
  assert.match(row.reason ?? "", /^bounce of outbound mail \d+: gone@customer.test 5.1.1 failed/);
  const outbound = await ws.db
    .selectFrom("outbound_emails")
    .select("status")
    .where("workspace_id", "=", ws.id)
    .where("message_id_header", "=", sent)
    .executeTakeFirstOrThrow();
  assert.equal(outbound.status, "bounced");
  const tickets = await ws.db.selectFrom("tickets").select("id").where("workspace_id", "=", ws.id).execute();
  assert.equal(tickets.length, 1);
  assert.equal((await messagesOf(ws, opened.ticket_id!)).length, 1);
});
