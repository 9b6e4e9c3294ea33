import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { after, test } from "node:test";
import { FileMissingError, LocalFileStore } from "./store.ts";

const root = mkdtempSync(join(tmpdir(), "parley-store-"));
after(() => rmSync(root, { recursive: true, force: true }));

const files = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((p) => statSync(join(dir, p)).isFile());

test("a stored file comes back byte for byte with its size and sha256", async () => {
  const store = new LocalFileStore(join(root, "roundtrip"));
  const parts = ["hello ", "wörld", "!".repeat(100_000)];
  const stored = await store.put(Readable.from(parts.map((p) => Buffer.from(p))));
  const all = parts.join("");
  assert.equal(stored.size, Buffer.byteLength(all));
  assert.equal(stored.sha256, createHash("sha256").update(all).digest("hex"));
  assert.match(stored.key, /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{32}$/);
  assert.equal(await text(await store.get(stored.key)), all);
  assert.deepEqual(files(store.root), [stored.key]);
});

test("a stream that fails midway leaves neither a file nor a temp file", async () => {
  const store = new LocalFileStore(join(root, "failing"));
  async function* broken() {
    yield Buffer.from("first half");
    throw new Error("client went away");
  }
  await assert.rejects(store.put(broken()), /client went away/);
  assert.deepEqual(files(store.root), []);
});

test("two uploads of the same bytes get separate keys, so deleting one keeps the other", async () => {
  const store = new LocalFileStore(join(root, "twins"));
  const a = await store.put(Readable.from([Buffer.from("same")]));
  const b = await store.put(Readable.from([Buffer.from("same")]));
  assert.notEqual(a.key, b.key);
  assert.equal(a.sha256, b.sha256);
  await store.delete(a.key);
  await store.delete(a.key);
  await assert.rejects(store.get(a.key), FileMissingError);
  assert.equal(await text(await store.get(b.key)), "same");
});

test("keys that could leave the store's folder are refused", async () => {
  const store = new LocalFileStore(join(root, "keys"));
  await assert.rejects(store.get("../../etc/passwd"), /not a file store key/);
  await assert.rejects(store.delete("ab/cd/../../x"), /not a file store key/);
});
