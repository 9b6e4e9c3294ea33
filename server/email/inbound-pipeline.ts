import type { FastifyBaseLogger } from "fastify";
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { type InboundItem, MAX_ATTEMPTS, type ProcessDeps, processInboundBatch } from "./process.ts";

// How stored mail becomes tickets. The stored row is the queue: a row 'received' (or 'failed'
// and due for a retry) is work to do, so storing a mail is one INSERT and nothing else, and no
// mail can be stored without its work being recorded with it.
//
// - The fast path: whoever stored a mail in this process (SMTP listener, IMAP poller, upload
//   route) hands it over right after the commit, bytes and all, and it is processed within
//   milliseconds. Mail that arrives while batches are running waits in memory and goes into the
//   next batch, so a burst is processed many mails to a transaction.
// - The sweep: at start and every few seconds, rows still waiting are taken from the database,
//   with FOR UPDATE SKIP LOCKED, so several instances share the work without taking the same
//   mail twice: mail accepted by a process that died, mail past the memory backlog, mail
//   accepted by another instance that has not got to it, and failed mail whose retry is due.

export interface InboundPipelineOptions {
  db: Db;
  deps: ProcessDeps;
  log: FastifyBaseLogger;
  // Batches in flight at once: PGlite has a single connection, so 1 there.
  concurrency: number;
  // How long mail that finds nothing running waits for more to share its batch. On PGlite, where
  // every statement runs on the one thread that also speaks SMTP, a batch of one costs a whole
  // batch's statements; a few milliseconds of latency buy many mails per batch.
  gatherMs?: number;
  batchSize?: number;
  sweepIntervalMs?: number;
  // A fresh row is left this long to the fast path of the instance that stored it.
  sweepGraceMs?: number;
}

const BATCH_SIZE = 20;
// Past these, mail is left in the database for the sweep instead of waiting in memory.
const MAX_BACKLOG = 20_000;
const MAX_BACKLOG_BYTES = 64 * 1024 * 1024;
const SWEEP_PAGE = 200;

const keyOf = (item: InboundItem) => `${item.workspaceId}:${item.inboundId}`;

export class InboundPipeline {
  readonly #options: InboundPipelineOptions;
  readonly #batchSize: number;
  readonly #backlog: InboundItem[] = [];
  // Mail waiting in memory or being processed here, which the sweep must not take as well.
  readonly #held = new Set<string>();
  readonly #runs = new Set<Promise<void>>();
  #bytes = 0;
  #stopped = false;
  #sweeping: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #scheduled: NodeJS.Timeout | NodeJS.Immediate | null = null;

  constructor(options: InboundPipelineOptions) {
    this.#options = options;
    this.#batchSize = options.batchSize ?? BATCH_SIZE;
  }

  // Starts the sweep: once now, for mail left from before start-up, then every few seconds.
  start() {
    this.sweep({ grace: false });
    this.#timer = setInterval(() => this.sweep({ grace: true }), this.#options.sweepIntervalMs ?? 5_000);
    this.#timer.unref();
  }

  // Called after the commit that stored the mail. Losing this call loses nothing: the row waits
  // for the sweep.
  soon(item: InboundItem) {
    const key = keyOf(item);
    if (this.#stopped || this.#held.has(key) || this.#backlog.length >= MAX_BACKLOG) return;
    let held = item;
    if (item.raw && this.#bytes + item.raw.length > MAX_BACKLOG_BYTES) {
      // Over the memory budget: keep the id only; the bytes are read back with the row.
      held = { workspaceId: item.workspaceId, inboundId: item.inboundId };
    }
    this.#bytes += held.raw?.length ?? 0;
    this.#held.add(key);
    this.#backlog.push(held);
    this.#schedule();
  }

  // The next batch starts on a later turn of the event loop, so that the other mails stored by
  // the same commit (and any other that arrives meanwhile) share it; with gatherMs, and nothing
  // running, a little later still.
  #schedule() {
    if (this.#scheduled || this.#stopped) return;
    const gatherMs = this.#options.gatherMs ?? 0;
    const start = () => {
      this.#scheduled = null;
      this.#pump();
    };
    if (gatherMs > 0 && this.#runs.size === 0 && this.#backlog.length < this.#batchSize) {
      this.#scheduled = setTimeout(start, gatherMs);
    } else this.#scheduled = setImmediate(start);
  }

  #pump() {
    while (!this.#stopped && this.#runs.size < this.#options.concurrency && this.#backlog.length > 0) {
      const batch = this.#backlog.splice(0, this.#batchSize);
      for (const item of batch) this.#bytes -= item.raw?.length ?? 0;
      const run: Promise<void> = this.#process(batch).finally(() => {
        this.#runs.delete(run);
        for (const item of batch) this.#held.delete(keyOf(item));
        this.#pump();
      });
      this.#runs.add(run);
    }
  }

  async #process(batch: InboundItem[]) {
    const { db, deps, log } = this.#options;
    // Failures are recorded on their rows (and logged) by processing; the sweep retries them.
    await processInboundBatch(db, deps, batch, { skipLocked: true }).catch((err) =>
      log.error({ err }, "inbound batch failed"),
    );
  }

  // Takes waiting rows from the database, oldest first, in batches. `grace`: rows stored in the
  // last sweepGraceMs are left to the fast path that is about to process them.
  sweep(options: { grace: boolean }): Promise<void> {
    this.#sweeping ??= this.#sweepAll(options.grace)
      .catch((err) => this.#options.log.error({ err }, "inbound sweep failed"))
      .finally(() => {
        this.#sweeping = null;
      });
    return this.#sweeping;
  }

  async #sweepAll(grace: boolean) {
    const { db, deps } = this.#options;
    const graceMs = grace ? (this.#options.sweepGraceMs ?? 10_000) : 0;
    let after = 0;
    while (!this.#stopped) {
      const rows = await db
        .selectFrom("inbound_emails")
        .select(["workspace_id", "id"])
        .where((eb) =>
          eb.or([
            eb.and([
              eb("status", "=", "received"),
              eb("received_at", "<=", sql<Date>`now() - ${graceMs} * interval '1 millisecond'`),
            ]),
            eb.and([
              eb("status", "=", "failed"),
              eb("attempts", "<", MAX_ATTEMPTS),
              eb("retry_at", "<=", sql<Date>`now()`),
            ]),
          ]),
        )
        .where("id", ">", after)
        .orderBy("id")
        .limit(SWEEP_PAGE)
        .execute();
      const items = rows
        .map((r) => ({ workspaceId: r.workspace_id, inboundId: r.id }))
        .filter((item) => !this.#held.has(keyOf(item)));
      for (let i = 0; i < items.length && !this.#stopped; i += this.#batchSize) {
        const batch = items.slice(i, i + this.#batchSize);
        for (const item of batch) this.#held.add(keyOf(item));
        try {
          await processInboundBatch(db, deps, batch, { skipLocked: true });
        } finally {
          for (const item of batch) this.#held.delete(keyOf(item));
        }
      }
      if (rows.length < SWEEP_PAGE) return;
      after = rows[rows.length - 1].id;
    }
  }

  // Stops taking work and waits for the batches in hand. Mail still waiting in memory stays
  // 'received' in the database: the next start's sweep (or another instance's) takes it.
  async stop() {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#scheduled) {
      clearTimeout(this.#scheduled as NodeJS.Timeout);
      clearImmediate(this.#scheduled as NodeJS.Immediate);
    }
    this.#backlog.length = 0;
    this.#bytes = 0;
    await Promise.all([...this.#runs, this.#sweeping]);
  }
}
