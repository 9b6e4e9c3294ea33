import type { FastifyBaseLogger } from "fastify";
import { SecretBox } from "../auth/secret-box.ts";
import type { Config } from "../config.ts";
import type { Database$, Db } from "../db/connection.ts";
import { type FileStore, LocalFileStore } from "../files/store.ts";
import { type JobQueue, jobIdFor } from "../jobs/queue.ts";
import { type InboundJob, PROCESS_INBOUND } from "./accept.ts";
import { startImapPollers } from "./imap-poller.ts";
import { startOutbound } from "./outbound.ts";
import { type ProcessDeps, processInboundEmail } from "./process.ts";
import { startSmtpListener } from "./smtp-listener.ts";

export interface StartEmailOptions {
  database: Database$;
  queue: JobQueue;
  config: Config;
  log: FastifyBaseLogger;
  fileStore?: FileStore;
}

export interface RunningEmail {
  stop(): Promise<void>;
}

const WORKER_CONCURRENCY = 4;
// Fast-path runs in flight at once in this process. Mail past that waits its turn in memory, as
// ids only; past FAST_PATH_BACKLOG it is left to the job workers, so a huge burst queues in the
// database instead of in this process.
const FAST_PATH_LIMIT = 8;
const FAST_PATH_BACKLOG = 20_000;
const SWEEP_BATCH = 1000;

interface FastPathItem {
  db: Db;
  deps: ProcessDeps;
  workspaceId: number;
  inboundId: number;
}

// Runs of the fast path in flight, so that stopping waits for them rather than closing the
// database under them.
const fastPathRuns = new Set<Promise<void>>();
const fastPathBacklog: FastPathItem[] = [];

function runFastPath(item: FastPathItem) {
  const run: Promise<void> = processInboundEmail(item.db, item.deps, item.workspaceId, item.inboundId)
    .then(() => {})
    // A failure is already recorded on the row and logged; the job retries it.
    .catch(() => {})
    .finally(() => {
      fastPathRuns.delete(run);
      const next = fastPathBacklog.shift();
      if (next) runFastPath(next);
    });
  fastPathRuns.add(run);
}

// Called by whoever accepted a mail (SMTP listener, upload route, IMAP poller) right after the
// accept committed, so a ticket appears without waiting for a worker to poll. The queued job stays
// the durable path; both are idempotent, so running the mail twice does nothing twice.
export function processSoon(db: Db, deps: ProcessDeps, workspaceId: number, inboundId: number): void {
  const item = { db, deps, workspaceId, inboundId };
  if (fastPathRuns.size < FAST_PATH_LIMIT) runFastPath(item);
  else if (fastPathBacklog.length < FAST_PATH_BACKLOG) fastPathBacklog.push(item);
}

// Everything the email channel runs in the background: the inbound processing worker, and (added
// by their owners, one line each) the SMTP listener, the IMAP pollers and the outbound sender.
export async function startEmail(options: StartEmailOptions): Promise<RunningEmail> {
  const { database, queue, config, log } = options;
  const db = database.db;
  const deps: ProcessDeps = {
    fileStore: options.fileStore ?? new LocalFileStore(config.fileStoreDir),
    log,
  };
  // A mail that keeps failing stays 'failed', visible to admins, who can retry it by hand.
  await queue.declare(PROCESS_INBOUND, {
    // A job whose process died mid-run is retried after this, not pg-boss's default 15 minutes.
    expireInSeconds: 120,
    retryLimit: 5,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 600,
  });
  await queue.registerWorker<InboundJob>(
    PROCESS_INBOUND,
    async (job) => {
      await processInboundEmail(db, deps, job.workspaceId, job.inboundId);
    },
    { concurrency: WORKER_CONCURRENCY, batchSize: 10 },
  );
  const stoppers: (() => Promise<void>)[] = [];
  stoppers.push(
    await startOutbound({
      database,
      queue,
      config,
      log: log.child({ part: "outbound" }),
      fileStore: deps.fileStore,
    }),
  );
  const sweep = sweepReceived(db, queue, (ws, id) => processSoon(db, deps, ws, id)).catch((err) =>
    log.error({ err }, "could not queue inbound mail left unprocessed"),
  );
  stoppers.push(() => sweep.then(() => {}));
  const onAccepted = (a: { workspaceId: number; inboundId: number }) =>
    processSoon(db, deps, a.workspaceId, a.inboundId);
  const smtp = await startSmtpListener({
    db,
    queue,
    config: config.email,
    log: log.child({ part: "smtp" }),
    onAccepted,
  });
  if (smtp) stoppers.push(smtp.stop);
  // Pollers are background work: they run where job workers run (PARLEY_JOBS).
  if (config.jobs) {
    const imap = await startImapPollers({
      db,
      queue,
      box: SecretBox.fromConfig(config),
      log: log.child({ part: "imap" }),
      onAccepted,
    });
    stoppers.push(imap.stop);
  }
  return {
    // Listeners and pollers stop in reverse order of start; the queue (owned by main) stops after.
    async stop() {
      for (const stop of stoppers.reverse()) await stop();
      // Mail still waiting in memory has its job in the database: dropping the backlog loses nothing.
      fastPathBacklog.length = 0;
      await Promise.all([...fastPathRuns]);
    },
  };
}

// Mail stored while no job was queued for it (accepted by a process without a queue, or by an old
// version) would otherwise wait forever. The job id is the one accept uses, so a mail whose job is
// still waiting does not get a second one. Each is also handed to the fast path: a mail whose job
// died with the previous process would otherwise wait for that job to expire.
async function sweepReceived(
  db: Db,
  queue: JobQueue,
  soon: (workspaceId: number, inboundId: number) => void,
) {
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom("inbound_emails")
      .select(["workspace_id", "id"])
      .where("status", "=", "received")
      .where("id", ">", after)
      .orderBy("id")
      .limit(SWEEP_BATCH)
      .execute();
    for (const row of rows) {
      const job: InboundJob = { workspaceId: row.workspace_id, inboundId: row.id };
      await queue.enqueue(db, PROCESS_INBOUND, job, {
        id: jobIdFor(`inbound:${row.workspace_id}:${row.id}`),
      });
      soon(row.workspace_id, row.id);
    }
    if (rows.length < SWEEP_BATCH) return;
    after = rows[rows.length - 1].id;
  }
}
