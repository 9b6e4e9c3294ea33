import { createHash } from "node:crypto";
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from "kysely";
import type pg from "pg";
import type { Database$, Db } from "./connection.ts";
import type { Database } from "./types.ts";
import { WriteWatchPlugin } from "./write-watch.ts";

// A Kysely on the same pool whose statements are prepared once per connection (named statements
// of the extended protocol) and then only bound and executed: PostgreSQL parses and plans each
// statement text once instead of on every call. For work that runs the same few statements
// thousands of times, such as inbound mail processing, that took about a third of PostgreSQL's CPU
// per mail. Not for everything: a prepared statement may switch to a generic plan after five runs,
// which suits key look-ups and inserts but not searches whose best plan depends on the words.
// PGlite is returned as it is.

// Distinct statement texts one connection keeps prepared; texts past that run unnamed.
const MAX_PER_CONNECTION = 500;
const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

interface Prepared {
  client: pg.PoolClient;
  names: Set<string>;
  // Changed when a statement's cached plan went stale (a migration changed a table under it), so
  // every text is prepared again under a new name.
  generation: number;
}

// Statement text to its hash, shared by all connections: hashing every statement again cost more
// than a tenth of the Node side of a query. Bounded like the statements themselves.
const hashes = new Map<string, string>();

function hashOf(text: string): string {
  let hash = hashes.get(text);
  if (hash === undefined) {
    hash = createHash("sha1").update(text).digest("base64url").slice(0, 24);
    if (hashes.size >= MAX_PER_CONNECTION * 4) hashes.clear();
    hashes.set(text, hash);
  }
  return hash;
}

function nameFor(state: Prepared, text: string): string | null {
  if (TRANSACTION_CONTROL.test(text)) return null;
  const name = `k${state.generation}_${hashOf(text)}`;
  if (!state.names.has(name)) {
    if (state.names.size >= MAX_PER_CONNECTION) return null;
    state.names.add(name);
  }
  return name;
}

// "cached plan must not change result type": the table changed since the statement was prepared.
const isStalePlan = (err: unknown) => (err as { code?: string } | null)?.code === "0A000";

export function withPreparedStatements(database: Database$): Db {
  if (database.kind !== "postgres" || !database.pool) return database.db;
  const pool = database.pool;
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const preparedPool: PostgresPool = {
    async connect() {
      const client = await pool.connect();
      let facade = wrapped.get(client);
      if (!facade) {
        const state: Prepared = { client, names: new Set(), generation: 0 };
        facade = {
          async query(text: string, values: unknown[]) {
            const name = nameFor(state, text);
            if (name === null) return client.query(text, values);
            try {
              return await client.query({ name, text, values });
            } catch (err) {
              if (isStalePlan(err)) {
                state.generation++;
                state.names.clear();
              }
              throw err;
            }
          },
          release: () => client.release(),
        } as unknown as PostgresPoolClient;
        wrapped.set(client, facade);
      }
      return facade;
    },
    // The pool belongs to the database: whoever opened it ends it.
    async end() {},
  };
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: preparedPool }),
    plugins: [new WriteWatchPlugin()],
  });
}
