import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { LocalFileStore } from "../files/store.ts";
import { buildWorkspace, type Client, useTestApp } from "../test/harness.ts";
import { deleteUnattachedUploads, UNATTACHED_UPLOAD_MAX_AGE_MS } from "./unattached-uploads.ts";

const storeDir = mkdtempSync(join(tmpdir(), "parley-upload-cleanup-"));
after(() => rmSync(storeDir, { recursive: true, force: true }));
const ctx = useTestApp({ PARLEY_FILE_STORE_DIR: storeDir });

async function upload(client: Client, name: string) {
  const boundary = `----parley${Math.random().toString(16).slice(2)}`;
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
      `Content-Type: text/plain\r\n\r\nlog of ${name}\r\n--${boundary}--\r\n`,
  );
  const res = await client.request("POST", "/api/v1/attachments", body, {
    "content-type": `multipart/form-data; boundary=${boundary}`,
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as number;
}

test("uploads left unattached for more than a day are deleted, rows and files; others stay", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  const attached = await upload(admin, "attached.txt");
  const fresh = await upload(admin, "fresh.txt");
  const abandoned = await upload(admin, "abandoned.txt");
  const oldButAttached = await upload(admin, "old-attached.txt");
  const ticket = await ws.ticket();
  const reply = await admin.post(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "Logs attached.",
    attachmentIds: [attached, oldButAttached],
  });
  assert.equal(reply.statusCode, 201, reply.body);
  // Two days old: the abandoned one, and one that was attached in time.
  await ws.db
    .updateTable("attachments")
    .set({ created_at: new Date(Date.now() - 2 * UNATTACHED_UPLOAD_MAX_AGE_MS) } as never)
    .where("workspace_id", "=", ws.id)
    .where("id", "in", [abandoned, oldButAttached])
    .execute();
  const keyOf = async (id: number) =>
    (
      await ws.db
        .selectFrom("attachments")
        .select("storage_key")
        .where("workspace_id", "=", ws.id)
        .where("id", "=", id)
        .executeTakeFirst()
    )?.storage_key;
  const abandonedKey = (await keyOf(abandoned))!;

  const store = new LocalFileStore(storeDir);
  const deleted = await deleteUnattachedUploads(
    ws.db,
    store,
    new Date(Date.now() - UNATTACHED_UPLOAD_MAX_AGE_MS),
  );
  assert.ok(deleted >= 1);
  assert.equal(await keyOf(abandoned), undefined);
  await assert.rejects(store.get(abandonedKey), /no file is stored/);
  assert.equal((await admin.get(`/api/v1/attachments/${abandoned}`)).statusCode, 404);
  for (const id of [attached, fresh, oldButAttached]) {
    assert.ok(await keyOf(id), `upload ${id} is kept`);
    assert.equal((await admin.get(`/api/v1/attachments/${id}`)).statusCode, 200);
  }
  // Nothing left to do: a second run deletes none of this workspace's.
  await deleteUnattachedUploads(ws.db, store, new Date(Date.now() - UNATTACHED_UPLOAD_MAX_AGE_MS));
  assert.ok(await keyOf(fresh));
});
