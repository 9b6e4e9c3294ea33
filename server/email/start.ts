import type { FastifyBaseLogger } from "fastify";
import { SecretBox } from "../auth/secret-box.ts";
import type { Config } from "../config.ts";
import type { Database$ } from "../db/connection.ts";
import { withPreparedStatements } from "../db/prepared-statements.ts";
import { type FileStore, LocalFileStore } from "../files/store.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { startImapPollers } from "./imap-poller.ts";
import { InboundPipeline, type InboundPipelineOptions } from "./inbound-pipeline.ts";
import { MailboxDirectory } from "./mailbox-directory.ts";
import { startOutbound } from "./outbound.ts";
import { bindOutbox } from "./outbox-settings.ts";
import type { InboundItem, ProcessDeps } from "./process.ts";
import { startSmtpListener } from "./smtp-listener.ts";

export interface StartEmailOptions {
  database: Database$;
  queue: JobQueue;
  config: Config;
  log: FastifyBaseLogger;
  fileStore?: FileStore;
  // Tests shorten the sweep's timings.
  inbound?: Pick<InboundPipelineOptions, "sweepIntervalMs" | "sweepGraceMs">;
}

export interface RunningEmail {
  // Hands a freshly stored mail to processing (the upload route uses it).
  processSoon(item: InboundItem): void;
  stop(): Promise<void>;
}

// Everything the email channel runs in the background: inbound processing (the fast path and the
// sweep, inbound-pipeline.ts), the outbound sender, the SMTP listener and the IMAP pollers.
export async function startEmail(options: StartEmailOptions): Promise<RunningEmail> {
  const { database, queue, config, log } = options;
  // Storing and processing mail run the same few statements thousands of times: prepared once
  // per connection, PostgreSQL stops parsing and planning them on every mail.
  const db = withPreparedStatements(database);
  // Tickets made from mail may queue a receipt through this handle.
  const unbind = bindOutbox(db, {
    messageIdDomain: config.email.messageIdDomain,
    publicUrl: config.publicUrl,
    queue,
  });
  const deps: ProcessDeps = {
    fileStore: options.fileStore ?? new LocalFileStore(config.fileStoreDir),
    mailboxes: new MailboxDirectory(db),
    log,
  };
  const pipeline = new InboundPipeline({
    db,
    deps,
    log: log.child({ part: "inbound" }),
    // PGlite is one connection: a second batch would only queue behind the first.
    concurrency: database.kind === "pglite" ? 1 : 4,
    gatherMs: database.kind === "pglite" ? 20 : 0,
    ...options.inbound,
  });
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
  // Background work runs where job workers run (PARLEY_JOBS); any instance processes what it
  // stores itself.
  if (config.jobs) pipeline.start();
  stoppers.push(() => pipeline.stop());
  const onAccepted = (item: InboundItem) => pipeline.soon(item);
  const smtp = await startSmtpListener({
    db,
    mailboxes: deps.mailboxes,
    config: config.email,
    log: log.child({ part: "smtp" }),
    onAccepted,
  });
  if (smtp) stoppers.push(smtp.stop);
  if (config.jobs) {
    const imap = await startImapPollers({
      db,
      box: SecretBox.fromConfig(config),
      log: log.child({ part: "imap" }),
      onAccepted,
    });
    stoppers.push(imap.stop);
  }
  return {
    processSoon: onAccepted,
    // Listeners and pollers stop in reverse order of start (taking mail first, then processing
    // it); the queue (owned by main) stops after.
    async stop() {
      for (const stop of stoppers.reverse()) await stop();
      unbind();
    },
  };
}
