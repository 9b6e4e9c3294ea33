import type { FastifyBaseLogger } from "fastify";
import type { Config } from "../config.ts";
import type { Database$ } from "../db/connection.ts";
import type { FileStore } from "../files/store.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { PROCESS_INBOUND } from "./accept.ts";

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

// Everything the email channel runs in the background: the inbound processing worker, and (added
// by their owners, one line each) the SMTP listener, the IMAP pollers and the outbound sender.
export async function startEmail(options: StartEmailOptions): Promise<RunningEmail> {
  const { queue } = options;
  // A message that keeps failing stays 'failed' and visible to admins, who can retry it by hand.
  await queue.declare(PROCESS_INBOUND, {
    retryLimit: 5,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 600,
  });
  const stoppers: (() => Promise<void>)[] = [];
  return {
    // Listeners and pollers stop in reverse order of start; the queue (owned by main) stops after.
    async stop() {
      for (const stop of stoppers.reverse()) await stop();
    },
  };
}
