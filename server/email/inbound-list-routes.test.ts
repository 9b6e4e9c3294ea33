import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildWorkspace, Client, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { createMailbox, rawMail, upload } from "../test/mail.ts";

// The workspace-wide list of inbound mail that needs an admin, and its counts per mailbox.
const root = mkdtempSync(join(tmpdir(), "parley-inbound-list-"));
const storeDir = join(root, "files");
mkdirSync(storeDir);
after(() => rmSync(root, { recursive: true, force: true }));
const ctx = useTestApp({ PARLEY_FILE_STORE_DIR: storeDir });

// A mail that really fails to process: its attachment cannot be stored, because the file store's
// directory is a file for the length of the upload.
async function failingMail(ws: TestWorkspace, mailboxId: number, address: string, subject: string) {
  rmSync(storeDir, { recursive: true, force: true });
  writeFileSync(storeDir, "not a directory");
  try {
    const raw = rawMail({
      from: "robin@customer.test",
      to: address,
      subject,
      attachments: [{ filename: "log.txt", contentType: "text/plain", content: Buffer.from("jam") }],
    });
    const res = await upload(ws.as(ws.admin), mailboxId, raw);
    assert.equal(res.json().status, "failed", res.body);
    return res.json().id as number;
  } finally {
    rmSync(storeDir, { force: true });
    mkdirSync(storeDir);
  }
}

const subjects = (res: { json(): { data: { subject: string }[] } }) => res.json().data.map((r) => r.subject);

test("admins list failed mail of every mailbox, newest first, by mailbox and page by page, with counts", async () => {
  const ws = await buildWorkspace(ctx());
  const sales = await createMailbox(ws);
  const help = await createMailbox(ws);
  await upload(ws.as(ws.admin), help.id, rawMail({ from: "kim@customer.test", to: help.address }));
  const first = await failingMail(ws, sales.id, sales.address, "Sales one");
  await failingMail(ws, help.id, help.address, "Help one");
  await failingMail(ws, sales.id, sales.address, "Sales two");

  const all = await ws.as(ws.admin).get("/api/v1/inbound-emails");
  assert.equal(all.statusCode, 200, all.body);
  // The processed mail is not a problem and is not listed.
  assert.deepEqual(subjects(all), ["Sales two", "Help one", "Sales one"]);
  const [newest] = all.json().data;
  assert.equal(newest.mailboxId, sales.id);
  assert.equal(newest.status, "failed");
  assert.equal(newest.attempts, 1);
  assert.ok(newest.reason);
  // Failed once: the sweep will try again by itself, and the list says when.
  assert.ok(Date.parse(newest.retryAt) > Date.now() - 60_000);
  assert.deepEqual(newest.from, { address: "robin@customer.test", name: "" });

  const salesOnly = await ws.as(ws.admin).get(`/api/v1/inbound-emails?mailboxId=${sales.id}`);
  assert.deepEqual(subjects(salesOnly), ["Sales two", "Sales one"]);
  const page1 = await ws.as(ws.admin).get("/api/v1/inbound-emails?limit=2");
  assert.deepEqual(subjects(page1), ["Sales two", "Help one"]);
  const page2 = await ws.as(ws.admin).get(`/api/v1/inbound-emails?limit=2&cursor=${page1.json().nextCursor}`);
  assert.deepEqual(subjects(page2), ["Sales one"]);
  assert.equal(page2.json().nextCursor, null);
  assert.equal((await ws.as(ws.admin).get("/api/v1/inbound-emails?status=received")).json().data.length, 0);

  const counts = await ws.as(ws.admin).get("/api/v1/inbound-emails/counts");
  assert.equal(counts.statusCode, 200, counts.body);
  assert.deepEqual(counts.json(), {
    failed: 3,
    mailboxes: [
      { mailboxId: sales.id, failed: 2 },
      { mailboxId: help.id, failed: 1 },
    ].sort((a, b) => a.mailboxId - b.mailboxId),
  });

  // Retried with the store working again, the mail becomes a ticket and leaves list and counts.
  const retry = await ws.as(ws.admin).post(`/api/v1/mailboxes/${sales.id}/inbound/${first}/retry`);
  assert.equal(retry.json().status, "processed", retry.body);
  assert.deepEqual(subjects(await ws.as(ws.admin).get("/api/v1/inbound-emails")), ["Sales two", "Help one"]);
  assert.equal((await ws.as(ws.admin).get("/api/v1/inbound-emails/counts")).json().failed, 2);
});

test("only admins see the list and counts; other workspaces see none of it; bad queries are 400", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  await failingMail(ws, mailbox.id, mailbox.address, "Broken");
  const agent = await ws.agent();
  const writer = await ws.as(ws.admin).post("/api/v1/api-tokens", { name: "w", scopes: ["read", "write"] });
  const writeToken = new Client(ws.ctx.app, { authorization: `Bearer ${writer.json().token}` });
  const adminToken = await ws.as(ws.admin).post("/api/v1/api-tokens", { name: "a", scopes: ["admin"] });
  const admin = new Client(ws.ctx.app, { authorization: `Bearer ${adminToken.json().token}` });
  for (const url of ["/api/v1/inbound-emails", "/api/v1/inbound-emails/counts"]) {
    assert.equal((await ws.anonymous().get(url)).statusCode, 401);
    const denied = await ws.as(agent).get(url);
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().code, "forbidden");
    assert.equal((await writeToken.get(url)).statusCode, 403);
    assert.equal((await admin.get(url)).statusCode, 200);
  }

  const other = await buildWorkspace(ctx());
  assert.deepEqual((await other.as(other.admin).get("/api/v1/inbound-emails")).json().data, []);
  const foreign = await other.as(other.admin).get(`/api/v1/inbound-emails?mailboxId=${mailbox.id}`);
  assert.deepEqual(foreign.json().data, []);
  assert.deepEqual((await other.as(other.admin).get("/api/v1/inbound-emails/counts")).json(), {
    failed: 0,
    mailboxes: [],
  });

  // Processed and ignored mail is a mailbox's history, not a problem: not offered here.
  const processed = await ws.as(ws.admin).get("/api/v1/inbound-emails?status=processed");
  assert.equal(processed.statusCode, 400);
  const badCursor = await ws.as(ws.admin).get("/api/v1/inbound-emails?cursor=nope");
  assert.equal(badCursor.statusCode, 400);
  assert.equal(badCursor.json().code, "invalid_cursor");
});
