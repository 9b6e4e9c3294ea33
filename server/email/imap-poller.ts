import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { ImapFlow, type ImapFlowOptions } from "imapflow";
import { sql } from "kysely";
import type { SecretBox } from "../auth/secret-box.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import { acceptInboundEmail } from "./accept.ts";
import type { InboundItem } from "./process.ts";

// Fetches the mail of IMAP mailboxes. What is fetched is decided by UID alone, never by \Seen
// (the folder is opened read-only, so Parley changes no flags either): per mailbox and folder,
// imap_cursors keeps the folder's UIDVALIDITY and the last UID stored. Each message is stored and
// the cursor advanced in one transaction, so a crash at any point neither skips a message nor
// stores one twice. When UIDVALIDITY changes (the folder was recreated or the server renumbered
// it) old UIDs mean nothing: the cursor starts again from 0, and what was already stored is
// recognised by its Message-ID (or content hash) in acceptInboundEmail and not stored again.

export interface ImapPollerOptions {
  db: Db;
  box: SecretBox;
  log: FastifyBaseLogger;
  onAccepted?: (accepted: InboundItem) => void;
  // How often the list of IMAP mailboxes is read again (new ones, changed settings) and leases renewed.
  rescanMs?: number;
  // Fallback poll while idling, for servers whose IDLE misses a delivery.
  pollMs?: number;
  batchSize?: number;
  backoff?: { minMs: number; maxMs: number };
}

export interface ImapPollers {
  // "workspaceId:mailboxId" of the mailboxes this instance holds a connection to.
  held(): string[];
  stop(): Promise<void>;
}

const LEASE_SECONDS = 90;

export interface ImapMailbox {
  workspaceId: number;
  mailboxId: number;
  host: string;
  port: number;
  secure: boolean;
  user: string;
  auth: "password" | "oauth2";
  folder: string;
  secret: string | null;
}

// The ImapFlow settings for a mailbox: a password, or an OAuth2 access token (XOAUTH2).
export function imapClientOptions(mailbox: ImapMailbox): ImapFlowOptions {
  const auth =
    mailbox.auth === "oauth2"
      ? { user: mailbox.user, accessToken: mailbox.secret ?? "" }
      : { user: mailbox.user, pass: mailbox.secret ?? "" };
  return {
    host: mailbox.host,
    port: mailbox.port,
    secure: mailbox.secure,
    auth,
    logger: false,
    disableAutoIdle: true,
    // Servers drop IDLE after 30 minutes; restarting it well before keeps the connection alive.
    maxIdleTime: 5 * 60_000,
    connectionTimeout: 30_000,
  };
}

function describe(err: unknown): string {
  const e = err as { authenticationFailed?: boolean; responseText?: string; message?: string; code?: string };
  if (e.authenticationFailed)
    return `Sign-in refused by the IMAP server${e.responseText ? `: ${e.responseText}` : ""}`;
  return (e.responseText || e.message || String(err)).slice(0, 500);
}

// Stores every message of the open folder above the cursor, oldest first. Returns how many were new.
export async function syncFolder(
  client: ImapFlow,
  mailbox: ImapMailbox,
  options: Pick<ImapPollerOptions, "db" | "onAccepted" | "log" | "batchSize">,
  isStopped: () => boolean = () => false,
): Promise<number> {
  const { db } = options;
  const open = client.mailbox;
  if (!open) throw new Error("no folder is open");
  const uidValidity = Number(open.uidValidity);
  const key = { workspaceId: mailbox.workspaceId, mailboxId: mailbox.mailboxId, folder: mailbox.folder };
  const cursor = await db
    .selectFrom("imap_cursors")
    .select(["uidvalidity", "last_uid"])
    .where("workspace_id", "=", key.workspaceId)
    .where("mailbox_id", "=", key.mailboxId)
    .where("folder", "=", key.folder)
    .executeTakeFirst();
  let lastUid = cursor?.uidvalidity === uidValidity ? cursor.last_uid : 0;
  if (cursor?.uidvalidity !== uidValidity) {
    if (cursor)
      options.log.warn({ ...key, from: cursor.uidvalidity, to: uidValidity }, "imap uidvalidity changed");
    await db
      .insertInto("imap_cursors")
      .values({
        workspace_id: key.workspaceId,
        mailbox_id: key.mailboxId,
        folder: key.folder,
        uidvalidity: uidValidity,
      })
      .onConflict((oc) =>
        oc.columns(["workspace_id", "mailbox_id", "folder"]).doUpdateSet({
          uidvalidity: uidValidity,
          last_uid: 0,
          updated_at: new Date(),
        }),
      )
      .execute();
  }
  // "n:*" always matches the newest message, even below n: the filter drops it.
  const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
  const uids = (found || []).filter((uid) => uid > lastUid).sort((a, b) => a - b);
  const batchSize = options.batchSize ?? 50;
  let stored = 0;
  for (let i = 0; i < uids.length && !isStopped(); i += batchSize) {
    const batch = uids.slice(i, i + batchSize);
    const messages = await client.fetchAll(batch.join(","), { uid: true, source: true }, { uid: true });
    messages.sort((a, b) => a.uid - b.uid);
    for (const message of messages) {
      if (!message.source || message.uid <= lastUid) continue;
      const accepted = await inTransaction(db, async (trx) => {
        const result = await acceptInboundEmail(trx, {
          workspaceId: key.workspaceId,
          mailboxId: key.mailboxId,
          source: "imap",
          raw: message.source!,
          envelope: { uid: message.uid },
        });
        await trx
          .updateTable("imap_cursors")
          .set({ last_uid: message.uid, updated_at: new Date() })
          .where("workspace_id", "=", key.workspaceId)
          .where("mailbox_id", "=", key.mailboxId)
          .where("folder", "=", key.folder)
          .where("uidvalidity", "=", uidValidity)
          .where("last_uid", "<", message.uid)
          .execute();
        return result;
      });
      lastUid = message.uid;
      if (!accepted.duplicate) {
        stored++;
        options.onAccepted?.({
          workspaceId: key.workspaceId,
          inboundId: accepted.id,
          mailboxId: key.mailboxId,
          raw: message.source!,
        });
      }
    }
  }
  return stored;
}

async function recordError(db: Db, mailbox: ImapMailbox, message: string | null) {
  let query = db
    .updateTable("mailboxes")
    .set({ inbound_error: message, inbound_error_at: message ? new Date() : null })
    .where("workspace_id", "=", mailbox.workspaceId)
    .where("id", "=", mailbox.mailboxId);
  if (message === null) query = query.where("inbound_error", "is not", null);
  await query.execute();
}

// One connection to one mailbox: connect, catch up, IDLE until something arrives, again; on
// any failure, reconnect after a growing pause.
class MailboxPoller {
  readonly mailbox: ImapMailbox;
  readonly version: string;
  readonly #options: ImapPollerOptions;
  #stopped = false;
  #client: ImapFlow | null = null;
  #wake: (() => void) | null = null;
  readonly #done: Promise<void>;

  constructor(mailbox: ImapMailbox, version: string, options: ImapPollerOptions) {
    this.mailbox = mailbox;
    this.version = version;
    this.#options = options;
    this.#done = this.#run();
  }

  // A nudge that comes while nobody sleeps (new mail announced mid-sync) is kept for the next sleep.
  #nudged = false;

  #sleep(ms: number) {
    if (this.#nudged) {
      this.#nudged = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  #nudge() {
    const wake = this.#wake;
    this.#wake = null;
    if (wake) wake();
    else this.#nudged = true;
  }

  async #run() {
    const { log, db } = this.#options;
    const { minMs, maxMs } = this.#options.backoff ?? { minMs: 1000, maxMs: 5 * 60_000 };
    const where = { workspaceId: this.mailbox.workspaceId, mailboxId: this.mailbox.mailboxId };
    let failures = 0;
    while (!this.#stopped) {
      const client = new ImapFlow(imapClientOptions(this.mailbox));
      this.#client = client;
      client.on("error", (err) => log.debug({ err, ...where }, "imap connection error"));
      client.on("exists", () => this.#nudge());
      client.on("close", () => this.#nudge());
      try {
        await client.connect();
        await client.mailboxOpen(this.mailbox.folder, { readOnly: true });
        await recordError(db, this.mailbox, null);
        failures = 0;
        while (!this.#stopped && client.usable) {
          const stored = await syncFolder(client, this.mailbox, this.#options, () => this.#stopped);
          if (stored > 0) log.info({ ...where, stored }, "imap messages stored");
          if (this.#stopped || !client.usable) break;
          // Not awaited: IDLE lasts until the next command, which the wake-up below issues.
          client.idle().catch(() => {});
          await this.#sleep(this.#options.pollMs ?? 60_000);
        }
      } catch (err) {
        if (this.#stopped) break;
        failures++;
        const message = describe(err);
        log.warn({ ...where, failures, error: message }, "imap mailbox unavailable");
        await recordError(db, this.mailbox, message).catch(() => {});
      } finally {
        this.#client = null;
        client.removeAllListeners("exists").removeAllListeners("close");
        await client.logout().catch(() => client.close());
      }
      if (this.#stopped) break;
      this.#nudged = false;
      // Exponential with jitter, so many mailboxes on one failed server do not return in step.
      const pause = Math.min(maxMs, minMs * 2 ** Math.min(failures, 20));
      await this.#sleep(pause / 2 + Math.random() * (pause / 2));
    }
  }

  // Safe at any moment: a message is stored with its cursor in one transaction, so cutting the
  // connection mid-fetch only means fetching that message again next time.
  async stop() {
    this.#stopped = true;
    this.#nudge();
    this.#client?.close();
    await this.#done;
  }
}

interface MailboxRow {
  workspace_id: number;
  id: number;
  imap: Record<string, unknown> | null;
  imap_secret: string | null;
  updated_at: Date;
}

function toImapMailbox(row: MailboxRow, box: SecretBox): ImapMailbox {
  const imap = row.imap ?? {};
  const secure = imap.secure !== false;
  return {
    workspaceId: row.workspace_id,
    mailboxId: row.id,
    host: String(imap.host),
    port: Number(imap.port ?? (secure ? 993 : 143)),
    secure,
    user: String(imap.user),
    auth: imap.auth === "oauth2" ? "oauth2" : "password",
    folder: String(imap.folder ?? "INBOX"),
    secret: row.imap_secret ? box.open(row.imap_secret) : null,
  };
}

// Runs a poller for every active IMAP mailbox this instance holds the lease of, and keeps the
// set current: new mailboxes start, changed ones restart with their new settings, removed or
// deactivated ones stop.
export async function startImapPollers(options: ImapPollerOptions): Promise<ImapPollers> {
  const { db, log } = options;
  const owner = randomUUID();
  const running = new Map<string, MailboxPoller>();
  let stopped = false;

  const claim = async (row: MailboxRow) => {
    const claimed = await db
      .updateTable("mailboxes")
      .set({ poller_owner: owner, poller_until: sql<Date>`now() + make_interval(secs => ${LEASE_SECONDS})` })
      .where("workspace_id", "=", row.workspace_id)
      .where("id", "=", row.id)
      .where((eb) =>
        eb.or([
          eb("poller_owner", "is", null),
          eb("poller_owner", "=", owner),
          eb("poller_until", "<", sql<Date>`now()`),
        ]),
      )
      .returning("id")
      .executeTakeFirst();
    return claimed !== undefined;
  };

  const release = (poller: MailboxPoller) =>
    db
      .updateTable("mailboxes")
      .set({ poller_owner: null, poller_until: null })
      .where("workspace_id", "=", poller.mailbox.workspaceId)
      .where("id", "=", poller.mailbox.mailboxId)
      .where("poller_owner", "=", owner)
      .execute();

  const scan = async () => {
    const rows = await db
      .selectFrom("mailboxes")
      .select(["workspace_id", "id", "imap", "imap_secret", "updated_at"])
      .where("inbound", "=", "imap")
      .where("active", "=", true)
      .where("imap", "is not", null)
      .execute();
    const wanted = new Map(rows.map((row) => [`${row.workspace_id}:${row.id}`, row]));
    for (const [key, poller] of running) {
      const row = wanted.get(key);
      if (row && row.updated_at.toISOString() === poller.version && (await claim(row))) continue;
      running.delete(key);
      await poller.stop();
      await release(poller);
    }
    for (const [key, row] of wanted) {
      if (stopped || running.has(key) || !(await claim(row))) continue;
      let mailbox: ImapMailbox;
      try {
        mailbox = toImapMailbox(row, options.box);
      } catch (err) {
        log.error({ err, workspaceId: row.workspace_id, mailboxId: row.id }, "imap credentials unreadable");
        continue;
      }
      running.set(key, new MailboxPoller(mailbox, row.updated_at.toISOString(), options));
    }
  };

  let timer: NodeJS.Timeout | null = null;
  let scanning: Promise<void> = Promise.resolve();
  const tick = () => {
    scanning = scan()
      .catch((err) => log.error({ err }, "imap mailbox scan failed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.rescanMs ?? 30_000);
      });
  };
  tick();
  await scanning;

  return {
    held: () => [...running.keys()],
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await scanning;
      const pollers = [...running.values()];
      running.clear();
      await Promise.all(pollers.map((p) => p.stop()));
      await Promise.all(pollers.map((p) => release(p).catch(() => {})));
    },
  };
}
