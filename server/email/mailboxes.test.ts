import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";
import { acceptInboundEmail, acceptInboundEmails } from "./accept.ts";
import { MailboxDirectory } from "./mailbox-directory.ts";

const ctx = useTestApp();
let n = 0;
const address = () => `support-${process.pid}-${Date.now()}-${++n}@help.example`;

test("an admin adds a mailbox; its credentials are stored sealed and never returned", async () => {
  const ws = await buildWorkspace(ctx());
  const group = await ws.group();
  const res = await ws.as(ws.admin).post("/api/v1/mailboxes", {
    name: "Support",
    address: address().toUpperCase(),
    groupId: group.id,
    inbound: "imap",
    imap: { host: "imap.example.com", user: "support", password: "hunter2-imap" },
    smtp: { host: "smtp.example.com", user: "support", password: "hunter2-smtp" },
  });
  assert.equal(res.statusCode, 201, res.body);
  const mailbox = res.json();
  assert.equal(mailbox.address, mailbox.address.toLowerCase());
  assert.deepEqual(mailbox.imap, {
    host: "imap.example.com",
    port: 993,
    secure: true,
    user: "support",
    auth: "password",
    folder: "INBOX",
    hasSecret: true,
  });
  assert.equal(mailbox.smtp.port, 587);
  assert.equal(mailbox.settings.nonParticipantReplies, "append_flagged");
  assert.equal(mailbox.settings.acceptListMail, false, "list mail is bulk by default");
  assert.doesNotMatch(res.body, /hunter2/);
  const row = await ws.db
    .selectFrom("mailboxes")
    .select(["imap_secret", "smtp_secret"])
    .where("id", "=", mailbox.id)
    .executeTakeFirstOrThrow();
  assert.doesNotMatch(`${row.imap_secret}${row.smtp_secret}`, /hunter2/);

  const list = await ws.as(await ws.agent()).get("/api/v1/mailboxes");
  assert.equal(list.json().data.length, 1);
});

test("mailbox addresses are unique across workspaces, and agents cannot configure mailboxes", async () => {
  const ws = await buildWorkspace(ctx());
  const other = await buildWorkspace(ctx());
  const addr = address();
  assert.equal(
    (await ws.as(ws.admin).post("/api/v1/mailboxes", { name: "A", address: addr })).statusCode,
    201,
  );
  const dup = await other.as(other.admin).post("/api/v1/mailboxes", { name: "B", address: addr });
  assert.equal(dup.statusCode, 409);
  assert.equal(dup.json().code, "already_exists");
  const agent = await ws.agent();
  const denied = await ws.as(agent).post("/api/v1/mailboxes", { name: "C", address: address() });
  assert.equal(denied.statusCode, 403);
  const light = await ws.agent({ role: "light_agent" });
  assert.equal((await ws.as(light).get("/api/v1/mailboxes")).statusCode, 200);
});

test("an IMAP mailbox needs its IMAP settings; a foreign group is refused", async () => {
  const ws = await buildWorkspace(ctx());
  const other = await buildWorkspace(ctx());
  const foreignGroup = await other.group();
  const noImap = await ws
    .as(ws.admin)
    .post("/api/v1/mailboxes", { name: "X", address: address(), inbound: "imap" });
  assert.equal(noImap.statusCode, 422);
  assert.equal(noImap.json().errors[0].path, "imap");
  const badGroup = await ws
    .as(ws.admin)
    .post("/api/v1/mailboxes", { name: "X", address: address(), groupId: foreignGroup.id });
  assert.equal(badGroup.statusCode, 422);
  const created = (await ws.as(ws.admin).post("/api/v1/mailboxes", { name: "Y", address: address() })).json();
  const elsewhere = await other.as(other.admin).patch(`/api/v1/mailboxes/${created.id}`, { name: "mine" });
  assert.equal(elsewhere.statusCode, 404);
});

test("an inbound mail is stored once per mailbox, by Message-ID and content, or else by content", async () => {
  const ws = await buildWorkspace(ctx());
  const addr = address();
  const mailbox = (await ws.as(ws.admin).post("/api/v1/mailboxes", { name: "S", address: addr })).json();
  const mailboxes = new MailboxDirectory(ws.db);
  const target = await mailboxes.recipient(addr.replace("@", "+billing@").toUpperCase());
  assert.deepEqual([target?.workspaceId, target?.id, target?.address], [ws.id, mailbox.id, addr]);
  assert.equal(await mailboxes.recipient("nobody@nowhere.example"), null);
  // Deactivated: no longer a recipient, though still known as one of ours (loops).
  await ws.as(ws.admin).patch(`/api/v1/mailboxes/${mailbox.id}`, { active: false });
  assert.equal(await mailboxes.recipient(addr), null);
  assert.equal((await mailboxes.lookup([addr.toUpperCase()])).get(addr)?.id, mailbox.id);
  await ws.as(ws.admin).patch(`/api/v1/mailboxes/${mailbox.id}`, { active: true });

  const withId = Buffer.from("Message-ID:\r\n <abc@x.example>\r\nSubject: hi\r\n\r\nbody\r\n");
  const input = { workspaceId: ws.id, mailboxId: mailbox.id, source: "smtp" as const, raw: withId };
  const first = await acceptInboundEmail(ws.db, input);
  // The same mail by another route: a relay's header in front, LF line ends.
  const again = await acceptInboundEmail(ws.db, {
    ...input,
    source: "upload",
    raw: Buffer.from(
      `Received: from relay.example by mx.example\n${withId.toString().replace(/\r\n/g, "\n")}`,
    ),
  });
  assert.equal(first.duplicate, false);
  assert.deepEqual(again, { id: first.id, duplicate: true });
  // Another mail with the same Message-ID is a mail of its own.
  const reused = await acceptInboundEmail(ws.db, {
    ...input,
    raw: Buffer.concat([withId, Buffer.from("x")]),
  });
  assert.equal(reused.duplicate, false);
  assert.notEqual(reused.id, first.id);

  const noId = Buffer.from("Subject: no id\r\n\r\nbody\r\n");
  const a = await acceptInboundEmail(ws.db, { ...input, raw: noId });
  const b = await acceptInboundEmail(ws.db, { ...input, raw: Buffer.from(noId) });
  const c = await acceptInboundEmail(ws.db, {
    ...input,
    raw: Buffer.from("Subject: other\r\n\r\nbody\r\n"),
  });
  assert.equal(b.id, a.id);
  assert.equal(b.duplicate, true);
  assert.notEqual(c.id, a.id);

  // Many in one statement (the SMTP listener's group commit): answers in order, the same mail
  // twice in the batch is stored once, and one stored before is a duplicate.
  const fresh = Buffer.from("Message-ID: <batch@x.example>\r\n\r\nbody\r\n");
  const batch = await acceptInboundEmails(ws.db, [
    { ...input, raw: fresh },
    { ...input, raw: withId },
    { ...input, raw: fresh },
  ]);
  assert.equal(batch[0].duplicate, false);
  assert.deepEqual(batch[1], { id: first.id, duplicate: true });
  assert.deepEqual(batch[2], { id: batch[0].id, duplicate: true });
});
