import type { FastifyBaseLogger } from "fastify";
import { sql } from "kysely";
import type { JobQueue } from "../jobs/queue.ts";
import type { Database$, Db } from "./connection.ts";

// PostgreSQL plans queries from table statistics that ANALYZE gathers, and reclaims the space of
// updated and deleted rows with VACUUM. A PostgreSQL server does both by itself (autovacuum), but
// the embedded PGlite is a single backend with no autovacuum worker, and a server may run with
// autovacuum off: then every plan is made on the statistics of an empty database, and the inbox,
// search and writes slow down as data grows. This job does what autovacuum would, with the same
// default thresholds, one table and one statement at a time so that requests interleave.

export const DATABASE_MAINTENANCE = "db.maintenance";

// autovacuum's defaults: autovacuum_analyze_threshold/scale_factor, vacuum_threshold/scale_factor.
const ANALYZE_BASE = 50;
const ANALYZE_SCALE = 0.1;
const VACUUM_BASE = 50;
const VACUUM_SCALE = 0.2;

export interface TableActivity {
  table: string;
  liveRows: number;
  deadRows: number;
  modifiedSinceAnalyze: number;
  // pg_class.reltuples is -1 until the table is first analyzed or vacuumed. Statistics counters
  // of an embedded database that was killed are lost, so this is what still says "never".
  neverAnalyzed: boolean;
}

export interface MaintenancePlan {
  analyze: string[];
  vacuum: string[];
}

export function planMaintenance(tables: TableActivity[], options: { vacuum: boolean }): MaintenancePlan {
  const analyze: string[] = [];
  const vacuum: string[] = [];
  for (const t of tables) {
    const analyzeDue =
      t.modifiedSinceAnalyze > ANALYZE_BASE + ANALYZE_SCALE * t.liveRows ||
      (t.neverAnalyzed && t.liveRows > 0);
    if (analyzeDue) analyze.push(t.table);
    if (options.vacuum && t.deadRows > VACUUM_BASE + VACUUM_SCALE * t.liveRows) vacuum.push(t.table);
  }
  return { analyze, vacuum };
}

// Who keeps the statistics: nobody on PGlite; on a server, autovacuum unless it is turned off.
export async function maintenanceDuties(database: Database$): Promise<{ analyze: boolean; vacuum: boolean }> {
  if (database.kind === "pglite") return { analyze: true, vacuum: true };
  const { rows } = await sql<{
    autovacuum: string;
  }>`select current_setting('autovacuum') as autovacuum`.execute(database.db);
  // A server with autovacuum off was set up so by its operator; statistics are still needed for
  // sane plans, and ANALYZE takes no lock that blocks writes. VACUUM stays the operator's call.
  return { analyze: rows[0]?.autovacuum === "off", vacuum: false };
}

export async function tableActivity(db: Db): Promise<TableActivity[]> {
  // Statistics counters reach the shared view at transaction end, at most once a second; make
  // this backend's own pending counters visible first (on PGlite that is every write there is).
  await sql`select pg_stat_force_next_flush()`.execute(db);
  const { rows } = await sql<{
    table: string;
    live: number;
    dead: number;
    modified: number;
    reltuples: number;
  }>`
    select s.relname as table, s.n_live_tup::int8 as live, s.n_dead_tup::int8 as dead,
           s.n_mod_since_analyze::int8 as modified, c.reltuples::float8 as reltuples
    from pg_stat_user_tables s
    join pg_class c on c.oid = s.relid
    where s.schemaname = current_schema()`.execute(db);
  return rows.map((r) => ({
    table: r.table,
    liveRows: Number(r.live),
    deadRows: Number(r.dead),
    modifiedSinceAnalyze: Number(r.modified),
    neverAnalyzed: Number(r.reltuples) < 0,
  }));
}

export async function maintainDatabase(database: Database$): Promise<MaintenancePlan> {
  const duties = await maintenanceDuties(database);
  if (!duties.analyze && !duties.vacuum) return { analyze: [], vacuum: [] };
  const plan = planMaintenance(await tableActivity(database.db), { vacuum: duties.vacuum });
  if (!duties.analyze) plan.analyze = [];
  // One statement per table: on PGlite each holds the single connection only for its own length.
  // VACUUM cannot run in a transaction block, and Kysely's sql.execute runs it as a lone statement.
  for (const table of plan.vacuum) await sql`vacuum ${sql.table(table)}`.execute(database.db);
  for (const table of plan.analyze) await sql`analyze ${sql.table(table)}`.execute(database.db);
  return plan;
}

export async function startDatabaseMaintenance(queue: JobQueue, database: Database$, log: FastifyBaseLogger) {
  await queue.declare(DATABASE_MAINTENANCE, { retryLimit: 1, retryDelay: 60 });
  await queue.registerWorker(DATABASE_MAINTENANCE, async () => {
    const done = await maintainDatabase(database);
    if (done.analyze.length || done.vacuum.length) log.info(done, "refreshed table statistics");
  });
  await queue.schedule(DATABASE_MAINTENANCE, "*/2 * * * *");
}
