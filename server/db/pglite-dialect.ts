import type { PGlite } from "@electric-sql/pglite";
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";

// PGlite is a single connection. Kysely asks for a connection per query or per transaction,
// so handing it out under a lock is what keeps one request's transaction from swallowing
// another request's statements.
export class ConnectionLock {
  #tail: Promise<void> = Promise.resolve();

  async acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    await previous;
    return release;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly pglite: PGlite;
  release: (() => void) | null = null;

  constructor(pglite: PGlite) {
    this.pglite = pglite;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(compiled.sql, compiled.parameters as unknown[]);
    return {
      rows: result.rows,
      numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered on a single embedded connection
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming queries are not supported on PGlite");
  }
}

class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  readonly #lock: ConnectionLock;

  constructor(pglite: PGlite, lock: ConnectionLock) {
    this.#connection = new PGliteConnection(pglite);
    this.#lock = lock;
  }

  async init() {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#lock.acquire();
    this.#connection.release = release;
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : "";
    await (connection as PGliteConnection).pglite.exec(`begin${level}`);
  }

  async commitTransaction(connection: DatabaseConnection) {
    await (connection as PGliteConnection).pglite.exec("commit");
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    await (connection as PGliteConnection).pglite.exec("rollback");
  }

  async releaseConnection(connection: DatabaseConnection) {
    const c = connection as PGliteConnection;
    const release = c.release;
    c.release = null;
    release?.();
  }

  async destroy() {}
}

export class PGliteDialect implements Dialect {
  readonly #pglite: PGlite;
  readonly #lock: ConnectionLock;

  constructor(pglite: PGlite, lock: ConnectionLock) {
    this.#pglite = pglite;
    this.#lock = lock;
  }

  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver() {
    return new PGliteDriver(this.#pglite, this.#lock);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
