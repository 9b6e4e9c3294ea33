import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { SecretBox } from "../auth/secret-box.ts";
import { createUserSession } from "../auth/sessions.ts";
import { openDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { type ChildParley, startChildParley, stopChildParley } from "../test/child-parley.ts";
import { freePort } from "../test/free-port.ts";
import { createUser, createWorkspace } from "../workspaces/service.ts";
import { createMailbox } from "./mailboxes.ts";

// "250 means stored", checked the hard way: the real server in its own process takes a burst of
// 1,000 mails over SMTP from 10 connections, is killed with SIGKILL in the middle, and started
// again on the same data. Every mail that got its 250 must end as exactly one ticket, and sending
// all 1,000 again, through another relay, must make no ticket twice.

const ADMIN_EMAIL = "email-durability@example.test";
const ADMIN_PASSWORD = "email-durability-password";
const BURST = 1000;
const KILL_AFTER_ACKS = 300;
const SENDERS = 10;
// No "ticket received" replies: there is no relay to send them through, and they are not the point.
const NO_RECEIPTS = { sendReceipt: false };

type Server = ChildParley & { smtpPort: number };

async function startParley(dataDir: string): Promise<Server> {
  const smtpPort = await freePort();
  const server = await startChildParley({
    PARLEY_SMTP_PORT: String(smtpPort),
    PARLEY_SMTP_MAX_MESSAGES_PER_MINUTE: "100000",
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ADMIN_EMAIL: ADMIN_EMAIL,
    PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    PARLEY_SECRET_KEY: "email-durability-secret-key-0123456789",
  });
  return { ...server, smtpPort };
}

const stopParley = stopChildParley;

// On a shared PostgreSQL database first start creates nobody: make the workspace, admin and
// mailbox from here. On a fresh PGlite directory the server makes the admin; the mailbox comes
// through the API once it runs.
async function prepareOnPostgres(address: string) {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) return null;
  const database = await openDatabase({ databaseUrl, dataDir: null, poolSize: 2 });
  try {
    await migrateToLatest(database.db);
    const ws = await createWorkspace(
      database.db,
      `Email durability ${process.pid} ${Date.now().toString(36)}`,
    );
    const admin = await createUser(database.db, ws.id, {
      name: "Durability",
      email: ADMIN_EMAIL,
      role: "admin",
    });
    const box = new SecretBox(Buffer.alloc(32, 1));
    const mailbox = await createMailbox(database.db, box, ws.id, {
      name: "Support",
      address,
      settings: NO_RECEIPTS,
    });
    return {
      cookie: `parley_session=${await createUserSession(database.db, ws.id, admin.id, 1)}`,
      mailboxId: mailbox.id,
    };
  } finally {
    await database.close();
  }
}

async function api(server: Server, cookie: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

async function signIn(server: Server) {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  assert.equal(res.status, 200, await res.text());
  const cookie = /parley_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "");
  assert.ok(cookie);
  return cookie[0];
}

const mail = (marker: string, key: string, i: number, to: string) =>
  [
    `From: Customer ${i % 50} <customer-${i % 50}@customer.test>`,
    `To: ${to}`,
    `Subject: ${marker} ${key}`,
    `Message-ID: <${key}@customer.test>`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Burst mail ${key}: the printer is on fire again.`,
    "",
  ].join("\r\n");

// Sends keys from a shared list over `SENDERS` connections; returns the keys answered 250.
async function blast(
  server: Server,
  keys: string[],
  body: (key: string) => string,
  to: string,
  shouldStop: () => boolean = () => false,
  onAck: (count: number) => void = () => {},
) {
  const acknowledged = new Set<string>();
  const failures: string[] = [];
  let next = 0;
  const sender = async () => {
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.smtpPort,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 1,
      maxMessages: Number.POSITIVE_INFINITY,
    });
    try {
      while (!shouldStop() && next < keys.length) {
        const key = keys[next++];
        try {
          const info = await transport.sendMail({
            envelope: { from: "bounce@customer.test", to: [to] },
            raw: body(key),
          });
          if (/^250 /.test(info.response)) {
            acknowledged.add(key);
            onAck(acknowledged.size);
          }
        } catch (err) {
          if (!shouldStop()) failures.push(`${key}: ${(err as Error).message}`);
        }
      }
    } finally {
      transport.close();
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  return { acknowledged, failures };
}

interface InboundRow {
  id: number;
  status: string;
  reason: string | null;
  messageIdHeader: string | null;
  ticketId: number | null;
}

async function inbound(server: Server, cookie: string, mailboxId: number, status?: string) {
  const rows: InboundRow[] = [];
  let cursor: string | null = null;
  do {
    const query = `limit=100${status ? `&status=${status}` : ""}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const page = await api(server, cookie, `/api/v1/mailboxes/${mailboxId}/inbound?${query}`);
    rows.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return rows;
}

// Processing has settled when no stored mail waits any more. Nobody helps it along: mail the
// killed process had stored but not processed is still 'received', and the restarted process's
// start-up sweep takes it (docs/email.md, "Processing").
async function settle(server: Server, cookie: string, mailboxId: number) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const waiting = await inbound(server, cookie, mailboxId, "received");
    if (waiting.length === 0) return;
    if (Date.now() > deadline) assert.fail(`processing did not settle within 120 s:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function ticketsByKey(server: Server, cookie: string, marker: string) {
  const byKey = new Map<string, number[]>();
  let cursor: string | null = null;
  do {
    const query = `limit=100&sort=created_at${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const page = await api(server, cookie, `/api/v1/tickets?${query}`);
    for (const t of page.data as { id: number; subject: string }[]) {
      if (!t.subject.startsWith(`${marker} `)) continue;
      const key = t.subject.slice(marker.length + 1);
      byKey.set(key, [...(byKey.get(key) ?? []), t.id]);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return byKey;
}

test("every mail answered 250 before a kill -9 is one ticket after restart; redelivery adds none", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "parley-email-durability-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const marker = `mail-burst-${process.pid}-${Date.now().toString(36)}`;
  const address = `${marker}@help.example`;
  const preset = await prepareOnPostgres(address);

  let server = await startParley(dataDir);
  t.after(() => stopParley(server, "SIGKILL"));
  const cookie = preset?.cookie ?? (await signIn(server));
  const mailboxId =
    preset?.mailboxId ??
    (await api(server, cookie, "/api/v1/mailboxes", { name: "Support", address, settings: NO_RECEIPTS })).id;

  const keys = Array.from({ length: BURST }, (_, i) => `${marker}-${i}`);
  const body = (key: string) => mail(marker, key, Number(key.slice(marker.length + 1)), address);
  let killed = false;
  let killScheduled = false;
  const victim = server;
  const first = await blast(
    victim,
    keys,
    body,
    address,
    () => killed,
    (acks) => {
      if (killScheduled || acks < KILL_AFTER_ACKS) return;
      killScheduled = true;
      // A few milliseconds later, so the kill lands anywhere in the sessions in flight.
      setTimeout(
        () => {
          killed = true;
          victim.child.kill("SIGKILL");
        },
        Math.floor(Math.random() * 15),
      );
    },
  );
  await stopParley(victim, "SIGKILL");
  assert.deepEqual(first.failures, [], "no mail was refused before the kill");
  assert.ok(killed, "the burst was cut by the kill");
  assert.ok(first.acknowledged.size >= KILL_AFTER_ACKS && first.acknowledged.size < BURST);

  server = await startParley(dataDir);
  await settle(server, cookie, mailboxId);
  const stored = await inbound(server, cookie, mailboxId);
  const byHeader = new Map<string, InboundRow[]>();
  for (const row of stored)
    byHeader.set(row.messageIdHeader ?? "", [...(byHeader.get(row.messageIdHeader ?? "") ?? []), row]);
  const tickets = await ticketsByKey(server, cookie, marker);
  for (const key of first.acknowledged) {
    const rows = byHeader.get(`<${key}@customer.test>`) ?? [];
    assert.equal(rows.length, 1, `acknowledged ${key} is stored once`);
    assert.equal(rows[0].status, "processed", `${key}: ${rows[0].reason}`);
    assert.deepEqual(tickets.get(key), [rows[0].ticketId], `acknowledged ${key} is exactly one ticket`);
  }
  for (const [key, ids] of tickets) assert.equal(ids.length, 1, `${key} made ${ids.length} tickets`);
  assert.equal(tickets.size, stored.length, "one ticket per stored mail, none without one");
  t.diagnostic(
    `${first.acknowledged.size} acknowledged before the kill, ${stored.length - first.acknowledged.size} stored without an answer`,
  );

  // The redelivery comes the way a second route would bring it: with other Received and
  // DKIM-Signature headers in front. It is still the same mail (content-digest.ts).
  const relayed = (key: string) =>
    [
      `Received: from relay-2.customer.test (relay-2.customer.test [192.0.2.7]) by mx.help.example; ${new Date().toUTCString()}`,
      `DKIM-Signature: v=1; a=rsa-sha256; d=relay-2.customer.test; s=s1; b=${key.length.toString(16)}`,
      body(key),
    ].join("\r\n");
  const again = await blast(server, keys, relayed, address);
  assert.deepEqual(again.failures, []);
  assert.equal(again.acknowledged.size, BURST, "every redelivery is answered 250");
  await settle(server, cookie, mailboxId);
  const final = await ticketsByKey(server, cookie, marker);
  assert.deepEqual(
    keys.filter((key) => final.get(key)?.length !== 1),
    [],
    "every mail ends as exactly one ticket",
  );
  assert.equal(final.size, BURST);
  assert.equal((await inbound(server, cookie, mailboxId)).length, BURST);
  assert.deepEqual(await inbound(server, cookie, mailboxId, "failed"), []);
  await stopParley(server, "SIGTERM");
});
