import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { loadConfig } from "../config.ts";
import { openDatabase } from "./connection.ts";

// The embedded database's page cache is most of an idle embedded server's memory, so its size
// is a setting (docs/configuration.md) and the default is small.
test("the embedded database runs with the configured shared_buffers", async () => {
  const config = loadConfig({ PARLEY_PGLITE_SHARED_BUFFERS_MB: "24" });
  const database = await openDatabase({
    databaseUrl: null,
    dataDir: null,
    pgliteSharedBuffersMb: config.pgliteSharedBuffersMb,
  });
  try {
    const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(database.db);
    assert.equal(rows[0].shared_buffers, "24MB");
    // pg_trgm and the other start parameters still apply.
    const params = await sql<{ s: string }>`show max_worker_processes`.execute(database.db);
    assert.equal(Object.values(params.rows[0])[0], "0");
  } finally {
    await database.close();
  }
});

test("PARLEY_PGLITE_SHARED_BUFFERS_MB defaults to 16 MB and refuses nonsense", () => {
  assert.equal(loadConfig({}).pgliteSharedBuffersMb, 16);
  assert.throws(
    () => loadConfig({ PARLEY_PGLITE_SHARED_BUFFERS_MB: "0" }),
    /PARLEY_PGLITE_SHARED_BUFFERS_MB/,
  );
});
