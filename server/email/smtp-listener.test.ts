import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext as NodeTest, test } from "node:test";
import { sql } from "kysely";
import nodemailer from "nodemailer";
import { pino } from "pino";
import { SecretBox } from "../auth/secret-box.ts";
import { loadConfig } from "../config.ts";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { MailboxDirectory } from "./mailbox-directory.ts";
import { createMailbox } from "./mailboxes.ts";
import { type SmtpListenerOptions, startSmtpListener } from "./smtp-listener.ts";

const ctx = useTestApp();
const box = new SecretBox(Buffer.alloc(32, 7));
const log = pino({ level: "silent" });
let n = 0;
const unique = (what: string) => `${what}-${process.pid}-${Date.now().toString(36)}-${++n}`;

async function mailbox(ws: TestWorkspace, address = `${unique("support")}@help.example`) {
  return createMailbox(ws.db, box, ws.id, { name: "Support", address });
}

async function listen(
  t: NodeTest,
  env: Record<string, string> = {},
  extra: Partial<SmtpListenerOptions> = {},
) {
  const config = loadConfig({ PARLEY_SMTP_PORT: "0", ...env });
  const accepted: { workspaceId: number; inboundId: number }[] = [];
  const listener = await startSmtpListener({
    db: ctx().database.db,
    mailboxes: new MailboxDirectory(ctx().database.db),
    config: config.email,
    log,
    onAccepted: (a) => accepted.push(a),
    ...extra,
  });
  assert.ok(listener);
  t.after(() => listener.stop());
  return { port: listener.port, listener, accepted };
}

function transport(port: number, extra: Record<string, unknown> = {}) {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    ignoreTLS: true,
    ...extra,
  });
}

const rawMail = (to: string, messageId = `<${unique("m")}@customer.test>`, body = "Hello, it broke.") =>
  [
    "From: Casey <casey@customer.test>",
    `To: ${to}`,
    "Subject: Help",
    `Message-ID: ${messageId}`,
    "",
    body,
    "",
  ].join("\r\n");

async function stored(ws: TestWorkspace) {
  return ws.db
    .selectFrom("inbound_emails")
    .select(["mailbox_id", "source", "raw", "envelope", "message_id_header"])
    .where("workspace_id", "=", ws.id)
    .orderBy("id")
    .execute();
}

// A line-level SMTP conversation, for what a library client would hide.
class Conversation {
  readonly socket: Socket;
  #buffer = "";
  #waiters: (() => void)[] = [];
  closed = false;
  constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.#buffer += chunk;
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on("close", () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  static open(port: number) {
    return new Promise<Conversation>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new Conversation(socket)));
      socket.once("error", reject);
    });
  }
  // One complete reply (the last line has a space after the code).
  async reply(): Promise<string> {
    for (;;) {
      const match = /^(?:\d{3}-[^\n]*\n)*\d{3} [^\n]*\n/.exec(this.#buffer);
      if (match) {
        this.#buffer = this.#buffer.slice(match[0].length);
        return match[0];
      }
      if (this.closed) return "";
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
  async say(line: string) {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }
}

test("a mail to a mailbox is stored raw, with its envelope, before 250", async (t) => {
  const ws = await buildWorkspace(ctx());
  const mb = await mailbox(ws);
  const { port, accepted } = await listen(t);
  const raw = rawMail(mb.address, "<first@customer.test>");
  const info = await transport(port).sendMail({
    envelope: { from: "bounce@customer.test", to: [mb.address] },
    raw,
  });
  assert.match(info.response, /^250 /);
  const rows = await stored(ws);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].source, "smtp");
  assert.equal(rows[0].mailbox_id, mb.id);
  assert.equal(rows[0].message_id_header, "<first@customer.test>");
  assert.equal(Buffer.from(rows[0].raw).toString(), raw);
  assert.equal((rows[0].envelope as { mailFrom: string }).mailFrom, "bounce@customer.test");
  assert.equal((rows[0].envelope as { remoteAddress: string }).remoteAddress, "127.0.0.1");
  assert.equal(accepted.length, 1);
  assert.equal(accepted[0].workspaceId, ws.id);
});

test("an unknown recipient is refused with 550 5.1.1 and nothing is stored", async (t) => {
  const ws = await buildWorkspace(ctx());
  const mb = await mailbox(ws);
  const inactive = await mailbox(ws);
  await ws.db.updateTable("mailboxes").set({ active: false }).where("id", "=", inactive.id).execute();
  const { port } = await listen(t);
  for (const to of ["nobody@help.example", inactive.address]) {
    await assert.rejects(
      transport(port).sendMail({ envelope: { from: "a@customer.test", to: [to] }, raw: rawMail(to) }),
      (err: { responseCode?: number; response?: string }) => {
        assert.equal(err.responseCode, 550);
        assert.match(err.response ?? "", /^550 5\.1\.1 /);
        return true;
      },
    );
  }
  // With one good recipient among bad ones, the mail is stored for the good one only.
  const info = await transport(port).sendMail({
    envelope: { from: "a@customer.test", to: ["nobody@help.example", mb.address] },
    raw: rawMail(mb.address),
  });
  assert.deepEqual(info.rejected, ["nobody@help.example"]);
  assert.equal((await stored(ws)).length, 1);
});

test("a mail to two mailboxes is stored once per mailbox, and plus-addresses reach theirs", async (t) => {
  const ws = await buildWorkspace(ctx());
  const other = await buildWorkspace(ctx());
  const sales = await mailbox(ws);
  const billing = await mailbox(other);
  const { port, accepted } = await listen(t);
  const plus = sales.address.replace("@", "+urgent@");
  await transport(port).sendMail({
    envelope: { from: "a@customer.test", to: [sales.address, plus, billing.address] },
    raw: rawMail(`${sales.address}, ${billing.address}`),
  });
  const mine = await stored(ws);
  const theirs = await stored(other);
  assert.equal(mine.length, 1, "two addresses of one mailbox store the mail once");
  assert.deepEqual((mine[0].envelope as { rcptTo: string[] }).rcptTo, [sales.address, plus]);
  assert.equal(theirs.length, 1);
  assert.equal(theirs[0].mailbox_id, billing.id);
  assert.equal(accepted.length, 2);
});

test("redelivering the same mail is answered 250 saying it is a duplicate, and stored once", async (t) => {
  const ws = await buildWorkspace(ctx());
  const mb = await mailbox(ws);
  const { port, accepted } = await listen(t);
  const raw = rawMail(mb.address, "<again@customer.test>");
  const responses: string[] = [];
  for (let i = 0; i < 2; i++) {
    const info = await transport(port).sendMail({
      envelope: { from: "a@customer.test", to: [mb.address] },
      raw,
    });
    responses.push(info.response);
  }
  assert.match(responses[0], /^250 .*Message stored/);
  assert.match(responses[1], /^250 .*Duplicate of a message already stored/);
  assert.equal((await stored(ws)).length, 1);
  assert.equal(accepted.length, 1, "processing is nudged only for the new message");
});

test("a different mail reusing a Message-ID is stored; the same mail through another relay is a duplicate", async (t) => {
  const ws = await buildWorkspace(ctx());
  const mb = await mailbox(ws);
  const { port, accepted } = await listen(t);
  const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name));
  const send = async (raw: Buffer) =>
    (await transport(port).sendMail({ envelope: { from: "a@customer.test", to: [mb.address] }, raw }))
      .response;
  assert.match(await send(fixture("reused-message-id-1.eml")), /^250 .*Message stored/);
  assert.match(await send(fixture("reused-message-id-2.eml")), /^250 .*Message stored/);
  assert.match(await send(fixture("two-relays-direct.eml")), /^250 .*Message stored/);
  assert.match(await send(fixture("two-relays-forwarded.eml")), /^250 .*Duplicate/);
  assert.match(await send(fixture("reused-message-id-2.eml")), /^250 .*Duplicate/);
  const rows = await stored(ws);
  assert.deepEqual(
    rows.map((r) => r.message_id_header),
    [
      "<contact-form@localhost.localdomain>",
      "<contact-form@localhost.localdomain>",
      "<VI1PR07MB6238D1E5A1B0C2F3A4B5C6D7@VI1PR07MB6238.eurprd07.prod.outlook.example>",
    ],
  );
  assert.equal(accepted.length, 3);
});

test("SIZE is advertised, no AUTH is offered, and an oversized mail gets 552", async (t) => {
  const ws = await buildWorkspace(ctx());
  const mb = await mailbox(ws);
  const { port } = await listen(t, { PARLEY_SMTP_MAX_MB: "1" });
  const talk = await Conversation.open(port);
  assert.match(await talk.reply(), /^220 /);
  const ehlo = await talk.say("EHLO client.test");
  assert.match(ehlo, /SIZE 1048576/);
  assert.doesNotMatch(ehlo, /AUTH/);
  assert.doesNotMatch(ehlo, /STARTTLS/, "no STARTTLS without a certificate");
  // A declared size over the limit is refused before any data is sent.
  assert.match(await talk.say("MAIL FROM:<a@customer.test> SIZE=2000000"), /^552 /);
  talk.socket.destroy();

  // A sender that declares nothing is stopped by the count of what it streams.
  const big = rawMail(mb.address, undefined, "x".repeat(76).concat("\r\n").repeat(20_000));
  await assert.rejects(
    transport(port).sendMail({ envelope: { from: "a@customer.test", to: [mb.address] }, raw: big }),
    (err: { responseCode?: number }) => err.responseCode === 552,
  );
  assert.equal((await stored(ws)).length, 0);
});

test("STARTTLS is offered with a configured certificate, and mail arrives over it", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "parley-smtp-tls-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  const ws = await buildWorkspace(ctx());
  const mb = await mailbox(ws);
  const { port } = await listen(t, { PARLEY_SMTP_TLS_CERT: cert, PARLEY_SMTP_TLS_KEY: key });
  const talk = await Conversation.open(port);
  await talk.reply();
  const ehlo = await talk.say("EHLO client.test");
  assert.match(ehlo, /STARTTLS/);
  assert.doesNotMatch(ehlo, /AUTH/);
  talk.socket.destroy();
  const info = await transport(port, {
    ignoreTLS: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
  }).sendMail({ envelope: { from: "a@customer.test", to: [mb.address] }, raw: rawMail(mb.address) });
  assert.match(info.response, /^250 /);
  assert.equal((await stored(ws)).length, 1);
});

test("connections and messages per remote address are rate limited with temporary answers", async (t) => {
  const ws = await buildWorkspace(ctx());
  const mb = await mailbox(ws);
  const { port } = await listen(t, {
    PARLEY_SMTP_MAX_CONNECTIONS_PER_MINUTE: "2",
    PARLEY_SMTP_MAX_MESSAGES_PER_MINUTE: "2",
  });
  const first = await Conversation.open(port);
  assert.match(await first.reply(), /^220 /);
  await first.say("EHLO client.test");
  for (let i = 0; i < 2; i++) {
    assert.match(await first.say("MAIL FROM:<a@customer.test>"), /^250 /);
    assert.match(await first.say(`RCPT TO:<${mb.address}>`), /^250 /);
    assert.match(await first.say("RSET"), /^250 /);
  }
  assert.match(await first.say("MAIL FROM:<a@customer.test>"), /^451 /);
  const second = await Conversation.open(port);
  assert.match(await second.reply(), /^220 /);
  const third = await Conversation.open(port);
  assert.match(await third.reply(), /^421 /);
  for (const c of [first, second, third]) c.socket.destroy();
});

test("a storage failure is a temporary 451, and the retry is stored", async (t) => {
  const ws = await buildWorkspace(ctx());
  const mb = await mailbox(ws);
  const db = ctx().database.db;
  const fn = `fail_inbound_${process.pid}_${n}`;
  await sql
    .raw(`create function ${fn}() returns trigger language plpgsql as $$
    begin raise exception 'disk on fire'; end $$`)
    .execute(db);
  await sql
    .raw(`create trigger ${fn} before insert on inbound_emails for each row
    when (new.mailbox_id = ${mb.id}) execute function ${fn}()`)
    .execute(db);
  const dropTrigger = () => sql.raw(`drop trigger if exists ${fn} on inbound_emails`).execute(db);
  t.after(async () => {
    await dropTrigger();
    await sql.raw(`drop function if exists ${fn}()`).execute(db);
  });
  const { port, accepted } = await listen(t);
  const raw = rawMail(mb.address);
  await assert.rejects(
    transport(port).sendMail({ envelope: { from: "a@customer.test", to: [mb.address] }, raw }),
    (err: { responseCode?: number; response?: string }) => {
      assert.equal(err.responseCode, 451);
      assert.match(err.response ?? "", /^451 4\.3\.0 /);
      return true;
    },
  );
  assert.equal(accepted.length, 0);
  // Sent together they may share a commit: the mail that cannot be stored fails alone.
  const good = await mailbox(ws);
  const [bad, fine] = await Promise.allSettled([
    transport(port).sendMail({ envelope: { from: "a@customer.test", to: [mb.address] }, raw }),
    transport(port).sendMail({
      envelope: { from: "a@customer.test", to: [good.address] },
      raw: rawMail(good.address),
    }),
  ]);
  assert.equal(bad.status, "rejected");
  assert.equal(fine.status, "fulfilled");
  assert.equal(accepted.length, 1);
  await dropTrigger();
  await transport(port).sendMail({ envelope: { from: "a@customer.test", to: [mb.address] }, raw });
  assert.equal((await stored(ws)).length, 2);
});

test("stopping lets a message being stored get its 250, then turns sessions away", async (t) => {
  const ws = await buildWorkspace(ctx());
  const mb = await mailbox(ws);
  const db = ctx().database.db;
  const fn = `slow_inbound_${process.pid}_${n}`;
  await sql
    .raw(`create function ${fn}() returns trigger language plpgsql as $$
    begin perform pg_sleep(0.5); return new; end $$`)
    .execute(db);
  await sql
    .raw(`create trigger ${fn} before insert on inbound_emails for each row
    when (new.mailbox_id = ${mb.id}) execute function ${fn}()`)
    .execute(db);
  t.after(async () => {
    await sql.raw(`drop trigger if exists ${fn} on inbound_emails`).execute(db);
    await sql.raw(`drop function if exists ${fn}()`).execute(db);
  });
  const { port, listener } = await listen(t);
  const idle = await Conversation.open(port);
  await idle.reply();
  await idle.say("EHLO idle.test");
  const busy = await Conversation.open(port);
  await busy.reply();
  await busy.say("EHLO busy.test");
  await busy.say("MAIL FROM:<a@customer.test>");
  await busy.say(`RCPT TO:<${mb.address}>`);
  assert.match(await busy.say("DATA"), /^354 /);
  const answer = busy.say(`${rawMail(mb.address)}\r\n.`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const stopping = listener.stop();
  assert.match(await answer, /^250 /, "the message in hand is stored and acknowledged");
  assert.match(await idle.reply(), /^421 /, "an idle session is told to come back later");
  await stopping;
  assert.equal((await stored(ws)).length, 1);
  await assert.rejects(Conversation.open(port), "the port is closed");
});
