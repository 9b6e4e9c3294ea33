import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { type DataDirLock, lockDataDir } from "./data-dir-lock.ts";
import { ConnectionLock, PGliteDialect } from "./pglite-dialect.ts";
import type { Database } from "./types.ts";
import { WriteWatchPlugin } from "./write-watch.ts";

export type Db = Kysely<Database>;

// What the rest of Parley needs to know about where the data lives. `kind` is only consulted
// where the two really differ: LISTEN/NOTIFY across processes and the job queue's connection.
export interface Database$ {
  db: Db;
  kind: "pglite" | "postgres";
  pglite: PGlite | null;
  pool: pg.Pool | null;
  lock: ConnectionLock | null;
  // The exclusive hold on PGlite's data directory; null in memory and on a PostgreSQL server.
  dataDirLock: DataDirLock | null;
  connectionString: string | null;
  close(): Promise<void>;
}

const INT8 = 20;

// bigint ids and counts come back as numbers: they stay far below 2^53 and the API speaks JSON.
pg.types.setTypeParser(INT8, (value: string) => Number(value));

export interface OpenOptions {
  databaseUrl: string | null;
  dataDir: string | null; // null: PGlite in memory (tests)
  poolSize?: number;
  // PGlite's shared_buffers in MB; unset keeps PostgreSQL's default (128 MB).
  pgliteSharedBuffersMb?: number;
  // The command named in the data directory's lock file, for the message another process gets.
  owner?: string;
}

export async function openDatabase(options: OpenOptions): Promise<Database$> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 20 });
    pool.on("error", () => {
      // An idle client lost its server; the pool replaces it on next use.
    });
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool }),
      plugins: [new WriteWatchPlugin()],
    });
    return {
      db,
      kind: "postgres",
      pglite: null,
      pool,
      lock: null,
      dataDirLock: null,
      connectionString: options.databaseUrl,
      close: () => db.destroy(),
    };
  }
  // Before PGlite touches the directory: a second process in it would corrupt the database.
  const dataDirLock = options.dataDir ? lockDataDir(options.dataDir, options.owner ?? "process") : null;
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      dataDir: options.dataDir ?? undefined,
      extensions: { pg_trgm },
      ...(options.pgliteSharedBuffersMb
        ? {
            startParams: [
              ...PGlite.defaultStartParams,
              "-c",
              `shared_buffers=${options.pgliteSharedBuffersMb}MB`,
            ],
          }
        : {}),
      parsers: { [INT8]: (value: string) => Number(value) },
    });
  } catch (err) {
    dataDirLock?.release();
    throw err;
  }
  const lock = new ConnectionLock();
  const db = new Kysely<Database>({
    dialect: new PGliteDialect(pglite, lock),
    plugins: [new WriteWatchPlugin()],
  });
  return {
    db,
    kind: "pglite",
    pglite,
    pool: null,
    lock,
    dataDirLock,
    connectionString: null,
    close: async () => {
      try {
        await db.destroy();
        await lock.run(() => pglite.close());
      } finally {
        dataDirLock?.release();
      }
    },
  };
}

export async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}
