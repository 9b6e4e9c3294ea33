import type { FastifyBaseLogger } from "fastify";
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import type { FileStore } from "../files/store.ts";
import type { JobQueue } from "./queue.ts";

// Files uploaded for a reply that was never sent (the agent closed the tab, the customer gave
// up) have a row without a message and bytes in the file store, and nothing else ever removes
// them. Once an hour, uploads left unattached for more than a day are deleted: the rows first,
// then their files, so a crash in between leaves at worst a file nobody points at, never a row
// pointing at no file.

export const CLEAN_UNATTACHED_UPLOADS = "files.clean_unattached_uploads";
export const UNATTACHED_UPLOAD_MAX_AGE_MS = 24 * 3600 * 1000;
const BATCH = 500;

// Deletes uploads of every workspace left unattached since before `olderThan`; returns how many.
// An upload being attached at this moment is skipped (its row is locked) and one this removes is
// no longer there to attach: attaching it then fails as for any upload that is gone.
export async function deleteUnattachedUploads(db: Db, store: FileStore, olderThan: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const removed = await db
      .deleteFrom("attachments")
      .where("message_id", "is", null)
      .where(
        sql<boolean>`(workspace_id, id) in (
          select workspace_id, id from attachments
          where message_id is null and created_at < ${olderThan}
          order by created_at
          limit ${BATCH}
          for update skip locked)`,
      )
      .returning(["storage_key"])
      .execute();
    for (const row of removed) await store.delete(row.storage_key);
    total += removed.length;
    if (removed.length < BATCH) return total;
  }
}

export async function startUploadCleanup(queue: JobQueue, db: Db, store: FileStore, log: FastifyBaseLogger) {
  await queue.declare(CLEAN_UNATTACHED_UPLOADS, { retryLimit: 2, retryDelay: 60 });
  await queue.registerWorker(CLEAN_UNATTACHED_UPLOADS, async () => {
    const deleted = await deleteUnattachedUploads(
      db,
      store,
      new Date(Date.now() - UNATTACHED_UPLOAD_MAX_AGE_MS),
    );
    if (deleted > 0) log.info({ deleted }, "deleted uploads never attached to a message");
  });
  await queue.schedule(CLEAN_UNATTACHED_UPLOADS, "17 * * * *");
}
