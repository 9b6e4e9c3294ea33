import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

// Every search reads a GIN index's whole pending list; with the default 4 MB limit and no
// autovacuum (PGlite never runs it) search slowed by half at 1M tickets (docs/benchmarks.md).
test("the GIN indexes that searches read keep a small pending list", async () => {
  const { rows } = await sql<{ relname: string; reloptions: string[] | null }>`
    select c.relname, c.reloptions from pg_class c join pg_am a on a.oid = c.relam
    where a.amname = 'gin' and c.relkind = 'i' and c.relnamespace = 'public'::regnamespace
    order by c.relname`.execute(ctx().database.db);
  assert.ok(rows.length >= 7, `GIN indexes found: ${rows.map((r) => r.relname).join(", ")}`);
  for (const row of rows) {
    assert.ok(
      row.reloptions?.includes("gin_pending_list_limit=256"),
      `${row.relname} has options ${JSON.stringify(row.reloptions)}`,
    );
  }
});
