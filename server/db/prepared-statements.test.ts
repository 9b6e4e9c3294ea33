import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { type Database$, openDatabase } from "./connection.ts";
import { withPreparedStatements } from "./prepared-statements.ts";

// Statements prepared once per connection: the same answers as unprepared ones, and a table
// changed under a prepared statement costs one failed statement, not a broken connection.
let database: Database$;

before(async () => {
  database = await openDatabase({
    databaseUrl: process.env.DATABASE_URL ?? null,
    dataDir: null,
    poolSize: 2,
  });
});

after(() => database.close());

test("on PGlite the database is used as it is", { skip: !!process.env.DATABASE_URL }, () => {
  assert.equal(withPreparedStatements(database), database.db);
});

test("prepared statements answer like plain ones and survive a changed table", {
  skip: !process.env.DATABASE_URL,
}, async () => {
  const db = withPreparedStatements(database);
  const table = sql.table(`prepared_${process.pid}_${Date.now().toString(36)}`);
  await sql`create table ${table} (id int primary key, name text)`.execute(db);
  try {
    await sql`insert into ${table} values (1, 'one'), (2, 'two')`.execute(db);
    const read = (id: number) =>
      sql<{ id: number; name: string }>`select * from ${table} where id = ${id}`.execute(db);
    for (let i = 0; i < 7; i++)
      assert.deepEqual((await read(1 + (i % 2))).rows, [{ id: 1 + (i % 2), name: i % 2 ? "two" : "one" }]);
    await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${table}`.execute(trx);
      assert.equal(rows[0].n, 2);
    });
    // Every pooled connection has the statement prepared by now, or soon will.
    await sql`alter table ${table} add column extra int`.execute(database.db);
    const attempts: string[] = [];
    for (let i = 0; i < 4; i++) {
      try {
        const { rows } = await read(1);
        attempts.push(Object.keys(rows[0]).join(","));
      } catch (err) {
        attempts.push((err as { code?: string }).code ?? "error");
      }
    }
    // At most one failure per connection that held the old plan, then the new shape.
    assert.ok(attempts.filter((a) => a === "0A000").length <= 2, attempts.join(" "));
    assert.equal(attempts.at(-1), "id,name,extra");
  } finally {
    await sql`drop table ${table}`.execute(database.db);
  }
});
