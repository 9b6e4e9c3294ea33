import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { useTestApp } from "../test/harness.ts";
import { maintainDatabase, maintenanceDuties, planMaintenance, tableActivity } from "./maintenance.ts";

const ctx = useTestApp();

test("a table is due for ANALYZE past autovacuum's threshold, or when it has rows and was never analyzed", () => {
  const base = { deadRows: 0, neverAnalyzed: false };
  const plan = planMaintenance(
    [
      { ...base, table: "quiet", liveRows: 10_000, modifiedSinceAnalyze: 1_000 },
      { ...base, table: "busy", liveRows: 10_000, modifiedSinceAnalyze: 1_051 },
      { ...base, table: "fresh", liveRows: 3, modifiedSinceAnalyze: 0, neverAnalyzed: true },
      { ...base, table: "empty", liveRows: 0, modifiedSinceAnalyze: 0, neverAnalyzed: true },
      { ...base, table: "churned", liveRows: 1_000, modifiedSinceAnalyze: 0, deadRows: 251 },
    ],
    { vacuum: true },
  );
  assert.deepEqual(plan, { analyze: ["busy", "fresh"], vacuum: ["churned"] });
  assert.deepEqual(
    planMaintenance([{ ...base, table: "churned", liveRows: 0, modifiedSinceAnalyze: 0, deadRows: 51 }], {
      vacuum: false,
    }).vacuum,
    [],
  );
});

test("maintenance refreshes the statistics of a table that changed, then leaves it alone", async () => {
  const { database } = ctx();
  const table = `maintenance_probe_${process.pid}`;
  await sql`create table ${sql.table(table)} (id int primary key, note text)`.execute(database.db);
  await sql`insert into ${sql.table(table)} select g, 'row ' || g from generate_series(1, 2000) g`.execute(
    database.db,
  );
  await sql`delete from ${sql.table(table)} where id <= 1000`.execute(database.db);
  const duties = await maintenanceDuties(database);

  const first = await maintainDatabase(database);
  const probe = async () => (await tableActivity(database.db)).find((t) => t.table === table);
  if (duties.analyze) {
    assert.ok(first.analyze.includes(table), `${table} was analyzed: ${JSON.stringify(first)}`);
    const after = await probe();
    assert.equal(after?.neverAnalyzed, false);
    const { rows } = await sql<{ reltuples: number }>`
      select reltuples::float8 as reltuples from pg_class where relname = ${table}`.execute(database.db);
    assert.equal(Number(rows[0]?.reltuples), 1000, "the planner now knows the table's size");
    const second = await maintainDatabase(database);
    assert.ok(!second.analyze.includes(table), "nothing changed since, so nothing to do");
  } else {
    // A server whose autovacuum runs keeps its own statistics; Parley stays out of its way.
    assert.deepEqual(first, { analyze: [], vacuum: [] });
  }
  if (duties.vacuum) {
    assert.ok(first.vacuum.includes(table), "half the rows were deleted: the table was vacuumed");
    assert.equal((await probe())?.deadRows, 0);
  }
  await sql`drop table ${sql.table(table)}`.execute(database.db);
});
