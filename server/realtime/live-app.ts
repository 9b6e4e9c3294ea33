import { after, before } from "node:test";
import { pino } from "pino";
import { WebSocket } from "ws";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { buildApp } from "../http/app.ts";
import { createMetrics, type Metrics } from "../http/metrics.ts";
import { startAssignmentNotifications } from "../jobs/assignment-notifications.ts";
import { startMentionNotifications } from "../jobs/mention-notifications.ts";
import { JobQueue } from "../jobs/queue.ts";
import type { TestContext } from "../test/harness.ts";
import { type EventBus, startEventBus } from "./bus.ts";

// Test support: an app as `parley start` runs it (event bus, job queue, websocket) listening on
// a free port, on PGlite in memory or on DATABASE_URL. Works with the harness's buildWorkspace.
export interface LiveContext extends TestContext {
  bus: EventBus;
  queue: JobQueue;
  metrics: Metrics;
  wsUrl: string;
}

export async function startLiveApp(
  env: Record<string, string> = {},
): Promise<LiveContext & { stop(): Promise<void> }> {
  const config = loadConfig({
    DATABASE_URL: process.env.DATABASE_URL,
    PARLEY_LOGIN_RATE_LIMIT: "1000",
    ...env,
  });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: null, poolSize: 5 });
  await migrateToLatest(database.db);
  const log = pino({ level: process.env.PARLEY_TEST_LOG_LEVEL ?? "silent" });
  const metrics = createMetrics();
  const bus = await startEventBus(database, log, metrics);
  const queue = await JobQueue.start({
    database,
    log,
    metrics,
    runWorkers: true,
    pollingIntervalSeconds: 0.5,
  });
  await startAssignmentNotifications(queue, bus, database.db, log);
  await startMentionNotifications(queue, bus, database.db, log);
  const app = await buildApp({ database, config, metrics, realtime: { bus, metrics } });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    app,
    database,
    bus,
    queue,
    metrics,
    wsUrl: `ws://127.0.0.1:${port}/api/v1/realtime`,
    async stop() {
      await app.close();
      await queue.stop(2000);
      await bus.close();
      await database.close();
    },
  };
}

export function useLiveApp(env: Record<string, string> = {}): () => LiveContext {
  let ctx: Awaited<ReturnType<typeof startLiveApp>> | null = null;
  before(async () => {
    ctx = await startLiveApp(env);
  });
  after(async () => {
    await ctx?.stop();
  });
  return () => {
    if (!ctx) throw new Error("useLiveApp() context is used before the before() hook ran");
    return ctx;
  };
}

type Message = { type: string; [key: string]: any };

// A websocket client that keeps every message, so a test can wait for the one it expects.
export class TestSocket {
  readonly ws: WebSocket;
  readonly received: Message[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as Message;
      this.received.push(message);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(message)) return true;
        w.resolve(message);
        return false;
      });
    });
    this.closed = new Promise((resolve) => {
      this.ws.on("close", (code, reason) => resolve({ code, reason: String(reason) }));
    });
  }

  static async open(url: string, headers: Record<string, string> = {}) {
    const socket = new TestSocket(url, headers);
    await socket.next((m) => m.type === "ready");
    return socket;
  }

  send(message: object) {
    this.ws.send(JSON.stringify(message));
  }

  // The first message, already received or still to come, that matches. Each message is handed
  // out once per call, in order, so tests can also assert what came *before* a marker.
  next(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("timed out waiting for a websocket message")),
        timeoutMs,
      );
      this.#waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  async close() {
    if (this.ws.readyState === this.ws.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}
