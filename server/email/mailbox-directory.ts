import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { onTableWrite } from "../db/write-watch.ts";
import { type ResolvedSettings, resolveSettings } from "./mailboxes.ts";

// Every mailbox of the installation as inbound mail needs them, held in memory and read again
// after a few seconds: every recipient of every SMTP session, and every From, Reply-To, To and
// Cc of every mail processed, is checked against Parley's own addresses, and each mail reads its
// mailbox's group and settings. Asking the database each time was 5 of the 22 statements of a
// mail; most of those addresses are customers', different on every mail, so caching answers per
// address would not help. An installation has a few mailboxes per workspace: reading them all
// every TTL_MS is cheap. A change made through this process (the mailbox routes) is seen at once;
// one made by another instance within TTL_MS, so a deactivated mailbox may take mail for a few
// more seconds there.
export const MAILBOX_CACHE_TTL_MS = 5_000;

export interface KnownMailbox {
  workspaceId: number;
  id: number;
  name: string;
  address: string;
  groupId: number | null;
  active: boolean;
  settings: ResolvedSettings;
}

interface Snapshot {
  byAddress: Map<string, KnownMailbox>;
  byId: Map<string, KnownMailbox>;
  until: number;
  writes: number;
}

// Bumped on every write to mailboxes in this process; a snapshot taken before it is stale.
let writes = 0;
onTableWrite(["mailboxes"], () => {
  writes++;
});

const plain = (address: string) => address.replace(/\+[^@]*@/, "@");

const COLUMNS = ["workspace_id", "id", "name", "address", "group_id", "active", "settings"] as const;

function known(r: {
  workspace_id: number;
  id: number;
  name: string;
  address: string;
  group_id: number | null;
  active: boolean;
  settings: Record<string, unknown>;
}): KnownMailbox {
  return {
    workspaceId: r.workspace_id,
    id: r.id,
    name: r.name,
    address: r.address,
    groupId: r.group_id,
    active: r.active,
    settings: resolveSettings(r.settings),
  };
}

export class MailboxDirectory {
  readonly #db: Db;
  #snapshot: Snapshot | null = null;
  #loading: Promise<Snapshot> | null = null;

  constructor(db: Db) {
    this.#db = db;
  }

  // `db` is the caller's transaction when it is in one: on PGlite the transaction holds the only
  // connection, so reading through anything else (or waiting for a read that does) would wait
  // for ever.
  async #current(db: Db): Promise<Snapshot> {
    const snapshot = this.#snapshot;
    if (snapshot && snapshot.writes === writes && snapshot.until > Date.now()) return snapshot;
    if (db.isTransaction) return this.#load(db);
    this.#loading ??= this.#load(db).finally(() => {
      this.#loading = null;
    });
    return this.#loading;
  }

  async #load(db: Db): Promise<Snapshot> {
    const seen = writes;
    const rows = await db.selectFrom("mailboxes").select(COLUMNS).execute();
    const snapshot: Snapshot = {
      byAddress: new Map(),
      byId: new Map(),
      until: Date.now() + MAILBOX_CACHE_TTL_MS,
      writes: seen,
    };
    for (const r of rows) {
      const mailbox = known(r);
      snapshot.byAddress.set(r.address.toLowerCase(), mailbox);
      snapshot.byId.set(`${r.workspace_id}:${r.id}`, mailbox);
    }
    // A write that landed while reading leaves this snapshot usable for this one answer only.
    if (seen === writes) this.#snapshot = snapshot;
    return snapshot;
  }

  // The mailboxes (any workspace, active or not) whose address is one of `addresses`, with
  // plus-addressing (support+x@ is support@). Keyed by the lower-cased address asked for.
  // Inside a transaction, pass it as `db`.
  async lookup(addresses: string[], db: Db = this.#db): Promise<Map<string, KnownMailbox>> {
    const { byAddress } = await this.#current(db);
    const out = new Map<string, KnownMailbox>();
    for (const a of addresses) {
      const lower = a.trim().toLowerCase();
      const mailbox = byAddress.get(lower) ?? byAddress.get(plain(lower));
      if (mailbox) out.set(lower, mailbox);
    }
    return out;
  }

  // The active mailbox a recipient address reaches, across all workspaces. A refusal is
  // permanent for the sender (550), so an address the snapshot does not know, or knows as
  // inactive, is asked about afresh: a mailbox made a moment ago on another instance takes mail.
  async recipient(address: string): Promise<KnownMailbox | null> {
    const found = (await this.lookup([address])).get(address.trim().toLowerCase());
    if (found?.active) return found;
    const normalized = address.trim().toLowerCase();
    const rows = await this.#db
      .selectFrom("mailboxes")
      .select(COLUMNS)
      .where(sql`lower(address)`, "in", [normalized, plain(normalized)])
      .where("active", "=", true)
      .execute();
    const row = rows.find((r) => r.address.toLowerCase() === normalized) ?? rows[0];
    return row ? known(row) : null;
  }

  // A mailbox of a workspace by id, active or not; null when there is none. Stored mail names
  // a mailbox that exists, so one missing from the snapshot is newer than it: read again.
  async byId(workspaceId: number, id: number, db: Db = this.#db): Promise<KnownMailbox | null> {
    const key = `${workspaceId}:${id}`;
    const found = (await this.#current(db)).byId.get(key);
    if (found) return found;
    return (await this.#load(db)).byId.get(key) ?? null;
  }
}
