import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { actorKey } from "../auth/actor.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import { AppError, badRequest } from "./errors.ts";

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

// Runs a POST under its Idempotency-Key. The key row is written in the same transaction as the
// work, first: a concurrent retry waits on the unique key and then replays the stored answer,
// and a crash before commit leaves neither the work nor the key. So a client that retries after
// a timeout gets exactly one ticket, whatever happened to the first attempt.
export async function idempotent<T>(
  db: Db,
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  work: (trx: Db) => Promise<T>,
): Promise<T> {
  const key = req.headers["idempotency-key"];
  if (key === undefined) {
    reply.status(status);
    return inTransaction(db, work);
  }
  if (typeof key !== "string" || !KEY_PATTERN.test(key)) {
    throw badRequest("invalid_idempotency_key", "Idempotency-Key must be 1-200 visible ASCII characters.");
  }
  const actor = req.actor;
  const requestHash = createHash("sha256")
    .update(
      `${req.method} ${req.routeOptions.url}\n${JSON.stringify(req.params)}\n${JSON.stringify(req.body ?? null)}`,
    )
    .digest("hex");
  const outcome = await inTransaction(db, async (trx) => {
    const claimed = await trx
      .insertInto("idempotency_keys")
      .values({
        workspace_id: actor.workspaceId,
        actor: actorKey(actor),
        key,
        request_hash: requestHash,
        status_code: status,
        response: "null",
      })
      .onConflict((oc) => oc.doNothing())
      .returning("key")
      .executeTakeFirst();
    if (!claimed) {
      const earlier = await trx
        .selectFrom("idempotency_keys")
        .select(["request_hash", "status_code", "response"])
        .where("workspace_id", "=", actor.workspaceId)
        .where("actor", "=", actorKey(actor))
        .where("key", "=", key)
        .executeTakeFirstOrThrow();
      if (earlier.request_hash !== requestHash) {
        throw new AppError(
          422,
          "idempotency_key_reused",
          "This Idempotency-Key was already used with a different request.",
        );
      }
      return { replayed: true as const, status: earlier.status_code, body: earlier.response as T };
    }
    const body = await work(trx);
    await trx
      .updateTable("idempotency_keys")
      .set({ response: JSON.stringify(body) })
      .where("workspace_id", "=", actor.workspaceId)
      .where("actor", "=", actorKey(actor))
      .where("key", "=", key)
      .execute();
    return { replayed: false as const, status, body };
  });
  reply.status(outcome.status);
  if (outcome.replayed) reply.header("idempotent-replayed", "true");
  return outcome.body;
}
