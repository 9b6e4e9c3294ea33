import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { pino } from "pino";
import { DataDirBusyError, LOCK_FILE, lockDataDir, readLockHolder } from "../db/data-dir-lock.ts";
import { sendToServer, serveControl } from "./channel.ts";

const silent = pino({ level: "silent" });

function tempDataDir(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), "parley-lock-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("a second lock on a data directory is refused with the holder's pid, and released it can be taken", (t) => {
  const dir = tempDataDir(t);
  const first = lockDataDir(dir, "start");
  assert.equal(statSync(join(dir, LOCK_FILE)).mode & 0o777, 0o600, "the token in the lock file is private");
  assert.throws(
    () => lockDataDir(dir, "migrate"),
    (err: unknown) =>
      err instanceof DataDirBusyError &&
      err.holder?.pid === process.pid &&
      /in use by parley start \(pid \d+\)/.test(err.message) &&
      /stop it first/.test(err.message),
  );
  first.release();
  const second = lockDataDir(dir, "migrate");
  assert.equal(readLockHolder(second.dataDir)?.command, "migrate");
  second.release();
});

test("the server runs a command for a client that knows the lock file's token, and no one else", async (t) => {
  const dir = tempDataDir(t);
  const lock = lockDataDir(dir, "start");
  t.after(() => lock.release());
  const control = await serveControl(lock, { echo: async (args) => `echo ${args.word}\n` }, silent);
  t.after(() => control.close());
  const holder = readLockHolder(lock.dataDir)!;
  assert.ok(holder.channel, "the channel is announced in the lock file");

  assert.equal(await sendToServer(holder, "echo", { word: "hello" }), "echo hello\n");
  await assert.rejects(sendToServer({ ...holder, token: "f".repeat(64) }, "echo", {}), /not authorized/);
  await assert.rejects(sendToServer(holder, "drop-everything", {}), /does not take "drop-everything"/);

  await control.close();
  assert.equal(readLockHolder(lock.dataDir)?.channel, null, "a closed channel is taken out of the lock file");
});

test("a client tells nothing to a process on the socket that cannot prove it holds the lock", async (t) => {
  const dir = tempDataDir(t);
  const lock = lockDataDir(dir, "start");
  t.after(() => lock.release());
  const received: string[] = [];
  const impostor = createServer((socket) => {
    socket.write(`${JSON.stringify({ pid: 1, command: "start", nonce: "abc" })}\n`);
    createInterface({ input: socket }).on("line", (line) => {
      received.push(line);
      socket.write(`${JSON.stringify({ proof: "0".repeat(64) })}\n`);
    });
  });
  const path = join(dir, "impostor.sock");
  await new Promise<void>((resolve) => impostor.listen(path, resolve));
  t.after(() => impostor.close());
  const holder = JSON.parse(readFileSync(join(lock.dataDir, LOCK_FILE), "utf8"));
  await assert.rejects(
    sendToServer({ ...holder, channel: path }, "create-admin", { password: "secret-password" }),
    /not the server that holds the lock/,
  );
  assert.equal(received.length, 1, "only the handshake was sent");
  assert.doesNotMatch(received[0], /secret-password|create-admin/);
});
