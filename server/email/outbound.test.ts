import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pino } from "pino";
import PostalMime from "postal-mime";
import { SecretBox } from "../auth/secret-box.ts";
import { LocalFileStore } from "../files/store.ts";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { emailTicket } from "../test/outbound-fixtures.ts";
import { type SinkMta, startSinkMta } from "../test/sink-mta.ts";
import { type OutboundDeps, sendOutbound } from "./outbound.ts";
import { markBounced } from "./outbox.ts";

const storeDir = mkdtempSync(join(tmpdir(), "parley-outbound-"));
after(() => rmSync(storeDir, { recursive: true, force: true }));
const ctx = useTestApp({ PARLEY_FILE_STORE_DIR: storeDir, PARLEY_EMAIL_DOMAIN: "mail.parley.test" });

const sinks: SinkMta[] = [];
after(() => Promise.all(sinks.map((s) => s.close())));
async function sink(options: Parameters<typeof startSinkMta>[0] = {}) {
  const s = await startSinkMta(options);
  sinks.push(s);
  return s;
}

const deps = (): OutboundDeps => ({
  db: ctx().database.db,
  box: SecretBox.fromConfig(ctx().app.config),
  fileStore: new LocalFileStore(storeDir),
  relayUrl: null,
  log: pino({ level: "silent" }),
});

const rand = () => randomBytes(6).toString("hex");

async function outboundFor(ws: TestWorkspace, messageId: number) {
  return ws.db
    .selectFrom("outbound_emails")
    .selectAll()
    .where("workspace_id", "=", ws.id)
    .where("message_id", "=", messageId)
    .executeTakeFirstOrThrow();
}

async function messages(ws: TestWorkspace, ticketId: number) {
  const res = await ws.as(ws.admin).get(`/api/v1/tickets/${ticketId}/messages`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().data as { id: number; body: string; delivery: Record<string, unknown> | null }[];
}

const header = (mail: Awaited<ReturnType<typeof PostalMime.parse>>, name: string) =>
  mail.headers.find((h) => h.key === name)?.value;

function uploadBody(filename: string, content: Buffer) {
  const boundary = `----parley${rand()}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
        "Content-Type: text/plain\r\n\r\n",
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

test("an agent's reply goes out threaded, signed, in both parts, with its attachment", async () => {
  const mta = await sink();
  const ws = await buildWorkspace(ctx());
  const { mailbox, ticket, first, second } = await emailTicket(ws, mta);
  const agent = await ws.agent();
  await ws.db
    .updateTable("users")
    .set({ name: "Alex Agent", signature: "Alex, Acme Support" })
    .where("workspace_id", "=", ws.id)
    .where("id", "=", agent.id)
    .execute();
  const cc = await ws.contact({ name: "Casey Colleague" });
  const ownAddress = await ws.contact({ email: mailbox.address, name: "Our own mailbox" });
  await ws.db
    .insertInto("ticket_participants")
    .values([
      { workspace_id: ws.id, ticket_id: ticket.id, contact_id: cc.id },
      { workspace_id: ws.id, ticket_id: ticket.id, contact_id: ownAddress.id },
    ])
    .execute();
  const file = Buffer.from("printer log: temperature 451F\n");
  const { body, headers } = uploadBody("printer.log", file);
  const uploaded = await ws.as(agent).request("POST", "/api/v1/attachments", body, headers);
  assert.equal(uploaded.statusCode, 201, uploaded.body);

  const posted = await ws.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "Try turning it off & on.",
    html: "<p>Try <b>turning</b> it off &amp; on.</p><script>alert(1)</script>",
    attachmentIds: [uploaded.json().id],
  });
  assert.equal(posted.statusCode, 201, posted.body);
  const reply = posted.json().message;
  const row = await outboundFor(ws, reply.id);
  assert.deepEqual(reply.delivery, {
    outboundId: row.id,
    status: "queued",
    attempts: 0,
    lastError: null,
    sentAt: null,
    // Where it goes, as the agent app shows it folded: the requester, the participant on copy,
    // never the mailbox's own address.
    from: { name: row.from_name, address: mailbox.address },
    to: row.recipients.to,
    cc: row.recipients.cc,
  });
  assert.match(row.from_name, /^Alex Agent via /);
  assert.equal(row.recipients.to.length, 1);
  assert.ok(row.recipients.cc.length === 1 && !row.recipients.cc.includes(mailbox.address));
  assert.equal(
    await sendOutbound(deps(), { workspaceId: ws.id, outboundId: row.id }, { lastAttempt: false }),
    "sent",
  );

  assert.equal(mta.accepted().length, 1);
  const delivered = mta.accepted()[0];
  assert.equal(delivered.mailFrom, mailbox.address);
  const requesterEmail = (
    await ws.db
      .selectFrom("contact_identities")
      .select("value")
      .where("workspace_id", "=", ws.id)
      .where("contact_id", "=", ticket.requester_id)
      .executeTakeFirstOrThrow()
  ).value;
  assert.deepEqual(delivered.rcptTo.sort(), [requesterEmail, cc.email].sort());

  const mail = await PostalMime.parse(delivered.raw);
  assert.deepEqual(mail.from, { name: "Alex Agent via Acme Support", address: mailbox.address });
  assert.deepEqual(mail.replyTo, [{ name: "", address: mailbox.address }]);
  assert.deepEqual(mail.to, [{ name: "", address: requesterEmail }]);
  assert.deepEqual(mail.cc, [{ name: "", address: cc.email }]);
  assert.equal(mail.subject, `Re: Printer on fire [#${ticket.number}]`);
  assert.equal(mail.messageId, row.message_id_header);
  assert.match(
    row.message_id_header,
    new RegExp(`^<parley\\.${ws.id}\\.${ticket.number}\\.[0-9a-f]+@mail\\.parley\\.test>$`),
  );
  assert.equal(mail.inReplyTo, second);
  assert.equal(mail.references, `${first} ${second}`);
  assert.equal(header(mail, "x-parley-loop"), String(ws.id));
  assert.equal(header(mail, "auto-submitted"), undefined, "a person's reply is not automatic");
  assert.match(mail.text ?? "", /^Try turning it off & on\.\n\n-- \nAlex, Acme Support/);
  assert.match(mail.html ?? "", /<p>Try <b>turning<\/b> it off &amp; on\.<\/p>/);
  assert.doesNotMatch(mail.html ?? "", /<script/);
  assert.match(mail.html ?? "", /Alex, Acme Support/);
  assert.equal(mail.attachments.length, 1);
  assert.equal(mail.attachments[0].filename, "printer.log");
  assert.equal(Buffer.from(mail.attachments[0].content as ArrayBuffer).toString(), file.toString());

  const shown = (await messages(ws, ticket.id)).find((m) => m.id === reply.id)!;
  assert.equal(shown.delivery?.status, "sent");
  assert.equal(shown.delivery?.attempts, 1);
  assert.equal(shown.delivery?.lastError, null);
  assert.ok(shown.delivery?.sentAt);
  const events = await ws.db
    .selectFrom("ticket_events")
    .select("type")
    .where("workspace_id", "=", ws.id)
    .where("ticket_id", "=", ticket.id)
    .where("type", "like", "email.%")
    .orderBy("id")
    .execute();
  assert.deepEqual(
    events.map((e) => e.type),
    ["email.queued", "email.sent"],
  );
});

test("a 451 puts the mail back in the queue; the retry sends it once, under the same Message-ID", async () => {
  const mta = await sink({ dataReplies: [451] });
  const ws = await buildWorkspace(ctx());
  const { ticket } = await emailTicket(ws, mta);
  const posted = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "On it." });
  const row = await outboundFor(ws, posted.json().message.id);
  const job = { workspaceId: ws.id, outboundId: row.id };

  await assert.rejects(sendOutbound(deps(), job, { lastAttempt: false }), /451/);
  let shown = (await messages(ws, ticket.id)).find((m) => m.id === row.message_id)!;
  assert.equal(shown.delivery?.status, "queued");
  assert.equal(shown.delivery?.attempts, 1);
  assert.match(String(shown.delivery?.lastError), /451/);

  assert.equal(await sendOutbound(deps(), job, { lastAttempt: false }), "sent");
  assert.equal(await sendOutbound(deps(), job, { lastAttempt: false }), "settled");
  assert.equal(mta.offered.length, 2);
  assert.equal(mta.accepted().length, 1);
  const ids = await Promise.all(mta.offered.map(async (d) => (await PostalMime.parse(d.raw)).messageId));
  assert.deepEqual(ids, [row.message_id_header, row.message_id_header]);
  shown = (await messages(ws, ticket.id)).find((m) => m.id === row.message_id)!;
  assert.equal(shown.delivery?.status, "sent");
  assert.equal(shown.delivery?.attempts, 2);
  assert.equal(shown.delivery?.lastError, null);
});

test("a 550 fails the mail at once, with the server's reason on the message", async () => {
  const ws = await buildWorkspace(ctx());
  const mta = await sink();
  const { ticket, requester } = await emailTicket(ws, mta);
  const email = (
    await ws.db
      .selectFrom("contact_identities")
      .select("value")
      .where("workspace_id", "=", ws.id)
      .where("contact_id", "=", requester.id)
      .executeTakeFirstOrThrow()
  ).value;
  const refusing = await sink({ refuse: { [email]: 550 } });
  await ws.db
    .updateTable("mailboxes")
    .set({ smtp: JSON.stringify({ host: "127.0.0.1", port: refusing.port, secure: false, user: null }) })
    .where("workspace_id", "=", ws.id)
    .execute();
  const posted = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Hello?" });
  const row = await outboundFor(ws, posted.json().message.id);

  assert.equal(
    await sendOutbound(deps(), { workspaceId: ws.id, outboundId: row.id }, { lastAttempt: false }),
    "failed",
  );
  assert.equal(refusing.offered.length, 0);
  const shown = (await messages(ws, ticket.id)).find((m) => m.id === row.message_id)!;
  assert.equal(shown.delivery?.status, "failed");
  assert.equal(shown.delivery?.attempts, 1);
  assert.match(String(shown.delivery?.lastError), /550/);
  assert.equal(shown.delivery?.sentAt, null);
  const customer = await ws.customerSession(requester.id);
  const theirs = await customer.get(`/api/v1/tickets/${ticket.id}/messages`);
  assert.equal(theirs.statusCode, 200, theirs.body);
  const reply = theirs.json().data.find((m: { id: number }) => m.id === row.message_id);
  assert.ok(!("delivery" in reply), "the server's error is for the team, not the customer");
  assert.ok(!theirs.body.includes("lastError"));
  const failed = await ws.db
    .selectFrom("ticket_events")
    .select("changes")
    .where("workspace_id", "=", ws.id)
    .where("ticket_id", "=", ticket.id)
    .where("type", "=", "email.failed")
    .executeTakeFirstOrThrow();
  assert.equal(failed.changes.outboundId, row.id);
});

test("the last attempt that still fails leaves the mail failed", async () => {
  const mta = await sink({ dataReplies: [421] });
  const ws = await buildWorkspace(ctx());
  const { ticket } = await emailTicket(ws, mta);
  const posted = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "On it." });
  const row = await outboundFor(ws, posted.json().message.id);
  assert.equal(
    await sendOutbound(deps(), { workspaceId: ws.id, outboundId: row.id }, { lastAttempt: true }),
    "failed",
  );
  const shown = (await messages(ws, ticket.id)).find((m) => m.id === row.message_id)!;
  assert.equal(shown.delivery?.status, "failed");
  assert.match(String(shown.delivery?.lastError), /421/);
});

test("a mail left 'sending' by a crash is sent again once, with the same Message-ID", async () => {
  const mta = await sink();
  const ws = await buildWorkspace(ctx());
  const { ticket } = await emailTicket(ws, mta);
  const posted = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Fixed?" });
  const row = await outboundFor(ws, posted.json().message.id);
  const job = { workspaceId: ws.id, outboundId: row.id };
  assert.equal(await sendOutbound(deps(), job, { lastAttempt: false }), "sent");

  // The server said 250, then the process died before recording it: the row still says
  // "sending". While the attempt could still be alive, another one keeps its hands off.
  const crashed = (minutesAgo: number) =>
    ws.db
      .updateTable("outbound_emails")
      .set({ status: "sending", sent_at: null, updated_at: new Date(Date.now() - minutesAgo * 60_000) })
      .where("workspace_id", "=", ws.id)
      .where("id", "=", row.id)
      .execute();
  await crashed(1);
  await assert.rejects(sendOutbound(deps(), job, { lastAttempt: false }), /being sent by another attempt/);
  assert.equal(mta.offered.length, 1);

  await crashed(11);
  assert.equal(await sendOutbound(deps(), job, { lastAttempt: false }), "sent");
  assert.equal(await sendOutbound(deps(), job, { lastAttempt: false }), "settled");
  assert.equal(mta.accepted().length, 2);
  const ids = await Promise.all(mta.accepted().map(async (d) => (await PostalMime.parse(d.raw)).messageId));
  assert.deepEqual(ids, [row.message_id_header, row.message_id_header]);
  const shown = (await messages(ws, ticket.id)).find((m) => m.id === row.message_id)!;
  assert.equal(shown.delivery?.status, "sent");
  assert.equal(shown.delivery?.attempts, 2);
});

test("a bounce marks the mail bounced and tells the ticket", async () => {
  const mta = await sink();
  const ws = await buildWorkspace(ctx());
  const { ticket } = await emailTicket(ws, mta);
  const posted = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Answer" });
  const row = await outboundFor(ws, posted.json().message.id);
  await sendOutbound(deps(), { workspaceId: ws.id, outboundId: row.id }, { lastAttempt: false });

  const details = {
    recipient: "robin@customer.test",
    status: "5.1.1",
    action: "failed",
    diagnostic: "550 no such user",
  };
  const bare = row.message_id_header.slice(1, -1);
  assert.deepEqual(await markBounced(ws.db, ws.id, bare, details), {
    outboundId: row.id,
    ticketId: ticket.id,
    messageId: row.message_id,
  });
  // The same DSN twice, or one for a Message-ID that is not ours, changes nothing.
  await markBounced(ws.db, ws.id, row.message_id_header, details);
  assert.equal(await markBounced(ws.db, ws.id, "<not-ours@example.test>", details), null);
  const other = await buildWorkspace(ctx());
  assert.equal(await markBounced(other.db, other.id, row.message_id_header, details), null);

  const shown = (await messages(ws, ticket.id)).find((m) => m.id === row.message_id)!;
  assert.equal(shown.delivery?.status, "bounced");
  assert.match(String(shown.delivery?.lastError), /5\.1\.1 robin@customer\.test/);
  const bounced = await ws.db
    .selectFrom("ticket_events")
    .select("changes")
    .where("workspace_id", "=", ws.id)
    .where("ticket_id", "=", ticket.id)
    .where("type", "=", "email.bounced")
    .execute();
  assert.equal(bounced.length, 1);
  assert.deepEqual(bounced[0].changes, {
    outboundId: row.id,
    messageId: row.message_id,
    recipient: "robin@customer.test",
    status: "5.1.1",
    action: "failed",
  });
});

test("replies are not mailed on other channels, nor without a mailbox; notes never are", async () => {
  const ws = await buildWorkspace(ctx());
  const web = await ws.ticket();
  const onWeb = await ws.as(ws.admin).post(`/api/v1/tickets/${web.id}/messages`, { body: "Hi" });
  assert.equal(onWeb.statusCode, 201);
  assert.equal(onWeb.json().message.delivery, null);

  const noMailbox = await ws.ticket({ channel: "email" });
  const saved = await ws.as(ws.admin).post(`/api/v1/tickets/${noMailbox.id}/messages`, { body: "Hi" });
  assert.equal(saved.statusCode, 201, "the reply is saved even though it cannot be mailed");
  assert.equal(saved.json().message.delivery, null);

  const mta = await sink();
  const { ticket } = await emailTicket(ws, mta);
  const note = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${ticket.id}/messages`, { body: "internal", kind: "note" });
  assert.equal(note.json().message.delivery, null);
  const rows = await ws.db
    .selectFrom("outbound_emails")
    .select("id")
    .where("workspace_id", "=", ws.id)
    .execute();
  assert.equal(rows.length, 0);
});

test("a merge tells another customer in a mail on their own ticket, marked automatic", async () => {
  const mta = await sink();
  const ws = await buildWorkspace(ctx());
  const a = await emailTicket(ws, mta);
  const b = await emailTicket(ws, mta);
  const res = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${a.ticket.id}/merge-from`, { sourceIds: [b.ticket.id] });
  assert.ok(res.statusCode < 300, res.body);
  const rows = await ws.db
    .selectFrom("outbound_emails")
    .selectAll()
    .where("workspace_id", "=", ws.id)
    .where("kind", "=", "merge_notice")
    .orderBy("id")
    .execute();
  // Only b's requester is told (a's request did not change), on b, about b.
  assert.deepEqual(
    rows.map((r) => r.ticket_id),
    [b.ticket.id],
  );
  for (const row of rows) {
    assert.equal(row.recipients.to.length, 1);
    assert.deepEqual(row.recipients.cc, []);
    assert.equal(
      await sendOutbound(deps(), { workspaceId: ws.id, outboundId: row.id }, { lastAttempt: false }),
      "sent",
    );
  }
  const mails = await Promise.all(mta.accepted().map((d) => PostalMime.parse(d.raw)));
  assert.deepEqual(
    mails.map((m) => m.inReplyTo),
    [b.second],
  );
  for (const mail of mails) {
    assert.equal(header(mail, "auto-submitted"), "auto-generated");
    assert.equal(mail.subject, `Re: Printer on fire [#${b.ticket.number}]`);
    assert.match(mail.text ?? "", new RegExp(`Your request #${b.ticket.number} is being handled together`));
  }
});
