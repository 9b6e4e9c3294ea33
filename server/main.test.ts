import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import pg from "pg";
import { TestSocket } from "./realtime/live-app.ts";

// `parley start` as an operator runs it, in a child process: on SIGTERM it must finish what it
// is doing and exit 0. On PostgreSQL it gets a fresh database of its own, so that it makes its
// first workspace and admin as on a real first start.
const PASSWORD = "correct horse battery";
const EMAIL = "admin@shutdown.test";
let dataDir: string;
let databaseUrl: string | null = null;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "parley-shutdown-"));
  if (process.env.DATABASE_URL) {
    databaseUrl = `${process.env.DATABASE_URL}_shutdown`;
    await adminQuery(`drop database if exists "${new URL(databaseUrl).pathname.slice(1)}"`);
    await adminQuery(`create database "${new URL(databaseUrl).pathname.slice(1)}"`);
  }
});

after(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  if (databaseUrl) await adminQuery(`drop database if exists "${new URL(databaseUrl).pathname.slice(1)}"`);
});

async function adminQuery(text: string) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

// Collects the child's log lines (pino JSON on stdout) and lets the test wait for one.
function watchLog(child: ChildProcess) {
  const lines: Record<string, any>[] = [];
  const waiters: { match: (l: Record<string, any>) => boolean; resolve: (l: Record<string, any>) => void }[] =
    [];
  let buffered = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    for (const part of parts) {
      if (!part.startsWith("{")) continue;
      const line = JSON.parse(part) as Record<string, any>;
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (w.match(line)) w.resolve(line);
        else waiters.push(w);
      }
    }
  });
  return {
    lines,
    next(match: (l: Record<string, any>) => boolean) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise<Record<string, any>>((resolve) => waiters.push({ match, resolve }));
    },
  };
}

test("SIGTERM lets an in-flight request finish, tells websockets 1001, and exits 0", async () => {
  const child = spawn(process.execPath, ["server/cli.ts", "start"], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl ?? "",
      PARLEY_DATA_DIR: dataDir,
      PARLEY_PORT: "0",
      PARLEY_LOG_LEVEL: "info",
      PARLEY_ADMIN_EMAIL: EMAIL,
      PARLEY_ADMIN_PASSWORD: PASSWORD,
      PARLEY_SHUTDOWN_GRACE_MS: "30000",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const log = watchLog(child);
  const listening = await log.next(
    (l) => typeof l.msg === "string" && l.msg.startsWith("Server listening at"),
  );
  const base = listening.msg.replace("Server listening at ", "") as string;

  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  assert.equal(login.status, 200);
  const cookie = login.headers.get("set-cookie")!.split(";")[0];
  const socket = await TestSocket.open(`${base.replace("http", "ws")}/api/v1/realtime`, { cookie });

  // A request whose body is still arriving when the signal comes.
  const body = JSON.stringify({ email: EMAIL, password: PASSWORD });
  const half = Math.floor(body.length / 2);
  const slow = request(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    slow.on("response", (res) => {
      let text = "";
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    slow.on("error", reject);
  });
  const logged = log.lines.length;
  slow.write(body.slice(0, half));
  await log.next((l) => log.lines.indexOf(l) >= logged && l.msg === "incoming request");

  child.kill("SIGTERM");
  await log.next((l) => l.msg === "shutting down");
  assert.equal((await socket.closed).code, 1001);
  slow.end(body.slice(half));

  const finished = await response;
  assert.equal(finished.status, 200, finished.body);
  assert.equal(JSON.parse(finished.body).email, EMAIL);
  assert.equal(await exited, 0);
  assert.deepEqual(
    log.lines.filter((l) => l.level >= 40).map((l) => l.msg),
    [],
    "no warnings or errors on a clean shutdown",
  );
});
