import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { pino } from "pino";
import { SecretBox } from "../auth/secret-box.ts";
import { type Dovecot, dovecotAvailability, startDovecot } from "../test/dovecot.ts";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";
import {
  type ImapMailbox,
  type ImapPollerOptions,
  imapClientOptions,
  startImapPollers,
  syncFolder,
} from "./imap-poller.ts";
import { createMailbox } from "./mailboxes.ts";

const ctx = useTestApp({ PARLEY_SECRET_KEY: "imap-poller-test-secret-key-0123456789" });
const box = SecretBox.fromConfig({ secretKey: "imap-poller-test-secret-key-0123456789", dataDir: "unused" });
const log = pino({ level: "silent" });
const availability = dovecotAvailability();
let dovecot: Dovecot;
let n = 0;
const unique = (what: string) => `${what}-${process.pid}-${Date.now().toString(36)}-${++n}`;

before(async () => {
  if (availability.run) dovecot = await startDovecot();
});
after(async () => {
  await dovecot?.stop();
});

const mail = (messageId: string, subject = "Help") =>
  `From: Casey <casey@customer.test>\r\nTo: support@help.example\r\nSubject: ${subject}\r\nMessage-ID: <${messageId}>\r\n\r\nIt broke.\r\n`;

async function folder() {
  const name = unique("Support");
  const client = await dovecot.client();
  await client.mailboxCreate(name);
  await client.logout();
  return name;
}

async function imapMailbox(ws: TestWorkspace, folderName: string, password = dovecot.password) {
  return createMailbox(ws.db, box, ws.id, {
    name: "Support",
    address: `${unique("support")}@help.example`,
    inbound: "imap",
    imap: {
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      user: dovecot.user,
      password,
      folder: folderName,
    },
  });
}

async function storedIds(ws: TestWorkspace) {
  const rows = await ws.db
    .selectFrom("inbound_emails")
    .select(["message_id_header", "source", "envelope"])
    .where("workspace_id", "=", ws.id)
    .orderBy("id")
    .execute();
  for (const row of rows) assert.equal(row.source, "imap");
  return rows.map((r) => r.message_id_header);
}

async function cursor(ws: TestWorkspace) {
  return ws.db.selectFrom("imap_cursors").selectAll().where("workspace_id", "=", ws.id).executeTakeFirst();
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function pollerOptions(extra: Partial<ImapPollerOptions> = {}): ImapPollerOptions {
  return {
    db: ctx().database.db,
    box,
    log,
    rescanMs: 200,
    pollMs: 30_000,
    backoff: { minMs: 100, maxMs: 500 },
    ...extra,
  };
}

// An open read-only client on a folder, as the poller has it.
async function openFolder(mailbox: { workspace_id: number; id: number }, folderName: string) {
  const target: ImapMailbox = {
    workspaceId: mailbox.workspace_id,
    mailboxId: mailbox.id,
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    user: dovecot.user,
    auth: "password",
    folder: folderName,
    secret: dovecot.password,
  };
  const client = await dovecot.client();
  await client.mailboxOpen(folderName, { readOnly: true });
  return { client, target };
}

if (!availability.run) {
  if (availability.skip) test("IMAP polling against Dovecot", { skip: availability.message }, () => {});
  else test("IMAP polling needs Dovecot", () => assert.fail(availability.message));
} else {
  test("mail already in the folder and mail arriving later is stored in UID order, \\Seen untouched", async (t) => {
    const ws = await buildWorkspace(ctx());
    const name = await folder();
    await dovecot.deliver(mail(`old-1-${name}@customer.test`), name);
    await dovecot.deliver(mail(`old-2-${name}@customer.test`), name);
    await imapMailbox(ws, name);
    const accepted: number[] = [];
    const pollers = await startImapPollers(pollerOptions({ onAccepted: (a) => accepted.push(a.inboundId) }));
    t.after(() => pollers.stop());
    await waitFor("the two old messages", async () => (await storedIds(ws)).length === 2);
    // Arrives while the poller idles: IDLE reports it, no poll interval needed (pollMs is 30 s).
    const uid = await dovecot.deliver(mail(`new-${name}@customer.test`), name);
    await waitFor("the new message", async () => (await storedIds(ws)).length === 3);
    assert.deepEqual(await storedIds(ws), [
      `<old-1-${name}@customer.test>`,
      `<old-2-${name}@customer.test>`,
      `<new-${name}@customer.test>`,
    ]);
    assert.equal(accepted.length, 3);
    assert.equal((await cursor(ws))?.last_uid, uid);
    const client = await dovecot.client();
    await client.mailboxOpen(name);
    for (const m of await client.fetchAll("1:*", { flags: true })) assert.ok(!m.flags?.has("\\Seen"));
    await client.logout();
  });

  test("a failure mid-batch leaves the cursor at the last stored message; the next sync resumes there", async (t) => {
    const ws = await buildWorkspace(ctx());
    const name = await folder();
    for (const id of ["a", "b", "poison", "c"])
      await dovecot.deliver(mail(`${id}-${name}@customer.test`), name);
    const mb = await imapMailbox(ws, name);
    const db = ctx().database.db;
    const fn = `poison_${process.pid}_${n}`;
    await sql
      .raw(`create function ${fn}() returns trigger language plpgsql as $$
      begin raise exception 'storage failed'; end $$`)
      .execute(db);
    await sql
      .raw(`create trigger ${fn} before insert on inbound_emails for each row
      when (new.mailbox_id = ${mb.id} and new.message_id_header like '<poison-%') execute function ${fn}()`)
      .execute(db);
    t.after(async () => {
      await sql.raw(`drop trigger if exists ${fn} on inbound_emails`).execute(db);
      await sql.raw(`drop function if exists ${fn}()`).execute(db);
    });
    const { client, target } = await openFolder(mb, name);
    t.after(() => client.logout());
    await assert.rejects(
      syncFolder(client, target, pollerOptions(), () => false),
      /storage failed/,
    );
    assert.equal((await storedIds(ws)).length, 2);
    assert.equal((await cursor(ws))?.last_uid, 2, "the cursor stops before the message that failed");
    await sql.raw(`drop trigger ${fn} on inbound_emails`).execute(db);
    assert.equal(await syncFolder(client, target, pollerOptions(), () => false), 2);
    assert.equal(
      await syncFolder(client, target, pollerOptions(), () => false),
      0,
      "nothing is fetched twice",
    );
    assert.deepEqual(
      await storedIds(ws),
      ["a", "b", "poison", "c"].map((id) => `<${id}-${name}@customer.test>`),
    );
    assert.equal((await cursor(ws))?.last_uid, 4);
  });

  test("a new UIDVALIDITY restarts the cursor, and Message-IDs already stored are not stored again", async (t) => {
    const ws = await buildWorkspace(ctx());
    const name = await folder();
    await dovecot.deliver(mail(`one-${name}@customer.test`), name);
    await dovecot.deliver(mail(`two-${name}@customer.test`), name);
    const mb = await imapMailbox(ws, name);
    const first = await openFolder(mb, name);
    assert.equal(await syncFolder(first.client, first.target, pollerOptions()), 2);
    const before = await cursor(ws);
    await first.client.logout();

    // The folder is recreated: same mail, renumbered, under a new UIDVALIDITY, plus one new.
    const admin = await dovecot.client();
    await admin.mailboxDelete(name);
    await admin.mailboxCreate(name);
    await admin.logout();
    await dovecot.deliver(mail(`two-${name}@customer.test`), name);
    await dovecot.deliver(mail(`one-${name}@customer.test`), name);
    await dovecot.deliver(mail(`three-${name}@customer.test`), name);
    const second = await openFolder(mb, name);
    t.after(() => second.client.logout());
    const reopened = second.client.mailbox;
    assert.ok(reopened);
    assert.notEqual(Number(reopened.uidValidity), before?.uidvalidity);
    assert.equal(await syncFolder(second.client, second.target, pollerOptions()), 1);
    assert.deepEqual(
      await storedIds(ws),
      ["one", "two", "three"].map((id) => `<${id}-${name}@customer.test>`),
    );
    const after = await cursor(ws);
    assert.equal(after?.last_uid, 3);
    assert.equal(after?.uidvalidity, Number(reopened.uidValidity));
  });

  test("a refused sign-in is shown on the mailbox; fixing the password resumes fetching", async (t) => {
    const ws = await buildWorkspace(ctx());
    const name = await folder();
    await dovecot.deliver(mail(`waiting-${name}@customer.test`), name);
    const mb = await imapMailbox(ws, name, "wrong-password");
    const pollers = await startImapPollers(pollerOptions());
    t.after(() => pollers.stop());
    const shown = await waitFor("the error on the mailbox", async () => {
      const res = await ws.as(ws.admin).get(`/api/v1/mailboxes/${mb.id}`);
      return res.json().inboundError as { message: string; at: string } | null;
    });
    assert.match(shown.message, /Sign-in refused/);
    assert.deepEqual(await storedIds(ws), []);

    const res = await ws.as(ws.admin).patch(`/api/v1/mailboxes/${mb.id}`, {
      imap: {
        host: dovecot.host,
        port: dovecot.port,
        secure: false,
        user: dovecot.user,
        password: dovecot.password,
        folder: name,
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    await waitFor("the waiting message", async () => (await storedIds(ws)).length === 1);
    await waitFor("the error to clear", async () => {
      const view = await ws.as(ws.admin).get(`/api/v1/mailboxes/${mb.id}`);
      return view.json().inboundError === null;
    });
  });

  test("two instances share one connection per mailbox; a deactivated mailbox is let go", async (t) => {
    const ws = await buildWorkspace(ctx());
    const name = await folder();
    const mb = await imapMailbox(ws, name);
    const key = `${ws.id}:${mb.id}`;
    const one = await startImapPollers(pollerOptions());
    t.after(() => one.stop());
    const two = await startImapPollers(pollerOptions());
    t.after(() => two.stop());
    await waitFor("a holder", async () => one.held().includes(key) || two.held().includes(key));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal([...one.held(), ...two.held()].filter((k) => k === key).length, 1);
    await dovecot.deliver(mail(`shared-${name}@customer.test`), name);
    await waitFor("the message", async () => (await storedIds(ws)).length === 1);

    await ws.as(ws.admin).patch(`/api/v1/mailboxes/${mb.id}`, { active: false });
    await waitFor("both to let go", async () => !one.held().includes(key) && !two.held().includes(key));
  });
}

test("OAuth2 mailboxes sign in with the access token (XOAUTH2), password ones with the password", () => {
  const base: ImapMailbox = {
    workspaceId: 1,
    mailboxId: 1,
    host: "imap.example.com",
    port: 993,
    secure: true,
    user: "support@example.com",
    auth: "oauth2",
    folder: "INBOX",
    secret: "ya29.token",
  };
  assert.deepEqual(imapClientOptions(base).auth, { user: "support@example.com", accessToken: "ya29.token" });
  assert.deepEqual(imapClientOptions({ ...base, auth: "password", secret: "pw" }).auth, {
    user: "support@example.com",
    pass: "pw",
  });
});
