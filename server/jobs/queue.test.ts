import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { type Database$, inTransaction, openDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { createMetrics } from "../http/metrics.ts";
import { JobQueue, jobIdFor } from "./queue.ts";

let database: Database$;
let queue: JobQueue;
const metrics = createMetrics();
const log = pino({ level: "silent" });

before(async () => {
  database = await openDatabase({
    databaseUrl: process.env.DATABASE_URL ?? null,
    dataDir: null,
    poolSize: 5,
  });
  await migrateToLatest(database.db);
  queue = await JobQueue.start({ database, log, metrics, runWorkers: true, pollingIntervalSeconds: 0.5 });
});

after(async () => {
  await queue.stop(2000);
  await database.close();
});

// Each test uses its own queue, named uniquely so reruns on one PostgreSQL database start clean.
const queueName = (what: string) => `test.${what}.${process.pid}.${Date.now().toString(36)}`;

function recorder() {
  const runs: string[] = [];
  const waiters = new Map<string, () => void>();
  return {
    runs,
    handler: async (data: { tag: string }) => {
      runs.push(data.tag);
      waiters.get(data.tag)?.();
    },
    ran: (tag: string) =>
      runs.includes(tag) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(tag, resolve)),
  };
}

async function settled(name: string, id: string) {
  for (;;) {
    const job = await queue.jobState(name, id);
    if (job && (job.state === "completed" || job.state === "failed")) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("a job enqueued in a transaction that rolls back never exists; a committed one runs once", async () => {
  const name = queueName("tx");
  await queue.declare(name);
  const r = recorder();
  await queue.registerWorker(name, r.handler);

  let rolledBackId: string | null = null;
  await assert.rejects(
    inTransaction(database.db, async (trx) => {
      rolledBackId = await queue.enqueue(trx, name, { tag: "rolled back" });
      throw new Error("change refused");
    }),
    /change refused/,
  );
  assert.ok(rolledBackId);
  assert.equal(await queue.jobState(name, rolledBackId), null);

  const committedId = await inTransaction(database.db, (trx) =>
    queue.enqueue(trx, name, { tag: "committed" }),
  );
  assert.ok(committedId);
  await r.ran("committed");
  assert.deepEqual(await settled(name, committedId), { state: "completed", retryCount: 0 });
  assert.deepEqual(r.runs, ["committed"]);
});

test("enqueueing the same job id twice keeps one job", async () => {
  const name = queueName("dedupe");
  await queue.declare(name);
  const id = jobIdFor(`${name}:event:1`);
  assert.equal(await queue.enqueue(database.db, name, { tag: "first" }, { id }), id);
  assert.equal(await queue.enqueue(database.db, name, { tag: "second" }, { id }), null);
});

test("a failing handler is retried until it succeeds, and failures are counted", async () => {
  const name = queueName("retry");
  await queue.declare(name, { retryLimit: 3, retryDelay: 1, retryBackoff: false });
  let attempts = 0;
  await queue.registerWorker(name, async () => {
    attempts += 1;
    if (attempts < 3) throw new Error(`attempt ${attempts} failed`);
  });
  const id = await queue.enqueue(database.db, name, { tag: "flaky" });
  assert.deepEqual(await settled(name, id!), { state: "completed", retryCount: 2 });
  assert.equal(attempts, 3);
  const text = await metrics.registry.metrics();
  assert.match(text, new RegExp(`parley_jobs_failed_total\\{queue="${name.replaceAll(".", "\\.")}"\\} 2`));
  assert.match(text, new RegExp(`parley_jobs_processed_total\\{queue="${name.replaceAll(".", "\\.")}"\\} 1`));
});

test("a handler that always fails ends failed after its retries", async () => {
  const name = queueName("doomed");
  await queue.declare(name, { retryLimit: 1, retryDelay: 1, retryBackoff: false });
  let attempts = 0;
  await queue.registerWorker(name, async () => {
    attempts += 1;
    throw new Error("always");
  });
  const id = await queue.enqueue(database.db, name, { tag: "doomed" });
  assert.deepEqual(await settled(name, id!), { state: "failed", retryCount: 1 });
  assert.equal(attempts, 2);
});

test("an undeclared queue is refused before anything is written", async () => {
  await assert.rejects(queue.enqueue(database.db, "test.never-declared", {}), /was not declared/);
});

test("stopping lets the job in hand finish; an instance without workers only enqueues", async () => {
  const second = await JobQueue.start({ database, log, runWorkers: true, pollingIntervalSeconds: 0.5 });
  const name = queueName("graceful");
  await second.declare(name);
  let release!: () => void;
  let started!: () => void;
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  let finished = false;
  await second.registerWorker(name, async () => {
    started();
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    finished = true;
  });
  const id = await second.enqueue(database.db, name, { tag: "slow" });
  await running;
  const stopped = second.stop(10_000);
  release();
  await stopped;
  assert.equal(finished, true);
  assert.equal((await queue.jobState(name, id!))?.state, "completed");

  const enqueueOnly = await JobQueue.start({ database, log, runWorkers: false });
  await enqueueOnly.declare(name);
  let ran = false;
  await enqueueOnly.registerWorker(name, async () => {
    ran = true;
  });
  const queued = await enqueueOnly.enqueue(database.db, name, { tag: "later" });
  assert.equal((await queue.jobState(name, queued!))?.state, "created");
  assert.equal(ran, false);
  await enqueueOnly.stop();
});
