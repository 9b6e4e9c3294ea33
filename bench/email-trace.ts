import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { loadConfig } from "../server/config.ts";
import { startServer } from "../server/main.ts";
import { freePort, type Target } from "./target.ts";

// Statements per mail, counted where they leave Parley: every query of the pg client (Kysely's
// pool and pg-boss's) or of PGlite, while a batch of mails goes in over SMTP and becomes tickets.
// The server runs in this process for that, with the same code and settings as the measured run;
// only the counting differs. Timing figures come from the measured run, never from this one.

export interface StatementShape {
  shape: string;
  perMail: number;
}

export interface EmailTrace {
  mails: number;
  perMail: number;
  transactionsPerMail: number;
  top: StatementShape[];
}

// "insert into inbound_emails ...", "select ... from tickets ...": the verb and the first table,
// so a profile reads as a list of what the database was asked to do.
function shapeOf(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim().toLowerCase();
  if (/^(begin|commit|rollback)\b/.test(flat)) return flat.split(" ")[0];
  const verb = flat.split(" ")[0];
  const table = /(?:from|into|update|join) "?([a-z_.]+)"?/.exec(flat)?.[1] ?? "";
  return `${verb} ${table}`.trim();
}

function countInto(counts: Map<string, number>) {
  return (text: unknown) => {
    const sqlText =
      typeof text === "string" ? text : ((text as { text?: string } | null)?.text ?? String(text));
    const shape = shapeOf(sqlText);
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  };
}

export async function traceEmail(
  target: Target,
  send: (port: number, count: number) => Promise<void>,
  waitDone: (url: string) => Promise<boolean>,
  mails: number,
): Promise<EmailTrace> {
  const counts = new Map<string, number>();
  let counting = false;
  const count = countInto(counts);
  const pgQuery = pg.Client.prototype.query;
  const liteQuery = PGlite.prototype.query;
  const liteExec = PGlite.prototype.exec;
  (pg.Client.prototype as any).query = function (this: unknown, ...args: unknown[]) {
    if (counting) count(args[0]);
    return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
  };
  (PGlite.prototype as any).query = function (this: unknown, ...args: unknown[]) {
    if (counting) count(args[0]);
    return (liteQuery as (...a: unknown[]) => unknown).apply(this, args);
  };
  (PGlite.prototype as any).exec = function (this: unknown, ...args: unknown[]) {
    if (counting) count(args[0]);
    return (liteExec as (...a: unknown[]) => unknown).apply(this, args);
  };
  const smtpPort = await freePort();
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: target.databaseUrl ?? undefined,
    PARLEY_DATA_DIR: target.dataDir,
    PARLEY_PORT: String(await freePort()),
    PARLEY_LOG_LEVEL: "warn",
    PARLEY_ADMIN_PASSWORD: "bench-password-not-used",
    PARLEY_SMTP_PORT: String(smtpPort),
    PARLEY_SMTP_MAX_CONNECTIONS_PER_MINUTE: "1000000",
    PARLEY_SMTP_MAX_MESSAGES_PER_MINUTE: "10000000",
  });
  const server = await startServer(config);
  try {
    counting = true;
    await send(smtpPort, mails);
    if (!(await waitDone(server.url))) throw new Error("traced mails were not processed in time");
    counting = false;
  } finally {
    counting = false;
    await server.stop();
    pg.Client.prototype.query = pgQuery;
    PGlite.prototype.query = liteQuery;
    PGlite.prototype.exec = liteExec;
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return {
    mails,
    perMail: total / mails,
    transactionsPerMail: (counts.get("commit") ?? 0) / mails,
    top: [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([shape, n]) => ({ shape, perMail: n / mails })),
  };
}
