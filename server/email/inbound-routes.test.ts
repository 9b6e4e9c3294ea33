import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildWorkspace, Client, type TestUser, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { createMailbox, newMessageId, rawMail, upload } from "../test/mail.ts";

const root = mkdtempSync(join(tmpdir(), "parley-inbound-routes-"));
const storeDir = join(root, "files");
mkdirSync(storeDir);
after(() => rmSync(root, { recursive: true, force: true }));
const ctx = useTestApp({ PARLEY_FILE_STORE_DIR: storeDir, PARLEY_SMTP_MAX_MB: "1" });

async function token(ws: TestWorkspace, user: TestUser, scopes: string[]) {
  const res = await ws.as(user).post("/api/v1/api-tokens", { name: "webhook", scopes });
  assert.equal(res.statusCode, 201, res.body);
  return new Client(ws.ctx.app, { authorization: `Bearer ${res.json().token}` });
}

test("an admin's upload is stored, processed and answered 202; the same mail again is a duplicate", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const raw = rawMail({ from: "robin@customer.test", to: mailbox.address, messageId: newMessageId() });
  const first = await upload(ws.as(ws.admin), mailbox.id, raw);
  assert.equal(first.statusCode, 202, first.body);
  assert.equal(first.json().duplicate, false);
  assert.equal(first.json().status, "processed");
  const again = await upload(ws.as(ws.admin), mailbox.id, raw);
  assert.equal(again.statusCode, 202);
  assert.deepEqual(again.json(), { id: first.json().id, duplicate: true, status: "processed" });
  const tickets = await ws.db.selectFrom("tickets").select("id").where("workspace_id", "=", ws.id).execute();
  assert.equal(tickets.length, 1);
  const messages = await ws.db
    .selectFrom("messages")
    .select("id")
    .where("workspace_id", "=", ws.id)
    .execute();
  assert.equal(messages.length, 1);
});

test("a mail without a Message-ID delivered twice is still one ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const raw = rawMail({ from: "robin@customer.test", to: mailbox.address, messageId: null });
  assert.equal((await upload(ws.as(ws.admin), mailbox.id, raw)).json().duplicate, false);
  assert.equal((await upload(ws.as(ws.admin), mailbox.id, raw)).json().duplicate, true);
  const tickets = await ws.db.selectFrom("tickets").select("id").where("workspace_id", "=", ws.id).execute();
  assert.equal(tickets.length, 1);
});

test("API tokens with the admin scope may upload; read-write tokens, agents and strangers may not", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const raw = () => rawMail({ from: "robin@customer.test", to: mailbox.address });
  const adminToken = await token(ws, ws.admin, ["read", "write", "admin"]);
  assert.equal((await upload(adminToken, mailbox.id, raw())).statusCode, 202);
  // Write scope is what the mailbox's other admin routes refuse too.
  const writer = await upload(await token(ws, ws.admin, ["read", "write"]), mailbox.id, raw());
  assert.equal(writer.statusCode, 403);
  assert.match(writer.headers["content-type"] as string, /^application\/problem\+json/);
  assert.equal(writer.json().code, "forbidden");
  assert.match(writer.json().detail, /"admin" scope/);
  const reader = await token(ws, ws.admin, ["read"]);
  const denied = await upload(reader, mailbox.id, raw());
  assert.equal(denied.statusCode, 403);
  assert.equal(denied.json().code, "forbidden");
  const agent = await ws.agent();
  assert.equal((await upload(ws.as(agent), mailbox.id, raw())).statusCode, 403);
  assert.equal((await upload(await token(ws, agent, ["read", "write"]), mailbox.id, raw())).statusCode, 403);
  const anonymous = await upload(ws.anonymous(), mailbox.id, raw());
  assert.equal(anonymous.statusCode, 401);
  assert.equal(anonymous.json().code, "unauthorized");
  const other = await buildWorkspace(ctx());
  const foreign = await upload(other.as(other.admin), mailbox.id, raw());
  assert.equal(foreign.statusCode, 404);
  assert.equal(foreign.json().code, "not_found");
});

test("uploads must be message/rfc822, not empty, and within PARLEY_SMTP_MAX_MB", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const json = await ws.as(ws.admin).post(`/api/v1/mailboxes/${mailbox.id}/inbound`, { raw: "x" });
  assert.equal(json.statusCode, 415);
  assert.equal(json.json().code, "unsupported_media_type");
  const empty = await upload(ws.as(ws.admin), mailbox.id, Buffer.alloc(0));
  assert.equal(empty.statusCode, 400);
  const big = rawMail({ from: "robin@customer.test", to: mailbox.address, text: "x".repeat(1_200_000) });
  const tooLarge = await upload(ws.as(ws.admin), mailbox.id, big);
  assert.equal(tooLarge.statusCode, 413);
  assert.equal(tooLarge.json().code, "payload_too_large");
  const stored = await ws.db
    .selectFrom("inbound_emails")
    .select("id")
    .where("workspace_id", "=", ws.id)
    .execute();
  assert.equal(stored.length, 0);
});

test("admins list a mailbox's mail by status, newest first, page by page, without bodies", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const send = (extra: Parameters<typeof rawMail>[0]) => upload(ws.as(ws.admin), mailbox.id, rawMail(extra));
  await send({
    from: "Robin <robin@customer.test>",
    to: mailbox.address,
    subject: "First",
    text: "secret body one",
  });
  await send({
    from: "robin@customer.test",
    to: mailbox.address,
    subject: "Away",
    headers: { "Auto-Submitted": "auto-replied" },
  });
  await send({ from: "Kim <kim@customer.test>", to: mailbox.address, subject: "=?UTF-8?Q?Caf=C3=A9?=" });

  const all = await ws.as(ws.admin).get(`/api/v1/mailboxes/${mailbox.id}/inbound`);
  assert.equal(all.statusCode, 200, all.body);
  const rows = all.json().data;
  assert.deepEqual(
    rows.map((r: { subject: string }) => r.subject),
    ["Café", "Away", "First"],
  );
  assert.deepEqual(rows[2].from, { address: "robin@customer.test", name: "Robin" });
  assert.equal(rows[2].status, "processed");
  assert.ok(rows[2].ticketId);
  assert.doesNotMatch(all.body, /secret body/);

  const ignored = await ws.as(ws.admin).get(`/api/v1/mailboxes/${mailbox.id}/inbound?status=ignored`);
  assert.deepEqual(
    ignored.json().data.map((r: { subject: string; reason: string }) => [r.subject, /auto/.test(r.reason)]),
    [["Away", true]],
  );

  const page1 = await ws.as(ws.admin).get(`/api/v1/mailboxes/${mailbox.id}/inbound?limit=2`);
  assert.equal(page1.json().data.length, 2);
  const page2 = await ws
    .as(ws.admin)
    .get(`/api/v1/mailboxes/${mailbox.id}/inbound?limit=2&cursor=${page1.json().nextCursor}`);
  assert.deepEqual(
    page2.json().data.map((r: { subject: string }) => r.subject),
    ["First"],
  );
  assert.equal(page2.json().nextCursor, null);

  const badStatus = await ws.as(ws.admin).get(`/api/v1/mailboxes/${mailbox.id}/inbound?status=lost`);
  assert.equal(badStatus.statusCode, 400);
  const badCursor = await ws.as(ws.admin).get(`/api/v1/mailboxes/${mailbox.id}/inbound?cursor=nope`);
  assert.equal(badCursor.json().code, "invalid_cursor");
});

test("admins download the raw mail; agents and other workspaces cannot see the list or the mail", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const raw = rawMail({ from: "robin@customer.test", to: mailbox.address });
  const id = (await upload(ws.as(ws.admin), mailbox.id, raw)).json().id;
  const download = await ws.as(ws.admin).get(`/api/v1/mailboxes/${mailbox.id}/inbound/${id}/raw`);
  assert.equal(download.statusCode, 200);
  assert.equal(download.headers["content-type"], "message/rfc822");
  assert.match(String(download.headers["content-disposition"]), /^attachment/);
  assert.ok(download.rawPayload.equals(raw));

  const agent = await ws.agent();
  for (const url of [
    `/api/v1/mailboxes/${mailbox.id}/inbound`,
    `/api/v1/mailboxes/${mailbox.id}/inbound/${id}/raw`,
  ]) {
    assert.equal((await ws.as(agent).get(url)).statusCode, 403);
    assert.equal((await ws.anonymous().get(url)).statusCode, 401);
  }
  assert.equal(
    (await ws.as(agent).post(`/api/v1/mailboxes/${mailbox.id}/inbound/${id}/retry`)).statusCode,
    403,
  );
  const writeToken = await token(ws, ws.admin, ["read", "write"]);
  assert.equal((await writeToken.get(`/api/v1/mailboxes/${mailbox.id}/inbound`)).statusCode, 403);

  const other = await buildWorkspace(ctx());
  const otherBox = await createMailbox(other);
  assert.equal((await other.as(other.admin).get(`/api/v1/mailboxes/${mailbox.id}/inbound`)).statusCode, 404);
  const foreignRaw = await other.as(other.admin).get(`/api/v1/mailboxes/${otherBox.id}/inbound/${id}/raw`);
  assert.equal(foreignRaw.statusCode, 404);
  const foreignRetry = await other
    .as(other.admin)
    .post(`/api/v1/mailboxes/${otherBox.id}/inbound/${id}/retry`);
  assert.equal(foreignRetry.statusCode, 404);
  // The same workspace, but the mail belongs to another mailbox.
  const secondBox = await createMailbox(ws);
  assert.equal(
    (await ws.as(ws.admin).get(`/api/v1/mailboxes/${secondBox.id}/inbound/${id}/raw`)).statusCode,
    404,
  );
});

test("a mail that fails to process stays visible as failed with its reason, and a retry processes it", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const raw = rawMail({
    from: "robin@customer.test",
    to: mailbox.address,
    text: "The confidential details",
    attachments: [{ filename: "log.txt", contentType: "text/plain", content: Buffer.from("jam") }],
  });
  // The file store is unusable: its directory is a file.
  rmSync(storeDir, { recursive: true, force: true });
  writeFileSync(storeDir, "not a directory");
  let id: number;
  try {
    const res = await upload(ws.as(ws.admin), mailbox.id, raw);
    assert.equal(res.statusCode, 202);
    assert.equal(res.json().status, "failed");
    id = res.json().id;
  } finally {
    rmSync(storeDir, { force: true });
    mkdirSync(storeDir);
  }
  const failed = await ws.as(ws.admin).get(`/api/v1/mailboxes/${mailbox.id}/inbound?status=failed`);
  const [row] = failed.json().data;
  assert.equal(row.id, id);
  assert.equal(row.attempts, 1);
  assert.ok(row.reason);
  assert.doesNotMatch(row.reason, /confidential|\n\s+at /);
  assert.equal(
    (await ws.db.selectFrom("tickets").select("id").where("workspace_id", "=", ws.id).execute()).length,
    0,
  );

  const retry = await ws.as(ws.admin).post(`/api/v1/mailboxes/${mailbox.id}/inbound/${id}/retry`);
  assert.equal(retry.statusCode, 202, retry.body);
  assert.equal(retry.json().status, "processed");
  const processed = await ws.as(ws.admin).get(`/api/v1/mailboxes/${mailbox.id}/inbound?status=processed`);
  assert.equal(processed.json().data[0].reason, null);
  assert.ok(processed.json().data[0].ticketId);

  const twice = await ws.as(ws.admin).post(`/api/v1/mailboxes/${mailbox.id}/inbound/${id}/retry`);
  assert.equal(twice.statusCode, 409);
  assert.equal(twice.json().code, "inbound_processed");
});

test("an ignored mail can be retried once its sender is unblocked", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const contact = await ws.contact({ email: "blocked@customer.test" });
  await ws.as(ws.admin).patch(`/api/v1/contacts/${contact.id}`, { blocked: true });
  const res = await upload(
    ws.as(ws.admin),
    mailbox.id,
    rawMail({ from: contact.email, to: mailbox.address }),
  );
  assert.equal(res.json().status, "ignored");
  await ws.as(ws.admin).patch(`/api/v1/contacts/${contact.id}`, { blocked: false });
  const retry = await ws.as(ws.admin).post(`/api/v1/mailboxes/${mailbox.id}/inbound/${res.json().id}/retry`);
  assert.equal(retry.json().status, "processed");
  const missing = await ws.as(ws.admin).post(`/api/v1/mailboxes/${mailbox.id}/inbound/999999999/retry`);
  assert.equal(missing.statusCode, 404);
});
