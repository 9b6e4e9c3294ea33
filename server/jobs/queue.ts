import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { CompiledQuery } from "kysely";
import { type Db as BossDb, fromPglite, type Job, PgBoss, type Queue } from "pg-boss";
import type { Database$, Db } from "../db/connection.ts";
import type { Metrics } from "../http/metrics.ts";

// Retry policy of a queue; every job sent to it inherits it.
export type QueueDefinition = Pick<
  Queue,
  "retryLimit" | "retryDelay" | "retryBackoff" | "retryDelayMax" | "expireInSeconds" | "deleteAfterSeconds"
>;

export interface EnqueueOptions {
  // A job id derived from what caused the job makes the enqueue idempotent: a second enqueue with
  // the same id (a retried request, two instances reacting to one event) is ignored.
  id?: string;
  startAfter?: Date | number;
  priority?: number;
}

export interface JobContext {
  id: string;
  queue: string;
  retryCount: number;
  signal: AbortSignal;
}

export type JobHandler<T> = (data: T, job: JobContext) => Promise<void>;

export interface JobQueueOptions {
  database: Database$;
  log: FastifyBaseLogger;
  metrics?: Metrics;
  // PARLEY_JOBS: whether this instance runs workers. Every instance can enqueue.
  runWorkers: boolean;
  pollingIntervalSeconds?: number;
}

const DEFAULT_RETRIES: QueueDefinition = {
  retryLimit: 5,
  retryDelay: 5,
  retryBackoff: true,
  retryDelayMax: 600,
};

// pg-boss statements issued while an enqueue runs inside a Kysely transaction. On PGlite that
// transaction holds the only connection; a statement that waited for the lock would wait forever.
const enqueueTransaction = new AsyncLocalStorage<Db>();

// Runs pg-boss statements on a Kysely connection or transaction, so a job insert commits or rolls
// back with the caller's change.
function onKysely(trx: Db): BossDb {
  return {
    async executeSql(text, values) {
      const result = await trx.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: [...result.rows] };
    },
  };
}

// pg-boss on PGlite: its own adapter (multi-statement text through exec, rows of every statement),
// with every statement taken under the connection lock so it never lands inside someone's
// transaction. No `listen`: workers poll, which is cheap in-process.
function pgliteAdapter(database: Database$): BossDb {
  const inner = fromPglite(database.pglite!);
  const lock = database.lock!;
  return {
    async executeSql(text, values) {
      const trx = enqueueTransaction.getStore();
      if (trx) return onKysely(trx).executeSql(text, values);
      return lock.run(() => inner.executeSql(text, values));
    },
  };
}

export class JobQueue {
  readonly #boss: PgBoss;
  readonly #options: JobQueueOptions;
  readonly #declared = new Set<string>();
  #stopping: Promise<void> | null = null;

  private constructor(boss: PgBoss, options: JobQueueOptions) {
    this.#boss = boss;
    this.#options = options;
  }

  static async start(options: JobQueueOptions): Promise<JobQueue> {
    const { database, runWorkers } = options;
    const boss =
      database.kind === "pglite"
        ? new PgBoss({ db: pgliteAdapter(database), backend: "pglite", ...roles(runWorkers) })
        : new PgBoss({ connectionString: database.connectionString!, max: 4, ...roles(runWorkers) });
    boss.on("error", (err) => options.log.error({ err }, "job queue error"));
    await boss.start();
    return new JobQueue(boss, options);
  }

  // Creates the queue if it does not exist yet (idempotent), and loads it into pg-boss's cache,
  // which enqueue relies on so that it never has to look the queue up mid-transaction.
  async declare(name: string, definition: QueueDefinition = {}) {
    const options = { ...DEFAULT_RETRIES, ...definition };
    // pg-boss refuses a backoff cap on a fixed delay.
    if (!options.retryBackoff) delete options.retryDelayMax;
    await this.#boss.createQueue(name, options);
    this.#declared.add(name);
  }

  // Inserts the job through `trx`: inside a transaction it exists only if the transaction commits.
  async enqueue(trx: Db, name: string, data: object, options: EnqueueOptions = {}): Promise<string | null> {
    if (!this.#declared.has(name)) throw new Error(`job queue "${name}" was not declared`);
    return enqueueTransaction.run(trx, () =>
      // pg-boss checks each option given, undefined included: pass only those set.
      this.#boss.send(name, data, { ...definedOnly(options), db: onKysely(trx) }),
    );
  }

  // A handler that throws fails the attempt; pg-boss retries it with the queue's backoff until
  // retryLimit, then marks it failed. Handlers must be idempotent: an attempt can be cut short
  // (expiry, crash) after its work committed. Does nothing when this instance runs no workers.
  async registerWorker<T extends object>(
    name: string,
    handler: JobHandler<T>,
    options: { concurrency?: number; batchSize?: number } = {},
  ) {
    if (!this.#declared.has(name)) throw new Error(`job queue "${name}" was not declared`);
    if (!this.#options.runWorkers) return;
    const { metrics, log } = this.#options;
    await this.#boss.work<T>(
      name,
      {
        localConcurrency: options.concurrency ?? 1,
        pollingIntervalSeconds: this.#options.pollingIntervalSeconds ?? 2,
        // With batches, a worker that keeps getting full ones fetches again at once instead of
        // waiting out the poll: a backlog of thousands drains in seconds, not at a job per poll.
        // A failure fails the whole batch; handlers are idempotent, so the rest simply run again.
        ...(options.batchSize && options.batchSize > 1
          ? { batchSize: options.batchSize, burstWhenBatchFull: true }
          : {}),
      },
      async (jobs: Job<T>[]) => {
        for (const job of jobs) {
          const context = { id: job.id, queue: name, retryCount: job.retryCount, signal: job.signal };
          try {
            await handler(job.data, context);
            metrics?.jobsProcessed.inc({ queue: name });
          } catch (err) {
            metrics?.jobsFailed.inc({ queue: name });
            log.warn({ err, queue: name, jobId: job.id, retryCount: job.retryCount }, "job failed");
            throw err;
          }
        }
      },
    );
  }

  // Sends a job to `name` on a cron schedule (UTC): one job per occurrence across all instances,
  // sent by whichever instance runs the schedule pass (those with workers). Idempotent.
  async schedule(name: string, cron: string) {
    if (!this.#declared.has(name)) throw new Error(`job queue "${name}" was not declared`);
    if (!this.#options.runWorkers) return;
    await this.#boss.schedule(name, cron);
  }

  // For operators and tests: where a job is (created, retry, active, completed, failed) and how
  // many times it was retried.
  async jobState(name: string, id: string) {
    const [job] = await this.#boss.findJobs(name, { id });
    return job ? { state: job.state, retryCount: job.retryCount } : null;
  }

  // Stops fetching, lets the jobs in hand finish (up to timeoutMs; after that they are failed and
  // retried elsewhere), then stops maintenance. The database stays open: its owner closes it.
  stop(timeoutMs = 10_000): Promise<void> {
    this.#stopping ??= this.#boss.stop({ graceful: true, timeout: timeoutMs, close: true });
    return this.#stopping;
  }
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// A job id (pg-boss ids are UUIDs) derived from what caused the job, for idempotent enqueues.
export function jobIdFor(key: string) {
  const h = createHash("sha256").update(key).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// Supervision and cron monitoring run where workers run; other instances only insert jobs.
function roles(runWorkers: boolean) {
  return { supervise: runWorkers, schedule: runWorkers, migrate: true, registerInstance: runWorkers };
}
