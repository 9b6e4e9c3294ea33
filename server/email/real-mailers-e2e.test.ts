import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { createMailbox, upload } from "../test/mail.ts";

// Mail the way real mailers send it, through raw upload, as an agent then sees it: the ticket's
// subject, the requester contact, the message's addresses and the attachments' names.
const root = mkdtempSync(join(tmpdir(), "parley-real-mailers-"));
const storeDir = join(root, "files");
mkdirSync(storeDir);
after(() => rmSync(root, { recursive: true, force: true }));
const ctx = useTestApp({ PARLEY_FILE_STORE_DIR: storeDir });

// The addresses of the workspace's contacts: what inbound mail stored.
async function contactEmails(ws: TestWorkspace) {
  const rows = await ws.db
    .selectFrom("contact_identities")
    .select("value")
    .where("workspace_id", "=", ws.id)
    .where("kind", "=", "email")
    .execute();
  return rows.map((r) => r.value);
}

const h = (hex: string) => Buffer.from(hex, "hex");
const mail = (...pieces: (string | Buffer)[]) =>
  Buffer.concat(pieces.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p)));

test("a GBK mail with a comma in its sender's name, Reply-To, 500 recipients and named parts", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const cc = Array.from({ length: 499 }, (_, i) => `person${i}@example.org`).join(",\r\n ");
  const raw = mail(
    "From: =?iso-8859-1?Q?B=FCrling,=20Andreas?= <smith@example.com>\r\n",
    "Reply-To: ",
    h("d5c5ceb0"), // 张伟
    " <zhangwei@example.cn>\r\n",
    `To: ${mailbox.address}\r\nCc: ${cc}\r\n`,
    "Subject: ",
    h("b9d8d3dab7a2c6b1b5c4cecacce2"), // 关于发票的问题
    "\r\nMessage-ID: <gbk-e2e-1@example.cn>\r\nMIME-Version: 1.0\r\n",
    'Content-Type: multipart/mixed; boundary="m"\r\n\r\n',
    '--m\r\nContent-Type: multipart/related; boundary="r"\r\n\r\n',
    "--r\r\nContent-Type: text/html\r\n\r\n<p>",
    h("c4fabac3a3acc7ebb2e9cad5b8bdbcfed6d0b5c4bacfcdaca1a3"), // 您好，请查收附件中的合同。
    '<img src="cid:image001.png@01D9C2B3"></p>\r\n',
    "--r\r\nContent-Type: image/png\r\nContent-ID: <image001.png@01D9C2B3>\r\n",
    "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--r--\r\n",
    '--m\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="',
    h("b7a2c6b12e706466"), // 发票.pdf
    '"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n',
    "--m\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n",
    "From: someone@example.org\r\nSubject: Order 1234: shipped\r\n\r\nyour order\r\n",
    "--m--\r\n",
  );
  const res = await upload(ws.as(ws.admin), mailbox.id, raw);
  assert.equal(res.statusCode, 202, res.body);
  assert.equal(res.json().status, "processed", res.body);

  const inbound = await ws.db
    .selectFrom("inbound_emails")
    .select("ticket_id")
    .where("workspace_id", "=", ws.id)
    .where("id", "=", res.json().id)
    .executeTakeFirstOrThrow();
  const ticket = (await ws.as(ws.admin).get(`/api/v1/tickets/${inbound.ticket_id}`)).json();
  assert.equal(ticket.subject, "关于发票的问题");
  // Reply-To names the requester; From is kept beside it on the message.
  const requester = (await ws.as(ws.admin).get(`/api/v1/contacts/${ticket.requesterId}`)).json();
  assert.deepEqual(requester.emails, ["zhangwei@example.cn"]);
  assert.equal(requester.name, "张伟");

  const messages = (await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}/messages`)).json().data;
  const email = messages[0].email;
  assert.deepEqual(email.from, { address: "smith@example.com", name: "Bürling, Andreas" });
  assert.deepEqual(email.replyTo, [{ address: "zhangwei@example.cn", name: "张伟" }]);
  assert.equal(email.to.length, 1);
  assert.equal(email.cc.length, 499);
  assert.equal(email.cc[498].address, "person498@example.org");
  assert.deepEqual(email.recipientsOmitted, { to: 0, cc: 0, replyTo: 0 });
  // 50 of the 499 other recipients become participants (copied on replies); the event says how
  // many were not.
  const events = (await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}/events`)).json().data;
  const added = events.find((e: { type: string }) => e.type === "ticket.participants_added");
  assert.equal(added.changes.contactIds.length, 50);
  assert.equal(added.changes.recipientsLeftOut, 449);
  assert.equal(added.changes.limit, 50);
  assert.match(messages[0].body, /您好，请查收附件中的合同。/);
  assert.deepEqual(
    messages[0].attachments.map((a: { filename: string }) => a.filename),
    ["image001.png", "发票.pdf", "Order 1234_ shipped.eml"],
  );
});

test("a mail whose only From is broken fails, and the failed-mail list says why", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const raw = mail(
    'From: "spain transfer at example.com>\r\n',
    `To: ${mailbox.address}\r\nSubject: Transfer\r\nMessage-ID: <broken-from-1@example.com>\r\n\r\nhello\r\n`,
  );
  const res = await upload(ws.as(ws.admin), mailbox.id, raw);
  assert.equal(res.statusCode, 202, res.body);
  assert.equal(res.json().status, "failed", res.body);
  const failed = (await ws.as(ws.admin).get("/api/v1/inbound-emails?status=failed")).json().data;
  assert.equal(failed.length, 1);
  assert.equal(failed[0].subject, "Transfer");
  assert.match(
    failed[0].reason,
    /From header .*spain transfer at example\.com>.* holds no valid email address/,
  );
  // The same bytes would fail the same way: no retry is scheduled, an admin decides.
  assert.equal(failed[0].retryAt, null);
  assert.deepEqual(await contactEmails(ws), []);
});

test("a From with broken angle brackets makes a contact with the valid address only", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const raw = mail(
    'From: "spain" transfer@example.com>\r\n',
    `To: ${mailbox.address}\r\nSubject: Transfer\r\nMessage-ID: <broken-from-2@example.com>\r\n\r\nhello\r\n`,
  );
  const res = await upload(ws.as(ws.admin), mailbox.id, raw);
  assert.equal(res.json().status, "processed", res.body);
  assert.deepEqual(await contactEmails(ws), ["transfer@example.com"]);
});
