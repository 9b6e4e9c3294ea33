import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createUserSession } from "./auth/sessions.ts";
import { openDatabase } from "./db/connection.ts";
import { migrateToLatest } from "./db/migrate.ts";
import { type ChildParley, startChildParley, stopChildParley } from "./test/child-parley.ts";
import { createUser, createWorkspace } from "./workspaces/service.ts";

// The promise behind "every acknowledged write survives a crash, and a retried write never
// makes a second ticket", checked the hard way: the real server in its own process, killed with
// SIGKILL in the middle of a burst of creations, then started again on the same data.

const ADMIN_EMAIL = "durability-admin@example.test";
const ADMIN_PASSWORD = "durability-password-1";
const BURST = 300;
const KILL_AFTER_ACKS = 40;
const CONCURRENCY = 8;

type Server = ChildParley;

function startParley(dataDir: string): Promise<Server> {
  return startChildParley({
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ADMIN_EMAIL: ADMIN_EMAIL,
    PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
}

const stopParley = stopChildParley;

// On PGlite the fresh data directory gets its admin from PARLEY_ADMIN_* at first start and we
// sign in as a person would. On a shared PostgreSQL test database other workspaces exist, so
// first start creates nobody: make a workspace, admin and session of our own beforehand.
async function prepareAdmin(): Promise<string | null> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) return null;
  const database = await openDatabase({ databaseUrl, dataDir: null, poolSize: 2 });
  try {
    await migrateToLatest(database.db);
    const ws = await createWorkspace(database.db, `Durability ${process.pid} ${Date.now().toString(36)}`);
    const admin = await createUser(database.db, ws.id, {
      name: "Durability",
      email: ADMIN_EMAIL,
      role: "admin",
    });
    return `parley_session=${await createUserSession(database.db, ws.id, admin.id, 1)}`;
  } finally {
    await database.close();
  }
}

async function signIn(url: string) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  assert.equal(res.status, 200, await res.text());
  const cookie = /parley_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "");
  assert.ok(cookie, "sign-in sets the session cookie");
  return cookie[0];
}

// The same body for every try of a key: a replay with a different body is refused.
const ticketBody = (marker: string, key: string) => ({
  subject: `${marker} ${key}`,
  requester: { email: `${marker}@customer.test`, name: "Durable Dana" },
  comment: { body: `Burst ticket ${key}` },
});

function createTicket(url: string, cookie: string, marker: string, key: string) {
  return fetch(`${url}/api/v1/tickets`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, "idempotency-key": key },
    body: JSON.stringify(ticketBody(marker, key)),
  });
}

// Every ticket whose subject carries the marker, by key, read page by page through the API.
async function ticketsByKey(url: string, cookie: string, marker: string) {
  const byKey = new Map<string, number[]>();
  let cursor: string | null = null;
  do {
    const query = `limit=100&sort=created_at${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const res = await fetch(`${url}/api/v1/tickets?${query}`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const page = (await res.json()) as { data: { id: number; subject: string }[]; nextCursor: string | null };
    for (const t of page.data) {
      if (!t.subject.startsWith(`${marker} `)) continue;
      const key = t.subject.slice(marker.length + 1);
      byKey.set(key, [...(byKey.get(key) ?? []), t.id]);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return byKey;
}

test("tickets acknowledged before a kill -9 exist exactly once after restart, and keys replay", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "parley-durability-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const marker = `durability-${process.pid}-${Date.now().toString(36)}`;
  const presetCookie = await prepareAdmin();

  let server = await startParley(dataDir);
  t.after(() => stopParley(server, "SIGKILL"));
  const cookie = presetCookie ?? (await signIn(server.url));
  // The requester exists before the burst, so the burst races on nothing but the crash.
  const warmUp = await createTicket(server.url, cookie, `${marker}-warm-up`, `${marker}-warm-up`);
  assert.equal(warmUp.status, 201, await warmUp.text());

  const keys = Array.from({ length: BURST }, (_, i) => `${marker}-${i}`);
  const acknowledged = new Map<string, number>();
  let nextKey = 0;
  let killed = false;
  let killScheduled = false;
  const victim = server;
  const worker = async () => {
    while (!killed && nextKey < keys.length) {
      const key = keys[nextKey++];
      try {
        const res = await createTicket(victim.url, cookie, marker, key);
        const body = (await res.json()) as { id: number };
        // Read fully before counting it: a response cut by the kill is not an acknowledgement.
        if (res.status === 201) acknowledged.set(key, body.id);
        else assert.fail(`unexpected ${res.status} for ${key}: ${JSON.stringify(body)}`);
      } catch (err) {
        if (!killed) throw err;
      }
      if (!killScheduled && acknowledged.size >= KILL_AFTER_ACKS) {
        killScheduled = true;
        // A few milliseconds later, so the kill lands at any point of the requests in flight.
        setTimeout(
          () => {
            killed = true;
            victim.child.kill("SIGKILL");
          },
          Math.floor(Math.random() * 15),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await stopParley(victim, "SIGKILL");
  assert.ok(killed, "the burst was cut by the kill");
  assert.ok(acknowledged.size >= KILL_AFTER_ACKS && acknowledged.size < BURST);

  server = await startParley(dataDir);
  const afterRestart = await ticketsByKey(server.url, cookie, marker);
  for (const [key, id] of acknowledged) {
    assert.deepEqual(afterRestart.get(key), [id], `acknowledged ${key} exists exactly once`);
  }
  for (const [key, ids] of afterRestart)
    assert.equal(ids.length, 1, `${key} made one ticket, not ${ids.length}`);
  t.diagnostic(
    `${acknowledged.size} acknowledged, ${afterRestart.size - acknowledged.size} committed without an answer`,
  );

  for (const key of keys) {
    const res = await createTicket(server.url, cookie, marker, key);
    const body = (await res.json()) as { id: number };
    assert.equal(res.status, 201, `replay of ${key}: ${JSON.stringify(body)}`);
    const replayed = res.headers.get("idempotent-replayed") === "true";
    if (acknowledged.has(key)) {
      assert.ok(replayed, `acknowledged ${key} is replayed, not made again`);
      assert.equal(body.id, acknowledged.get(key));
    } else if (afterRestart.has(key)) {
      // Committed, but the answer died with the process: the retry gets that ticket.
      assert.ok(replayed, `committed ${key} is replayed`);
      assert.equal(body.id, afterRestart.get(key)![0]);
    } else {
      assert.ok(!replayed, `${key} never committed, so the retry creates it`);
    }
  }

  const final = await ticketsByKey(server.url, cookie, marker);
  assert.deepEqual(
    keys.filter((key) => final.get(key)?.length !== 1),
    [],
    "every key ends with exactly one ticket",
  );
  assert.equal(final.size, keys.length);
  await stopParley(server, "SIGTERM");
});
