import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { loadConfig } from "../config.ts";
import { type Database$, openDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { JobQueue } from "../jobs/queue.ts";
import { mailboxAddress, rawMail } from "../test/mail.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { acceptInboundEmail } from "./accept.ts";
import { type RunningEmail, startEmail } from "./start.ts";

// The email channel as main.ts runs it: a real job queue with workers, no HTTP.
const storeDir = mkdtempSync(join(tmpdir(), "parley-email-start-"));
let database: Database$;
let queue: JobQueue;
let email: RunningEmail;
let workspaceId: number;
let mailboxId: number;
let address: string;
let leftBehind: number;

before(async () => {
  database = await openDatabase({
    databaseUrl: process.env.DATABASE_URL ?? null,
    dataDir: null,
    poolSize: 5,
  });
  await migrateToLatest(database.db);
  const ws = await createWorkspace(database.db, `Start ${process.pid} ${Date.now()}`);
  workspaceId = ws.id;
  address = mailboxAddress();
  const mailbox = await database.db
    .insertInto("mailboxes")
    .values({ workspace_id: workspaceId, name: "Support", address, inbound: "upload", settings: "{}" })
    .returning("id")
    .executeTakeFirstOrThrow();
  mailboxId = mailbox.id;
  // Stored while nothing was running and no job was queued for it.
  leftBehind = (
    await acceptInboundEmail(database.db, null, {
      workspaceId,
      mailboxId,
      source: "upload",
      raw: rawMail({ from: "early@customer.test", to: address, subject: "Sent while Parley was down" }),
    })
  ).id;
  const log = pino({ level: "silent" });
  const config = loadConfig({ DATABASE_URL: process.env.DATABASE_URL, PARLEY_FILE_STORE_DIR: storeDir });
  queue = await JobQueue.start({ database, log, runWorkers: true, pollingIntervalSeconds: 0.5 });
  email = await startEmail({ database, queue, config, log });
});

after(async () => {
  await email.stop();
  await queue.stop(2000);
  await database.close();
  rmSync(storeDir, { recursive: true, force: true });
});

async function settledStatus(id: number) {
  for (;;) {
    const row = await database.db
      .selectFrom("inbound_emails")
      .select(["status", "ticket_id"])
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    if (row.status !== "received") return row;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("a mail accepted with the queue is processed by the job worker", async () => {
  const accepted = await acceptInboundEmail(database.db, queue, {
    workspaceId,
    mailboxId,
    source: "upload",
    raw: rawMail({ from: "robin@customer.test", to: address, subject: "Through the queue" }),
  });
  const row = await settledStatus(accepted.id);
  assert.equal(row.status, "processed");
  const ticket = await database.db
    .selectFrom("tickets")
    .select("subject")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", row.ticket_id!)
    .executeTakeFirstOrThrow();
  assert.equal(ticket.subject, "Through the queue");
});

test("mail left in 'received' from before start-up is queued and processed", async () => {
  const row = await settledStatus(leftBehind);
  assert.equal(row.status, "processed");
  assert.ok(row.ticket_id);
});
