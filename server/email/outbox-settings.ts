import type { Db } from "../db/connection.ts";
import type { JobQueue } from "../jobs/queue.ts";

// What the outbox needs besides the ticket: the Message-ID domain, the public address (for
// {{portal_url}}) and the job queue that sends what it writes. Mail is queued inside ticket
// commands that are handed a database and an actor and nothing else, so these settings are bound
// to the database handle by whoever opens it for a purpose (the app, the email channel) and read
// back from the handle a command was given, its transactions included. Two apps on two databases
// in one process (tests) each keep their own; a handle nobody bound has no queue, and its mail
// waits for the outbound sweeper.
export interface OutboxSettings {
  messageIdDomain: string | null;
  publicUrl: string | null;
  queue: JobQueue | null;
}

const UNBOUND: OutboxSettings = { messageIdDomain: null, publicUrl: null, queue: null };

// Keyed by the Kysely instance's adapter, which its transactions share with it (and which no
// other instance has).
const bindings = new WeakMap<object, OutboxSettings>();
const keyOf = (db: Db) => db.getExecutor().adapter;

// Binds (or changes) settings of `db`; returns a function that takes a bound queue back off, for a
// sender that stops while the app still runs.
export function bindOutbox(db: Db, settings: Partial<OutboxSettings>): () => void {
  const key = keyOf(db);
  const next: OutboxSettings = { ...(bindings.get(key) ?? UNBOUND), ...settings };
  if (next.publicUrl) next.publicUrl = next.publicUrl.replace(/\/+$/, "");
  bindings.set(key, next);
  return () => {
    const current = bindings.get(key);
    if (current && settings.queue && current.queue === settings.queue)
      bindings.set(key, { ...current, queue: null });
  };
}

export function outboxSettings(db: Db): OutboxSettings {
  return bindings.get(keyOf(db)) ?? UNBOUND;
}
