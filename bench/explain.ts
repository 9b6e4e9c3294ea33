import { Kysely, PostgresDialect } from "kysely";
import { loadConfig } from "../server/config.ts";
import { openDatabase } from "../server/db/connection.ts";
import { PGliteDialect } from "../server/db/pglite-dialect.ts";
import type { Database } from "../server/db/types.ts";
import { buildApp } from "../server/http/app.ts";
import type { BenchRequest } from "./load.ts";
import type { Target } from "./target.ts";

const AUTH_TABLES = /from "(api_tokens|sessions|users|group_members)"/;

interface TracedQuery {
  sql: string;
  parameters: readonly unknown[];
  ms: number;
}

export interface Traced {
  request: string;
  // Statements the request sent (BEGIN and COMMIT not included) and their summed time.
  queries: number;
  dbMs: number;
  slowest: TracedQuery | null;
  plan: string | null;
}

// Replays requests in-process (the server child has stopped) on a Kysely that records every
// query, counts them, and runs EXPLAIN (ANALYZE, BUFFERS) on each read's slowest query. It goes
// through the real routes, so it explains whatever SQL the code of the day writes.
export async function traceRequests(
  target: Target,
  requests: BenchRequest[],
  explain: boolean,
): Promise<Traced[]> {
  const database = await openDatabase({
    databaseUrl: target.databaseUrl,
    dataDir: target.dataDir,
    poolSize: 2,
  });
  const trace: TracedQuery[] = [];
  const dialect =
    database.kind === "postgres"
      ? new PostgresDialect({ pool: database.pool! })
      : new PGliteDialect(database.pglite!, database.lock!);
  const db = new Kysely<Database>({
    dialect,
    log: (event) => {
      trace.push({ sql: event.query.sql, parameters: event.query.parameters, ms: event.queryDurationMillis });
    },
  });
  const config = loadConfig({
    DATABASE_URL: target.databaseUrl ?? undefined,
    PARLEY_DATA_DIR: target.dataDir,
  });
  const app = await buildApp({ database: { ...database, db }, config });
  await app.ready();
  const out: Traced[] = [];
  try {
    for (const req of requests) {
      // Twice: the first run may read from disk after the server's cache went away with it.
      for (let round = 0; round < 2; round++) {
        trace.length = 0;
        const res = await app.inject({
          method: req.method,
          url: req.path,
          headers: req.headers,
          payload: req.body as never,
        });
        if (res.statusCode >= 300)
          throw new Error(`${req.path}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
      // The request's own read, not the sign-in lookups every request makes on tiny tables.
      const reads = trace.filter((q) => /^\s*(select|with)/i.test(q.sql) && !AUTH_TABLES.test(q.sql));
      const slowest = reads.sort((a, b) => b.ms - a.ms)[0] ?? null;
      let plan: string | null = null;
      if (explain && slowest) {
        const text = `explain (analyze, buffers) ${slowest.sql}`;
        const params = slowest.parameters as unknown[];
        const rows =
          database.kind === "postgres"
            ? (await database.pool!.query(text, params)).rows
            : (await database.lock!.run(() => database.pglite!.query(text, params))).rows;
        plan = (rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).join("\n");
      }
      out.push({
        request: `${req.method} ${req.path}`,
        queries: trace.length,
        dbMs: trace.reduce((sum, q) => sum + q.ms, 0),
        slowest,
        plan,
      });
    }
  } finally {
    await app.close();
    await database.close();
  }
  return out;
}
