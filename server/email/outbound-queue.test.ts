import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pino } from "pino";
import PostalMime from "postal-mime";
import { loadConfig } from "../config.ts";
import { type Database$, openDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { buildApp } from "../http/app.ts";
import { JobQueue } from "../jobs/queue.ts";
import { buildWorkspace, type TestContext } from "../test/harness.ts";
import { deliveryShown, emailTicket, outboundRows } from "../test/outbound-fixtures.ts";
import { ownDatabaseUrl } from "../test/own-database.ts";
import { type SinkMta, startSinkMta } from "../test/sink-mta.ts";
import { startOutbound, sweepUnsent } from "./outbound.ts";
import { outboundJobId, SEND_OUTBOUND } from "./outbox.ts";

// The outbound path as it runs in production: a reply posted over HTTP enqueues its send job in
// the reply's transaction, and pg-boss workers deliver it to the test sink MTA.

const storeDir = mkdtempSync(join(tmpdir(), "parley-outbound-queue-"));
let ctx: TestContext;
let database: Database$;
let queue: JobQueue;
let stopOutbound: () => Promise<void>;
const sinks: SinkMta[] = [];

let ownDatabase: Awaited<ReturnType<typeof ownDatabaseUrl>> = null;

before(async () => {
  // The sweeper and workers act on the whole installation: on PostgreSQL they get a database of
  // their own, or they would spend the test retrying mail other test files left queued.
  ownDatabase = await ownDatabaseUrl("outbound_queue");
  const config = loadConfig({
    DATABASE_URL: ownDatabase?.url ?? process.env.DATABASE_URL,
    PARLEY_FILE_STORE_DIR: storeDir,
  });
  database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: null, poolSize: 5 });
  await migrateToLatest(database.db);
  const log = pino({ level: "silent" });
  queue = await JobQueue.start({ database, log, runWorkers: true, pollingIntervalSeconds: 0.5 });
  const app = await buildApp({ database, config, queue });
  await app.ready();
  ctx = { app, database };
  // Retries a second apart, so the test sees one without waiting minutes.
  stopOutbound = await startOutbound({
    database,
    queue,
    config,
    log,
    retry: { retryLimit: 3, retryDelay: 1, retryBackoff: false },
  });
});

after(async () => {
  await stopOutbound();
  await ctx.app.close();
  await queue.stop(2000);
  await database.close();
  await ownDatabase?.drop();
  await Promise.all(sinks.map((s) => s.close()));
  rmSync(storeDir, { recursive: true, force: true });
});

async function sink(dataReplies: number[] = []) {
  const s = await startSinkMta({ dataReplies });
  sinks.push(s);
  return s;
}

// The sweeper sends whatever any earlier test left unsent in a shared database, so each test counts
// only the mail of its own workspace (by the loop header every outbound mail carries).
const ownMail = (mta: SinkMta, workspaceId: number, all = false) =>
  (all ? mta.offered : mta.accepted()).filter((d) =>
    `\r\n${d.raw.toString("latin1")}`.includes(`\r\nX-Parley-Loop: ${workspaceId}\r\n`),
  );

// Waits for something the workers do in the background; gives up (failing the test) after 30 s.
async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

test("a reply posted over HTTP is sent by the job queue, and a 451 is retried by it", async () => {
  const mta = await sink([451]);
  const ws = await buildWorkspace(ctx);
  const { ticket } = await emailTicket(ws, mta);
  const posted = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "On it." });
  assert.equal(posted.statusCode, 201, posted.body);
  const messageId = posted.json().message.id;

  const delivery = await eventually("the mail to be sent", async () => {
    const d = await deliveryShown(ws, ticket.id, messageId);
    return d?.status === "sent" ? d : null;
  });
  assert.equal(delivery.attempts, 2);
  assert.equal(ownMail(mta, ws.id, true).length, 2);
  assert.equal(ownMail(mta, ws.id).length, 1);
  const [row] = await outboundRows(ws);
  const ids = await Promise.all(
    ownMail(mta, ws.id, true).map(async (d) => (await PostalMime.parse(d.raw)).messageId),
  );
  assert.deepEqual(ids, [row.message_id_header, row.message_id_header]);
  const job = await queue.jobState(SEND_OUTBOUND, outboundJobId(ws.id, row.id));
  assert.deepEqual(job, { state: "completed", retryCount: 1 });
});

// Last: it detaches the queue from the outbox, as a stopping instance does.
test("a mail queued while no queue was attached is sent by the sweeper, once", async () => {
  await stopOutbound();
  const mta = await sink();
  const ws = await buildWorkspace(ctx);
  const { ticket } = await emailTicket(ws, mta);
  const posted = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Later." });
  const [row] = await outboundRows(ws);
  assert.equal(await queue.jobState(SEND_OUTBOUND, outboundJobId(ws.id, row.id)), null);

  // A minute on, the sweep finds it; a second sweep finds its job already there.
  const later = new Date(Date.now() + 90_000);
  assert.ok((await sweepUnsent(database.db, queue, later)) >= 1);
  await eventually("the swept mail to be sent", async () => ownMail(mta, ws.id).length === 1);
  await sweepUnsent(database.db, queue, later);
  const delivery = await eventually("the row to say sent", async () => {
    const d = await deliveryShown(ws, ticket.id, posted.json().message.id);
    return d?.status === "sent" ? d : null;
  });
  assert.equal(delivery.attempts, 1);
  assert.equal(ownMail(mta, ws.id).length, 1);
});
