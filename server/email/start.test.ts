import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { loadConfig } from "../config.ts";
import { type Database$, openDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { LocalFileStore } from "../files/store.ts";
import { JobQueue } from "../jobs/queue.ts";
import { mailboxAddress, rawMail } from "../test/mail.ts";
import { ownDatabaseUrl } from "../test/own-database.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { acceptInboundEmail } from "./accept.ts";
import { InboundPipeline } from "./inbound-pipeline.ts";
import { MailboxDirectory } from "./mailbox-directory.ts";
import { MAX_ATTEMPTS } from "./process.ts";
import { type RunningEmail, startEmail } from "./start.ts";

// The email channel as main.ts runs it, no HTTP: stored mail is the queue, processed at once by
// the process that stored it and otherwise by the sweep.
const storeDir = mkdtempSync(join(tmpdir(), "parley-email-start-"));
const log = pino({ level: "silent" });
let database: Database$;
let queue: JobQueue;
let email: RunningEmail;
let workspaceId: number;
let mailboxId: number;
let address: string;
let leftBehind: number;

// The sweep takes waiting mail of every workspace: on PostgreSQL, a database of this file's own.
let own: Awaited<ReturnType<typeof ownDatabaseUrl>> = null;

before(async () => {
  own = await ownDatabaseUrl("email_start");
  database = await openDatabase({ databaseUrl: own?.url ?? null, dataDir: null, poolSize: 5 });
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
  // Stored while nothing was running.
  leftBehind = (await store("Sent while Parley was down")).id;
  const config = loadConfig({ DATABASE_URL: own?.url, PARLEY_FILE_STORE_DIR: storeDir });
  queue = await JobQueue.start({ database, log, runWorkers: true, pollingIntervalSeconds: 0.5 });
  email = await startEmail({
    database,
    queue,
    config,
    log,
    fileStore: new LocalFileStore(storeDir),
    inbound: { sweepIntervalMs: 200, sweepGraceMs: 0 },
  });
});

after(async () => {
  await email.stop();
  await queue.stop(2000);
  await database.close();
  await own?.drop();
  rmSync(storeDir, { recursive: true, force: true });
});

function store(
  subject: string,
  extra: Parameters<typeof rawMail>[0] extends infer M ? Partial<M> : never = {},
) {
  const raw = rawMail({ from: "robin@customer.test", to: address, subject, ...extra });
  return acceptInboundEmail(database.db, { workspaceId, mailboxId, source: "upload", raw }).then((a) => ({
    ...a,
    raw,
  }));
}

async function row(id: number) {
  return database.db
    .selectFrom("inbound_emails")
    .select(["status", "ticket_id", "attempts", "retry_at", "reason"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

async function settled(id: number, from: string[] = ["received"]) {
  for (;;) {
    const current = await row(id);
    if (!from.includes(current.status)) return current;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function subjectOf(ticketId: number) {
  const ticket = await database.db
    .selectFrom("tickets")
    .select("subject")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", ticketId)
    .executeTakeFirstOrThrow();
  return ticket.subject;
}

test("a mail handed over after it was stored becomes a ticket", async () => {
  const stored = await store("Through the fast path");
  email.processSoon({ workspaceId, inboundId: stored.id, mailboxId, raw: stored.raw });
  const done = await settled(stored.id);
  assert.equal(done.status, "processed");
  assert.equal(await subjectOf(done.ticket_id!), "Through the fast path");
});

test("mail left in 'received' from before start-up is processed", async () => {
  const done = await settled(leftBehind);
  assert.equal(done.status, "processed");
  assert.ok(done.ticket_id);
});

test("two instances sweeping the same stored mail make one ticket of each", async () => {
  // Another instance on the same database: its sweep and ours race for the same rows.
  const other = new InboundPipeline({
    db: database.db,
    deps: { fileStore: new LocalFileStore(storeDir), mailboxes: new MailboxDirectory(database.db) },
    log,
    concurrency: 2,
    batchSize: 3,
    sweepIntervalMs: 50,
    sweepGraceMs: 0,
  });
  other.start();
  try {
    const ids = [];
    for (let i = 0; i < 30; i++) ids.push((await store(`Swept ${i}`)).id);
    const rows = await Promise.all(ids.map((id) => settled(id)));
    assert.deepEqual(
      rows.map((r) => r.status),
      ids.map(() => "processed"),
    );
    assert.equal(new Set(rows.map((r) => r.ticket_id)).size, 30);
    const tickets = await database.db
      .selectFrom("tickets")
      .select("subject")
      .where("workspace_id", "=", workspaceId)
      .where("subject", "like", "Swept %")
      .execute();
    assert.equal(tickets.length, 30);
  } finally {
    await other.stop();
  }
});

test("a failed mail is retried by the sweep when its pause is over, up to the last attempt", async () => {
  const attachments = [{ filename: "log.txt", contentType: "text/plain", content: Buffer.from("jam") }];
  // The file store is unusable (its directory is a file), so a mail with an attachment fails.
  rmSync(storeDir, { recursive: true, force: true });
  writeFileSync(storeDir, "not a directory");
  let stored: Awaited<ReturnType<typeof store>>;
  let failed: Awaited<ReturnType<typeof row>>;
  try {
    stored = await store("Fails once", { attachments });
    email.processSoon({ workspaceId, inboundId: stored.id, mailboxId, raw: stored.raw });
    failed = await settled(stored.id);
  } finally {
    rmSync(storeDir, { force: true });
    mkdirSync(storeDir);
  }
  assert.equal(failed.status, "failed");
  assert.equal(failed.attempts, 1);
  const pause = failed.retry_at!.getTime() - Date.now();
  assert.ok(pause > 1000 && pause <= 5000, `first retry in ${pause} ms`);

  // Out of attempts: left for an admin, whatever retry_at says.
  await database.db
    .updateTable("inbound_emails")
    .set({ attempts: MAX_ATTEMPTS, retry_at: new Date(Date.now() - 1000) })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", stored.id)
    .execute();
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal((await row(stored.id)).status, "failed");

  // Due, with attempts left: the sweep takes it, and the store works again.
  await database.db
    .updateTable("inbound_emails")
    .set({ attempts: 1 })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", stored.id)
    .execute();
  const done = await settled(stored.id, ["failed"]);
  assert.equal(done.status, "processed");
  assert.equal(done.retry_at, null);
  assert.equal(await subjectOf(done.ticket_id!), "Fails once");
});
