import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { type ChildParley, startChildParley, stopChildParley } from "./test/child-parley.ts";
import { freePort } from "./test/free-port.ts";

// The embedded database belongs to one process. A user who runs the CLI beside `parley start` on
// the same data directory (a second process opening PGlite's files corrupted them beyond repair)
// gets the command run by the server, or a refusal naming the server's pid; the data stays whole,
// and a server killed with SIGKILL leaves no lock behind.

const run = promisify(execFile);
const cli = join(import.meta.dirname, "cli.ts");
const ADMIN = { email: "owner@example.test", password: "owner-password-1" };
// The lock guards the embedded database; with DATABASE_URL set the tests still use a directory.
const embedded = { DATABASE_URL: "", PARLEY_ADMIN_EMAIL: ADMIN.email, PARLEY_ADMIN_PASSWORD: ADMIN.password };

function tempDataDir(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), "parley-beside-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function parley(dataDir: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      env: { ...process.env, ...embedded, PARLEY_DATA_DIR: dataDir, PARLEY_LOG_LEVEL: "warn", ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function signIn(url: string, email: string, password: string) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 200, `${email} signs in: ${await res.text()}`);
  return /parley_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")![0];
}

async function ticketCount(url: string, cookie: string) {
  let count = 0;
  let cursor: string | null = null;
  do {
    const query: string = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const res = await fetch(`${url}/api/v1/tickets?${query}`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const page = (await res.json()) as { data: unknown[]; nextCursor: string | null };
    count += page.data.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

// The first-start message is written after the server answers /readyz, so it may arrive later.
async function outputMatching(server: ChildParley, pattern: RegExp) {
  const deadline = Date.now() + 30_000;
  while (!pattern.test(server.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

const start = (dataDir: string) => startChildParley({ ...embedded, PARLEY_DATA_DIR: dataDir });

test("beside a running server, seed-demo and create-admin run in it, migrate and start are refused", async (t) => {
  const dataDir = tempDataDir(t);
  let server: ChildParley = await start(dataDir);
  t.after(() => stopChildParley(server, "SIGKILL"));
  const pid = server.child.pid!;

  const seed = await parley(dataDir, ["seed-demo", "--tickets", "8"]);
  assert.equal(seed.code, 0, seed.stderr);
  assert.match(seed.stderr, new RegExp(`running seed-demo in the Parley server .* \\(pid ${pid}\\)`));
  assert.match(seed.stdout, /Seeded workspace 1 .*\n {2}8 tickets/);
  const agent = /email: +(\S+)\n {2}password: (\S+)/.exec(seed.stdout);
  assert.ok(agent, `seed-demo says how to sign in as an agent:\n${seed.stdout}`);

  const admin = await parley(dataDir, [
    "create-admin",
    "--email",
    "boss@example.test",
    "--password",
    "boss-password-1",
  ]);
  assert.equal(admin.code, 0, admin.stderr);
  assert.match(admin.stdout, /Created admin boss@example.test in workspace 1/);

  const migrate = await parley(dataDir, ["migrate"]);
  assert.equal(migrate.code, 1);
  assert.match(migrate.stderr, new RegExp(`in use by parley start \\(pid ${pid}\\)`));
  assert.match(migrate.stderr, new RegExp(`stop it first .*kill ${pid}`));

  const second = await parley(dataDir, ["start"], { PARLEY_PORT: String(await freePort()) });
  assert.equal(second.code, 1);
  assert.match(second.stderr, new RegExp(`in use by parley start \\(pid ${pid}\\)`));
  assert.match(second.stderr, /already running on this directory/);

  // The seeded tickets are in the admin's own inbox, and everyone the commands made can sign in.
  const ownerCookie = await signIn(server.url, ADMIN.email, ADMIN.password);
  assert.equal(await ticketCount(server.url, ownerCookie), 8);
  await signIn(server.url, "boss@example.test", "boss-password-1");
  await signIn(server.url, agent[1], agent[2]);

  // Stopped, the directory opens again: a command then runs in its own process.
  await stopChildParley(server, "SIGTERM");
  const alone = await parley(dataDir, ["seed-demo", "--tickets", "2"]);
  assert.equal(alone.code, 0, alone.stderr);
  assert.doesNotMatch(alone.stderr, /running seed-demo in the Parley server/);
  assert.equal((await parley(dataDir, ["migrate"])).code, 0);
  server = await start(dataDir);
  assert.equal(await ticketCount(server.url, await signIn(server.url, ADMIN.email, ADMIN.password)), 10);
});

test("a server killed with SIGKILL leaves no lock: the next start and the CLI open the data", async (t) => {
  const dataDir = tempDataDir(t);
  // No admin password given: the first start makes one and says where to change it.
  let server: ChildParley = await startChildParley({ DATABASE_URL: "", PARLEY_DATA_DIR: dataDir });
  t.after(() => stopChildParley(server, "SIGKILL"));
  await outputMatching(server, /change it on the Settings page/);
  assert.match(
    server.output(),
    /password: +\S{10,}\n.*change it on the Settings page \(http:\/\/\S+\/settings\)/,
  );
  assert.doesNotMatch(server.output(), /POST \/api\/v1\/auth\/password/);
  const seed = await parley(dataDir, ["seed-demo", "--tickets", "3"]);
  assert.equal(seed.code, 0, seed.stderr);
  await stopChildParley(server, "SIGKILL");

  const admin = await parley(dataDir, [
    "create-admin",
    "--email",
    "after@example.test",
    "--password",
    "after-crash-1",
  ]);
  assert.equal(admin.code, 0, admin.stderr);
  assert.doesNotMatch(admin.stderr, /in use/);
  server = await start(dataDir);
  assert.equal(
    await ticketCount(server.url, await signIn(server.url, "after@example.test", "after-crash-1")),
    3,
  );

  await stopChildParley(server, "SIGKILL");
  server = await start(dataDir);
  assert.equal(
    await ticketCount(server.url, await signIn(server.url, "after@example.test", "after-crash-1")),
    3,
  );
});
