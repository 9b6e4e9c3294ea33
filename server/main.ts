import { randomBytes } from "node:crypto";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { pino } from "pino";
import type { Config } from "./config.ts";
import { type ControlServer, serveControl } from "./control/channel.ts";
import { controlCommands } from "./control/commands.ts";
import { type Database$, openDatabase } from "./db/connection.ts";
import { startDatabaseMaintenance } from "./db/maintenance.ts";
import { migrateToLatest } from "./db/migrate.ts";
import { type RunningEmail, startEmail } from "./email/start.ts";
import { LocalFileStore } from "./files/store.ts";
import { buildApp, REDACTED_PATHS, serializeRequest } from "./http/app.ts";
import { createMetrics } from "./http/metrics.ts";
import { startAssignmentNotifications } from "./jobs/assignment-notifications.ts";
import { startMentionNotifications } from "./jobs/mention-notifications.ts";
import { JobQueue } from "./jobs/queue.ts";
import { startUploadCleanup } from "./jobs/unattached-uploads.ts";
import { type EventBus, startEventBus } from "./realtime/bus.ts";
import { bootstrapFirstWorkspace } from "./workspaces/service.ts";

export interface RunningServer {
  app: FastifyInstance;
  database: Database$;
  url: string;
  stop(): Promise<void>;
}

export function loggerOptions(config: Config) {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    serializers: { req: serializeRequest },
  };
}

// `owner` is the command that holds the embedded database's directory while it runs.
export async function openAndMigrate(config: Config, owner: string) {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgliteSharedBuffersMb: config.pgliteSharedBuffersMb,
    owner,
  });
  try {
    await migrateToLatest(database.db);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const log: FastifyBaseLogger = pino(loggerOptions(config));
  const database = await openAndMigrate(config, "start");
  const metrics = createMetrics();
  let bus: EventBus | null = null;
  let queue: JobQueue | null = null;
  let email: RunningEmail | null = null;
  let app: FastifyInstance | null = null;
  try {
    bus = await startEventBus(database, log.child({ component: "event-bus" }), metrics);
    queue = await JobQueue.start({
      database,
      log: log.child({ component: "jobs" }),
      metrics,
      runWorkers: config.jobs,
    });
    await startAssignmentNotifications(queue, bus, database.db, log.child({ component: "notifications" }));
    await startMentionNotifications(queue, bus, database.db, log.child({ component: "notifications" }));
    // The same store the attachment routes read from, so inbound attachments download like uploads.
    const fileStore = new LocalFileStore(config.fileStoreDir);
    await startUploadCleanup(queue, database.db, fileStore, log.child({ component: "files" }));
    await startDatabaseMaintenance(queue, database, log.child({ component: "db" }));
    email = await startEmail({ database, queue, config, log: log.child({ component: "email" }), fileStore });
    app = await buildApp({
      database,
      config,
      loggerInstance: log,
      metrics,
      realtime: { bus, metrics },
      queue,
      email,
      webApp: true,
    });
  } catch (err) {
    await email?.stop().catch(() => {});
    await queue?.stop(1000).catch(() => {});
    await bus?.close().catch(() => {});
    await database.close();
    throw err;
  }
  const generatedPassword = config.adminPassword ? null : randomBytes(12).toString("base64url");
  const firstRun = await bootstrapFirstWorkspace(database.db, {
    workspaceName: config.workspaceName,
    adminEmail: config.adminEmail ?? "admin@example.com",
    adminPassword: config.adminPassword ?? generatedPassword!,
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);
  // The embedded database admits no second process, so CLI commands run in this one.
  let control: ControlServer | null = null;
  if (database.dataDirLock) {
    control = await serveControl(
      database.dataDirLock,
      controlCommands(database.db),
      log.child({ component: "control" }),
    ).catch((err) => {
      log.warn({ err }, "CLI commands cannot reach this server; they will say to stop it first");
      return null;
    });
  }
  if (firstRun) printFirstRun(url, firstRun.admin.email, generatedPassword);
  const running = { app, bus, queue, email };
  let stopping: Promise<void> | null = null;
  // The order matters: readiness turns 503 and websockets get 1001 (preClose hooks), the listener
  // stops accepting and in-flight requests finish (app.close), the email listeners and pollers stop
  // taking mail, then workers finish the jobs in hand, then the LISTEN connection and the database close.
  const stop = () => {
    stopping ??= (async () => {
      await control?.close();
      await running.app.close();
      await running.email.stop();
      await running.queue.stop(config.shutdownGraceMs);
      await running.bus.close();
      await database.close();
    })();
    return stopping;
  };
  return { app, database, url, stop };
}

// Printed once, to the terminal of whoever started Parley, never to the log.
function printFirstRun(url: string, email: string, generatedPassword: string | null) {
  const lines = [
    "",
    `  Parley is running at ${url}`,
    "  A first workspace and admin account were created. Sign in with:",
    `    email:    ${email}`,
    `    password: ${generatedPassword ?? "the one in PARLEY_ADMIN_PASSWORD"}`,
    generatedPassword
      ? `  This password is shown only now: after signing in, change it on the Settings page (${url}/settings).`
      : "",
    `  API reference: ${url}/api/docs`,
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

// Installs SIGTERM/SIGINT handling: graceful stop, and a hard exit if it takes too long.
export function stopOnSignals(server: RunningServer, graceMs: number) {
  const onSignal = (signal: string) => {
    server.app.log.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      server.app.log.error({ graceMs }, "shutdown took too long; exiting");
      process.exit(1);
    }, graceMs);
    timer.unref();
    server.stop().then(
      () => process.exit(0),
      (err) => {
        server.app.log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
