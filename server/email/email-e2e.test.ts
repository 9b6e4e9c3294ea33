import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import nodemailer from "nodemailer";
import { pino } from "pino";
import { SecretBox } from "../auth/secret-box.ts";
import { type Config, loadConfig } from "../config.ts";
import { type Database$, openDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { buildApp } from "../http/app.ts";
import { JobQueue } from "../jobs/queue.ts";
import { type Dovecot, dovecotAvailability, startDovecot } from "../test/dovecot.ts";
import { freePort } from "../test/free-port.ts";
import { buildWorkspace, type TestWorkspace } from "../test/harness.ts";
import { type SinkMta, startSinkMta } from "../test/sink-mta.ts";
import { createMailbox } from "./mailboxes.ts";
import { type RunningEmail, startEmail } from "./start.ts";

// The whole round trip with real servers: a customer's mail comes in (over SMTP to Parley's own
// listener, or into a Dovecot mailbox that Parley polls), an agent answers through the API, the
// answer leaves through the outbox to an SMTP server standing in for the customer's provider,
// the customer answers that, and so on. Everything must land on one ticket, in order.

const availability = dovecotAvailability();
const storeDir = mkdtempSync(join(tmpdir(), "parley-e2e-files-"));
const log = pino({ level: "silent" });
const rand = () => randomBytes(5).toString("hex");

let config: Config;
let database: Database$;
let queue: JobQueue;
let app: FastifyInstance;
let email: RunningEmail;
let sink: SinkMta;
let dovecot: Dovecot | null = null;
let smtpWs: TestWorkspace;
let smtpBox: { id: number; address: string };
let imapWs: TestWorkspace;
let imapBox: { id: number; address: string } | null = null;

before(async () => {
  config = loadConfig({
    DATABASE_URL: process.env.DATABASE_URL,
    PARLEY_SMTP_PORT: String(await freePort()),
    PARLEY_EMAIL_DOMAIN: "mail.parley.test",
    PARLEY_SECRET_KEY: "email-e2e-test-secret-key-0123456789abc",
    PARLEY_FILE_STORE_DIR: storeDir,
    PARLEY_LOGIN_RATE_LIMIT: "1000",
  });
  database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: null, poolSize: 8 });
  await migrateToLatest(database.db);
  queue = await JobQueue.start({ database, log, runWorkers: true, pollingIntervalSeconds: 0.5 });
  app = await buildApp({ database, config, queue });
  await app.ready();
  sink = await startSinkMta();
  // Mailboxes first: the IMAP pollers find their mailboxes when they start.
  const box = SecretBox.fromConfig(config);
  const outbound = { host: "127.0.0.1", port: sink.port, secure: false };
  smtpWs = await buildWorkspace({ app, database });
  smtpBox = await createMailbox(database.db, box, smtpWs.id, {
    name: "Acme Support",
    address: `support-${rand()}@acme.test`,
    smtp: outbound,
    settings: { sendReceipt: false },
  });
  imapWs = await buildWorkspace({ app, database });
  if (availability.run) {
    dovecot = await startDovecot();
    imapBox = await createMailbox(database.db, box, imapWs.id, {
      name: "Acme Help",
      address: `help-${rand()}@acme.test`,
      inbound: "imap",
      imap: {
        host: dovecot.host,
        port: dovecot.port,
        secure: false,
        user: dovecot.user,
        password: dovecot.password,
      },
      smtp: outbound,
      settings: { sendReceipt: false },
    });
  }
  email = await startEmail({ database, queue, config, log });
});

after(async () => {
  await email?.stop();
  await queue?.stop(2000);
  await app?.close();
  await dovecot?.stop();
  await sink?.close();
  await database?.close();
  rmSync(storeDir, { recursive: true, force: true });
});

interface CustomerMail {
  messageId: string;
  subject: string;
  text: string;
  inReplyTo?: string;
  references?: string[];
}

function raw(from: string, to: string, mail: CustomerMail) {
  return [
    `From: Casey Customer <${from}>`,
    `To: ${to}`,
    `Subject: ${mail.subject}`,
    `Message-ID: ${mail.messageId}`,
    `Date: ${new Date().toUTCString()}`,
    ...(mail.inReplyTo ? [`In-Reply-To: ${mail.inReplyTo}`] : []),
    ...(mail.references ? [`References: ${mail.references.join(" ")}`] : []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    mail.text,
    "",
  ].join("\r\n");
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The ticket a stored mail became, once processing has run.
async function ticketOf(ws: TestWorkspace, mailboxId: number, messageId: string) {
  return waitFor(`${messageId} to become a ticket or message`, async () => {
    const res = await ws.as(ws.admin).get(`/api/v1/mailboxes/${mailboxId}/inbound?limit=100`);
    assert.equal(res.statusCode, 200, res.body);
    const row = (
      res.json().data as {
        messageIdHeader: string;
        status: string;
        ticketId: number | null;
        reason: string | null;
      }[]
    ).find((r) => r.messageIdHeader === messageId);
    if (row && row.status !== "received")
      assert.equal(row.status, "processed", `${messageId}: ${row.reason}`);
    return row?.status === "processed" ? row.ticketId : null;
  });
}

// An agent answers through the API; the answer reaches the customer's server through the outbox.
async function agentReplies(ws: TestWorkspace, ticketId: number, body: string, customer: string) {
  const before = sink.accepted().length;
  const res = await ws.as(ws.admin).post(`/api/v1/tickets/${ticketId}/messages`, { body });
  assert.equal(res.statusCode, 201, res.body);
  const delivered = await waitFor("the reply at the customer's server", async () => sink.accepted()[before]);
  assert.deepEqual(delivered.rcptTo, [customer]);
  const text = delivered.raw.toString("utf8");
  const header = (name: string) =>
    new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, "im").exec(text)?.[1].replace(/\s+/g, " ").trim();
  const messageId = header("Message-ID");
  assert.ok(messageId, "the reply has a Message-ID");
  return { messageId, subject: header("Subject") ?? "", inReplyTo: header("In-Reply-To"), text };
}

async function thread(ws: TestWorkspace, ticketId: number) {
  const res = await ws.as(ws.admin).get(`/api/v1/tickets/${ticketId}/messages`);
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().data as { direction: string | null; kind: string; body: string }[]).map((m) => ({
    direction: m.direction,
    kind: m.kind,
    body: m.body,
  }));
}

// The conversation, whatever the door: `deliver` puts a customer's mail into Parley.
async function conversation(
  ws: TestWorkspace,
  mailbox: { id: number; address: string },
  deliver: (raw: string) => Promise<void>,
) {
  const customer = `casey-${rand()}@customer.test`;
  const send = (mail: CustomerMail) => deliver(raw(customer, mailbox.address, mail));
  const first: CustomerMail = {
    messageId: `<first-${rand()}@customer.test>`,
    subject: "The printer is on fire",
    text: "Hello, our printer caught fire this morning. What should we do?",
  };
  await send(first);
  const ticketId = await ticketOf(ws, mailbox.id, first.messageId);

  const answer = await agentReplies(
    ws,
    ticketId,
    "Please unplug it and step away. We are sending help.",
    customer,
  );
  assert.equal(answer.inReplyTo, first.messageId, "the answer threads under the customer's mail");
  const followUp: CustomerMail = {
    messageId: `<second-${rand()}@customer.test>`,
    subject: `Re: ${answer.subject}`,
    text: "Unplugged. It is still smoking a little.\r\n\r\n> Please unplug it and step away. We are sending help.",
    inReplyTo: answer.messageId,
    references: [first.messageId, answer.messageId],
  };
  await send(followUp);
  assert.equal(await ticketOf(ws, mailbox.id, followUp.messageId), ticketId, "the reply joins the ticket");
  // The proof: mail, reply, reply to the reply: one ticket, three messages.
  assert.deepEqual(
    (await thread(ws, ticketId)).map((m) => `${m.kind}:${m.direction}`),
    ["reply:in", "reply:out", "reply:in"],
  );

  const second = await agentReplies(ws, ticketId, "Open a window. The technician arrives at noon.", customer);
  assert.equal(second.inReplyTo, followUp.messageId);
  const last: CustomerMail = {
    messageId: `<third-${rand()}@customer.test>`,
    subject: `Re: ${second.subject}`,
    text: "Window open, thank you!",
    inReplyTo: second.messageId,
    references: [first.messageId, answer.messageId, followUp.messageId, second.messageId],
  };
  await send(last);
  assert.equal(await ticketOf(ws, mailbox.id, last.messageId), ticketId);

  const messages = await thread(ws, ticketId);
  assert.deepEqual(
    messages.map((m) => `${m.kind}:${m.direction}`),
    ["reply:in", "reply:out", "reply:in", "reply:out", "reply:in"],
  );
  assert.match(messages[0].body, /caught fire/);
  assert.match(messages[1].body, /unplug it/);
  assert.match(messages[2].body, /still smoking/);
  assert.doesNotMatch(messages[2].body, /sending help/, "the quoted answer is kept apart from the new text");
  assert.match(messages[3].body, /technician/);
  assert.match(messages[4].body, /Window open/);
  const tickets = await ws.as(ws.admin).get("/api/v1/tickets?limit=100");
  assert.equal(tickets.json().data.length, 1, "one ticket in the workspace");
}

test("over SMTP: a mail, an answer, a reply, an answer, a reply to it: one ticket, in order", async () => {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: config.email.smtpListenPort ?? 0,
    secure: false,
    ignoreTLS: true,
  });
  await conversation(smtpWs, smtpBox, async (mail) => {
    const to = /^To: (.*)$/m.exec(mail)?.[1] ?? "";
    const from = /^From: .*<(.*)>$/m.exec(mail)?.[1] ?? "";
    const info = await transport.sendMail({ envelope: { from, to: [to] }, raw: mail });
    assert.match(info.response, /^250 /);
  });
});

test("over SMTP: a reused Message-ID is a second ticket, the same mail by another relay none", async () => {
  const ws = await buildWorkspace({ app, database });
  const mailbox = await createMailbox(database.db, SecretBox.fromConfig(config), ws.id, {
    name: "Shop Support",
    address: `shop-${rand()}@acme.test`,
    settings: { sendReceipt: false },
  });
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: config.email.smtpListenPort ?? 0,
    secure: false,
    ignoreTLS: true,
  });
  const send = async (name: string) =>
    (
      await transport.sendMail({
        envelope: { from: "relay@customer.test", to: [mailbox.address] },
        raw: readFileSync(join(import.meta.dirname, "fixtures", name)),
      })
    ).response;
  for (const name of ["reused-message-id-1.eml", "reused-message-id-2.eml", "two-relays-direct.eml"])
    assert.match(await send(name), /^250 .*Message stored/, name);
  assert.match(await send("two-relays-forwarded.eml"), /^250 .*Duplicate/);
  assert.match(await send("automated-monitoring-alert.eml"), /^250 .*Message stored/);

  const subjects = await waitFor("four tickets", async () => {
    const res = await ws.as(ws.admin).get("/api/v1/tickets?limit=100");
    const data = res.json().data as { subject: string; tags: string[] }[];
    return data.length >= 4 ? data : null;
  });
  assert.deepEqual(subjects.map((t) => t.subject).sort(), [
    "Contact form: order 10482 never arrived",
    "Contact form: wrong size delivered",
    "Problem: Disk space is critically low on db-02 (used > 95%)",
    "Wrong VAT number on invoices",
  ]);
  assert.deepEqual(subjects.find((t) => t.subject.startsWith("Problem:"))?.tags, ["automated"]);
  const stored = await ws.as(ws.admin).get(`/api/v1/mailboxes/${mailbox.id}/inbound?limit=100`);
  assert.equal(stored.json().data.length, 4, "the relayed copy was not stored again");
});

if (availability.run) {
  test("through a Dovecot mailbox Parley polls: the same conversation, one ticket, in order", async () => {
    assert.ok(dovecot && imapBox);
    const server = dovecot;
    await conversation(imapWs, imapBox, async (mail) => {
      await server.deliver(mail);
    });
  });
} else if (availability.skip) {
  test("through a Dovecot mailbox Parley polls", { skip: availability.message }, () => {});
} else {
  test("through a Dovecot mailbox Parley polls", () => assert.fail(availability.message));
}
