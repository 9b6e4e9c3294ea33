import type { FastifyBaseLogger } from "fastify";
import pg from "pg";

export interface PgListenerOptions {
  connectionString: string;
  channels: string[];
  log: FastifyBaseLogger;
  onNotification(channel: string, payload: string): void;
  // Called after the connection came back: notifications sent while it was down are lost.
  onReconnect(): void;
}

const HEARTBEAT_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;

// A dedicated PostgreSQL connection that LISTENs. A pooled connection cannot: LISTEN belongs to
// the session, and the pool hands sessions to other queries. When the connection drops (server
// restart, failover, an idle timeout in a proxy) it reconnects with capped exponential backoff.
export class PgListener {
  readonly #options: PgListenerOptions;
  #client: pg.Client | null = null;
  #closed = false;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;

  constructor(options: PgListenerOptions) {
    this.#options = options;
  }

  // The first connection must succeed: an instance that cannot listen should not start.
  async start() {
    await this.#connect();
    this.#heartbeat = setInterval(() => this.#checkAlive(), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  async close() {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }

  async #connect() {
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      keepAlive: true,
      application_name: "parley-listen",
    });
    client.on("notification", (m) => this.#options.onNotification(m.channel, m.payload ?? ""));
    client.on("error", (err) => this.#lost(client, err));
    client.on("end", () => this.#lost(client, null));
    await client.connect();
    try {
      for (const channel of this.#options.channels) {
        await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      }
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    this.#client = client;
  }

  #lost(client: pg.Client, err: Error | null) {
    if (this.#closed || this.#client !== client) return;
    this.#client = null;
    client.end().catch(() => {});
    this.#options.log.warn({ err }, "event bus lost its LISTEN connection; reconnecting");
    this.#scheduleReconnect();
  }

  #scheduleReconnect() {
    const base = Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.#failures);
    const delay = base / 2 + Math.random() * (base / 2);
    this.#retryTimer = setTimeout(async () => {
      if (this.#closed) return;
      try {
        await this.#connect();
      } catch (err) {
        this.#failures += 1;
        this.#options.log.warn({ err, attempt: this.#failures }, "event bus reconnect failed");
        this.#scheduleReconnect();
        return;
      }
      if (this.#closed) {
        await this.close();
        return;
      }
      this.#options.log.info({ failures: this.#failures }, "event bus reconnected");
      this.#failures = 0;
      this.#options.onReconnect();
    }, delay);
    this.#retryTimer.unref();
  }

  // A connection can die without an error reaching us (a NAT table forgets it); a query finds out.
  async #checkAlive() {
    const client = this.#client;
    if (!client) return;
    const timeout = setTimeout(() => this.#lost(client, new Error("heartbeat timed out")), 10_000);
    try {
      await client.query("select 1");
    } catch (err) {
      this.#lost(client, err as Error);
    } finally {
      clearTimeout(timeout);
    }
  }
}
