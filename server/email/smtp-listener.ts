import { readFileSync } from "node:fs";
import type { FastifyBaseLogger } from "fastify";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import type { EmailConfig } from "../config.ts";
import type { Db } from "../db/connection.ts";
import { type Accepted, type AcceptInput, acceptInboundEmails } from "./accept.ts";
import type { KnownMailbox, MailboxDirectory } from "./mailbox-directory.ts";
import type { InboundItem } from "./process.ts";

// Parley's own SMTP door, for MX records or a relay pointing at it. The promise to the sender:
// 250 means the raw message is committed to the database, where its row waits to be processed;
// any failure before that is a 4xx, so the sending MTA keeps the message and retries.

export interface SmtpListenerOptions {
  db: Db;
  mailboxes: MailboxDirectory;
  config: EmailConfig;
  log: FastifyBaseLogger;
  // Called after commit for each newly stored message: the fast path into processing. The stored
  // row is the safety net if this process dies before processing it (the pipeline's sweep).
  onAccepted?: (accepted: InboundItem) => void;
}

export interface SmtpListener {
  port: number;
  stop(): Promise<void>;
}

const MAX_BATCH = 100;
const MAX_BATCH_BYTES = 32 * 1024 * 1024;

class SmtpError extends Error {
  readonly responseCode: number;
  constructor(responseCode: number, message: string) {
    super(message);
    this.responseCode = responseCode;
  }
}

// Fixed one-minute windows per key; old windows are dropped as they are passed.
class MinuteCounter {
  #window = 0;
  #counts = new Map<string, number>();
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  // Counts one more for `key`; false when that goes over the limit.
  take(key: string): boolean {
    const window = Math.floor(Date.now() / 60_000);
    if (window !== this.#window) {
      this.#window = window;
      this.#counts.clear();
    }
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    return count <= this.limit;
  }
}

interface Pending {
  inputs: AcceptInput[];
  bytes: number;
  resolve: (a: Accepted[]) => void;
  reject: (err: unknown) => void;
}

// Mail from concurrent sessions is stored together: every mail that arrived while the previous
// write ran goes into the next one, a single multi-row INSERT, so a burst pays for one statement
// and one commit per batch rather than per mail. A mail's recipients (one row per mailbox) are
// always in the same statement: all of them are stored or none.
class GroupCommit {
  readonly #db: Db;
  #pending: Pending[] = [];
  #flushing = false;

  constructor(db: Db) {
    this.#db = db;
  }

  accept(inputs: AcceptInput[]): Promise<Accepted[]> {
    const bytes = inputs.reduce((n, input) => n + input.raw.length, 0);
    return new Promise((resolve, reject) => {
      this.#pending.push({ inputs, bytes, resolve, reject });
      if (this.#flushing) return;
      // Started on the next turn of the event loop, after the socket events already waiting:
      // mails of other sessions that finished at the same moment join this batch. On PGlite,
      // whose statements never yield to the event loop, nothing else would ever join it.
      this.#flushing = true;
      setImmediate(() => void this.#flush());
    });
  }

  // The next batch: up to MAX_BATCH mails and MAX_BATCH_BYTES of them (at least one mail).
  #take() {
    let bytes = 0;
    let count = 0;
    while (count < this.#pending.length && count < MAX_BATCH) {
      bytes += this.#pending[count].bytes;
      if (count > 0 && bytes > MAX_BATCH_BYTES) break;
      count++;
    }
    return this.#pending.splice(0, count);
  }

  async #flush() {
    while (this.#pending.length > 0) {
      let taken = false;
      try {
        // The batch is formed once a connection is in hand: on PGlite that means waiting for the
        // one connection, and every mail that arrived meanwhile goes into the same statement.
        await this.#db.connection().execute(async (db) => {
          taken = true;
          await this.#write(db, this.#take());
        });
      } catch (err) {
        if (!taken) for (const item of this.#take()) item.reject(err);
      }
    }
    this.#flushing = false;
  }

  // Settles every item of the batch; never throws.
  async #write(db: Db, batch: Pending[]) {
    try {
      const results = await acceptInboundEmails(
        db,
        batch.flatMap((item) => item.inputs),
      );
      let at = 0;
      for (const item of batch) {
        item.resolve(results.slice(at, at + item.inputs.length));
        at += item.inputs.length;
      }
    } catch (err) {
      if (batch.length === 1) batch[0].reject(err);
      // One mail that cannot be stored must not fail the others with it: each goes again alone.
      else
        for (const item of batch) await acceptInboundEmails(db, item.inputs).then(item.resolve, item.reject);
    }
  }
}

// Reads the message, keeping at most `limit` bytes: an oversized message is drained, not held.
function readMessage(stream: SMTPServerDataStream, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    stream.once("error", reject);
    stream.once("end", () =>
      resolve(stream.sizeExceeded || size > limit ? null : Buffer.concat(chunks, size)),
    );
  });
}

export async function startSmtpListener(options: SmtpListenerOptions): Promise<SmtpListener | null> {
  const { db, mailboxes, config, log } = options;
  const listenPort = config.smtpListenPort;
  if (listenPort === null) return null;
  // Both answers over a limit are temporary, so a legitimate sender only slows down.
  const connections = new MinuteCounter(config.smtpMaxConnectionsPerMinute);
  const messages = new MinuteCounter(config.smtpMaxMessagesPerMinute);
  const maxBytes = config.smtpMaxMb * 1024 * 1024;
  // The mailboxes the recipients of the current mail transaction resolved to.
  const recipients = new WeakMap<SMTPServerSession, Map<string, KnownMailbox>>();
  const inFlight = new Set<Promise<unknown>>();
  let stopping = false;
  const tls =
    config.smtpTlsCert && config.smtpTlsKey
      ? { cert: readFileSync(config.smtpTlsCert), key: readFileSync(config.smtpTlsKey) }
      : null;

  const commits = new GroupCommit(db);
  const deliver = async (session: SMTPServerSession, raw: Buffer) => {
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
    const perMailbox = new Map<string, AcceptInput>();
    for (const [address, target] of recipients.get(session) ?? []) {
      const key = `${target.workspaceId}:${target.id}`;
      const input = perMailbox.get(key) ?? {
        workspaceId: target.workspaceId,
        mailboxId: target.id,
        source: "smtp",
        raw,
        envelope: { mailFrom, rcptTo: [], remoteAddress: session.remoteAddress },
      };
      input.envelope?.rcptTo?.push(address);
      perMailbox.set(key, input);
    }
    if (perMailbox.size === 0) throw new SmtpError(503, "No valid recipients");
    const inputs = [...perMailbox.values()];
    const accepted = await commits.accept(inputs);
    accepted.forEach((a, i) => {
      const { workspaceId, mailboxId } = inputs[i];
      if (!a.duplicate) options.onAccepted?.({ workspaceId, inboundId: a.id, mailboxId, raw });
    });
    return accepted;
  };

  const server = new SMTPServer({
    name: config.messageIdDomain,
    banner: "Parley ESMTP",
    size: maxBytes,
    rejectOversized: true,
    // Inbound MX: senders do not authenticate, and nobody may relay through us (every recipient
    // must be one of our mailboxes).
    authOptional: true,
    disabledCommands: tls ? ["AUTH"] : ["AUTH", "STARTTLS"],
    hideENHANCEDSTATUSCODES: false,
    disableReverseLookup: true,
    logger: false,
    ...(tls ?? {}),
    onConnect(session, callback) {
      if (stopping) return callback(new SmtpError(421, "Service shutting down, try again later"));
      if (!connections.take(session.remoteAddress))
        return callback(new SmtpError(421, "Too many connections from your address, try again later"));
      callback();
    },
    onMailFrom(_address, session, callback) {
      recipients.set(session, new Map());
      if (stopping) return callback(new SmtpError(421, "Service shutting down, try again later"));
      if (!messages.take(session.remoteAddress))
        return callback(new SmtpError(451, "Too many messages from your address, try again later"));
      callback();
    },
    onRcptTo(address, session, callback) {
      mailboxes.recipient(address.address).then(
        (target) => {
          if (!target) return callback(new SmtpError(550, `No such mailbox here: ${address.address}`));
          recipients.get(session)?.set(address.address, target);
          callback();
        },
        (err) => {
          log.error({ err }, "smtp recipient lookup failed");
          callback(new SmtpError(451, "Temporary failure, try again later"));
        },
      );
    },
    onData(stream, session, callback) {
      const work = (async () => {
        const raw = await readMessage(stream, maxBytes);
        if (!raw) throw new SmtpError(552, "Message exceeds the maximum size");
        return deliver(session, raw);
      })();
      inFlight.add(work);
      work.then(
        (accepted) => {
          inFlight.delete(work);
          const duplicate = accepted.every((a) => a.duplicate);
          log.debug({ sessionId: session.id, stored: accepted.length, duplicate }, "smtp message accepted");
          // Still a 250: the mail is safe here, so the sender must stop retrying it. The text tells
          // whoever reads the log that this copy was not stored again.
          callback(
            null,
            duplicate ? "Duplicate of a message already stored; not stored again" : "Message stored",
          );
        },
        (err) => {
          inFlight.delete(work);
          if (err instanceof SmtpError) return callback(err);
          log.error({ err, sessionId: session.id }, "smtp message not stored");
          callback(new SmtpError(451, "Temporary failure storing the message, try again later"));
        },
      );
    },
  });
  server.on("error", (err) => log.error({ err }, "smtp listener error"));

  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(listenPort, config.smtpListenHost, () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : listenPort;
  log.info({ port, host: config.smtpListenHost, starttls: tls !== null }, "smtp listener started");

  let stopped: Promise<void> | null = null;
  // New connections are refused at once; messages being stored finish and get their answer;
  // then idle sessions are told 421, which a sender treats as "come back later".
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
      for (const connection of server.connections) {
        connection.send(421, "Service shutting down, try again later");
        connection.close();
      }
      await closed;
    })();
    return stopped;
  };
  return { port, stop };
}
