import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { newToken, sha256 } from "../server/auth/secrets.ts";
import { type Database$, type Db, openDatabase } from "../server/db/connection.ts";
import { migrateToLatest } from "../server/db/migrate.ts";
import { freePort } from "../server/test/free-port.ts";
import { createUser, createWorkspace } from "../server/workspaces/service.ts";

// Where the benchmark's data lives: a database of its own on the PostgreSQL server named by
// DATABASE_URL, or an embedded PGlite directory when DATABASE_URL is unset.
export interface Target {
  kind: "postgres" | "pglite";
  databaseUrl: string | null;
  dataDir: string;
  label: string;
  // The PostgreSQL database's name; null on PGlite.
  database: string | null;
}

export const REPO_ROOT = join(import.meta.dirname, "..");
// PARLEY_BENCH_DATABASE names another database (or PGlite directory suffix), so two benches on
// one machine do not drop each other's data.
const BENCH_DB = process.env.PARLEY_BENCH_DATABASE ?? "parley_bench";
if (!/^[a-z_][a-z0-9_]*$/.test(BENCH_DB))
  throw new Error("PARLEY_BENCH_DATABASE must be a plain lowercase name");

export function benchTarget(): Target {
  const base = process.env.DATABASE_URL;
  if (base) {
    const url = new URL(base);
    url.pathname = `/${BENCH_DB}`;
    return {
      kind: "postgres",
      databaseUrl: url.toString(),
      dataDir: join(tmpdir(), `${BENCH_DB.replaceAll("_", "-")}-files`),
      label: "PostgreSQL",
      database: BENCH_DB,
    };
  }
  return {
    kind: "pglite",
    databaseUrl: null,
    dataDir: join(tmpdir(), `${BENCH_DB.replaceAll("_", "-")}-pglite`),
    label: "PGlite",
    database: null,
  };
}

async function adminQuery(text: string) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

export async function dropTarget(target: Target) {
  if (target.kind === "postgres") await adminQuery(`drop database if exists ${BENCH_DB} with (force)`);
  rmSync(target.dataDir, { recursive: true, force: true });
}

export async function targetExists(target: Target) {
  if (target.kind === "pglite") return existsSync(target.dataDir);
  const { rows } = await adminQuery(`select 1 from pg_database where datname = '${BENCH_DB}'`);
  return rows.length > 0;
}

export async function openTarget(target: Target, fresh: boolean): Promise<Database$> {
  if (fresh) {
    await dropTarget(target);
    if (target.kind === "postgres") await adminQuery(`create database ${BENCH_DB}`);
  }
  const database = await openDatabase({
    databaseUrl: target.databaseUrl,
    dataDir: target.dataDir,
    poolSize: 4,
  });
  await migrateToLatest(database.db);
  return database;
}

export interface BenchWorkspace {
  workspaceId: number;
  groupIds: number[];
  seededTickets: number;
}

// The workspace remembers how many tickets were seeded into it, so --reuse can skip seeding.
export async function findBenchWorkspace(db: Db, tickets: number): Promise<BenchWorkspace | null> {
  const ws = await db
    .selectFrom("workspaces")
    .select(["id", "settings"])
    .where(sql<boolean>`settings->'bench'->>'tickets' = ${String(tickets)}`)
    .executeTakeFirst();
  if (!ws) return null;
  const groups = await db
    .selectFrom("groups")
    .select("id")
    .where("workspace_id", "=", ws.id)
    .orderBy("id")
    .execute();
  return { workspaceId: ws.id, groupIds: groups.map((g) => g.id), seededTickets: tickets };
}

export async function createBenchWorkspace(db: Db) {
  const ws = await createWorkspace(db, `Bench ${new Date().toISOString()}`);
  return ws.id;
}

export async function markSeeded(db: Db, workspaceId: number, tickets: number) {
  await db
    .updateTable("workspaces")
    .set({ settings: JSON.stringify({ bench: { tickets } }) })
    .where("id", "=", workspaceId)
    .execute();
}

export interface BenchIdentity {
  userId: number;
  token: string;
  groupIds: number[];
}

// An admin who sees everything, and an agent restricted to two groups (the permission filter
// is part of the inbox query). API tokens are written directly; their secrets live only here.
export async function benchIdentities(db: Db, workspaceId: number, groupIds: number[]) {
  const tag = Date.now().toString(36);
  const admin = await createUser(db, workspaceId, {
    name: "Bench Admin",
    email: `admin-${tag}@bench.test`,
    role: "admin",
  });
  const agent = await createUser(db, workspaceId, {
    name: "Bench Agent",
    email: `agent-${tag}@bench.test`,
    role: "agent",
    ticketAccess: "groups",
    groupIds: groupIds.slice(0, 2),
  });
  const mint = async (userId: number) => {
    const token = newToken("pat");
    await db
      .insertInto("api_tokens")
      .values({
        workspace_id: workspaceId,
        user_id: userId,
        name: "bench",
        token_hash: sha256(token),
        prefix: token.slice(0, 10),
        scopes: ["read", "write", "admin"],
      })
      .execute();
    return token;
  };
  return {
    admin: { userId: admin.id, token: await mint(admin.id), groupIds } satisfies BenchIdentity,
    agent: {
      userId: agent.id,
      token: await mint(agent.id),
      groupIds: groupIds.slice(0, 2),
    } satisfies BenchIdentity,
  };
}

// The same free-port lookup the tests use.
export { freePort };

export interface ServerProcess {
  url: string;
  pid: number | undefined;
  // The PostgreSQL database it serves (to count only its backends' CPU); undefined on PGlite.
  database: string | undefined;
  child: ChildProcess;
  stop(): Promise<void>;
}

// Parley as an operator runs it: `node server/cli.ts start`, in its own process, so the load
// generator and the server each get their own event loop. Request logging is off (warn):
// a log line per request would measure pino and the terminal, not Parley.
export async function startParley(
  target: Target,
  extraEnv: Record<string, string> = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...extraEnv,
    PARLEY_PORT: String(port),
    PARLEY_DATA_DIR: target.dataDir,
    PARLEY_LOG_LEVEL: process.env.PARLEY_LOG_LEVEL ?? "warn",
    PARLEY_ADMIN_PASSWORD: "bench-password-not-used",
  };
  if (target.databaseUrl) env.DATABASE_URL = target.databaseUrl;
  else delete env.DATABASE_URL;
  // e.g. PARLEY_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server under load.
  const nodeArgs = (process.env.PARLEY_BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, "server/cli.ts", "start"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`parley exited with code ${child.exitCode} during start`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error("parley did not become ready in 60 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid,
    database: target.database ?? undefined,
    child,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
