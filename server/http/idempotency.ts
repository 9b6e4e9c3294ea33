import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { sql } from "kysely";
import { actorKey } from "../auth/actor.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import { AppError, badRequest } from "./errors.ts";

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

// One caller's Idempotency-Key for one request: whose it is, and a hash of what was asked, so a
// reuse of the key for a different request is told apart from a retry.
export interface IdempotencyClaim {
  workspaceId: number;
  actor: string;
  key: string;
  requestHash: string;
}

export interface Outcome<T> {
  replayed: boolean;
  status: number;
  body: T;
}

// The request's claim, or null when it sent no Idempotency-Key.
export function idempotencyClaim(req: FastifyRequest): IdempotencyClaim | null {
  const key = req.headers["idempotency-key"];
  if (key === undefined) return null;
  if (typeof key !== "string" || !KEY_PATTERN.test(key)) {
    throw badRequest("invalid_idempotency_key", "Idempotency-Key must be 1-200 visible ASCII characters.");
  }
  const requestHash = createHash("sha256")
    .update(
      `${req.method} ${req.routeOptions.url}\n${JSON.stringify(req.params)}\n${JSON.stringify(req.body ?? null)}`,
    )
    .digest("hex");
  return { workspaceId: req.actor.workspaceId, actor: actorKey(req.actor), key, requestHash };
}

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
  const outcome = await runIdempotent(db, idempotencyClaim(req), status, work);
  return sendOutcome(reply, outcome);
}

export function sendOutcome<T>(reply: FastifyReply, outcome: Outcome<T>): T {
  reply.status(outcome.status);
  if (outcome.replayed) reply.header("idempotent-replayed", "true");
  return outcome.body;
}

export async function runIdempotent<T>(
  db: Db,
  claim: IdempotencyClaim | null,
  status: number,
  work: (trx: Db) => Promise<T>,
): Promise<Outcome<T>> {
  if (!claim) return { replayed: false, status, body: await inTransaction(db, work) };
  return inTransaction(db, async (trx) => {
    const earlier = await claimKeys(trx, [claim], status);
    const found = earlier[0];
    if (found) return replayOf<T>(claim, found);
    const body = await work(trx);
    await storeResponses(trx, [{ claim, body }]);
    return { replayed: false, status, body };
  });
}

export interface StoredAnswer {
  requestHash: string;
  status: number;
  response: unknown;
}

// Claims every key of a batch in one statement, in key order, so two batches that share keys
// wait for each other rather than deadlock. For each claim, in order: null if it is now ours
// (do the work, then storeResponses), or the answer stored by whoever claimed it first.
export async function claimKeys(
  trx: Db,
  claims: IdempotencyClaim[],
  status: number,
): Promise<(StoredAnswer | null)[]> {
  if (claims.length === 0) return [];
  const rows = JSON.stringify(
    claims
      .map((c) => ({ ws: c.workspaceId, actor: c.actor, key: c.key, hash: c.requestHash }))
      .sort((a, b) => a.ws - b.ws || compare(a.actor, b.actor) || compare(a.key, b.key)),
  );
  const { rows: claimed } = await sql<{ ws: number; actor: string; key: string }>`
    insert into idempotency_keys (workspace_id, actor, key, request_hash, status_code, response)
    select c.ws, c.actor, c.key, c.hash, ${status}::int, 'null'::jsonb
    from jsonb_to_recordset(${rows}::jsonb) as c(ws bigint, actor text, key text, hash text)
    on conflict do nothing
    returning workspace_id as ws, actor, key`.execute(trx);
  const ours = new Set(claimed.map((c) => claimId(c.ws, c.actor, c.key)));
  const others = claims.filter((c) => !ours.has(claimId(c.workspaceId, c.actor, c.key)));
  const stored = new Map<string, StoredAnswer>();
  if (others.length > 0) {
    // `= any(array)` on each key column walks the primary key; a join to the list would not.
    const { rows: found } = await sql<{ ws: number; actor: string; key: string } & StoredAnswer>`
      select k.workspace_id as ws, k.actor, k.key, k.request_hash as "requestHash",
        k.status_code as status, k.response
      from idempotency_keys k
      where k.workspace_id = any(${distinct(others.map((c) => c.workspaceId))}::bigint[])
        and k.actor = any(${distinct(others.map((c) => c.actor))}::text[])
        and k.key = any(${distinct(others.map((c) => c.key))}::text[])`.execute(trx);
    for (const f of found) stored.set(claimId(f.ws, f.actor, f.key), f);
  }
  return claims.map((c) => {
    const id = claimId(c.workspaceId, c.actor, c.key);
    if (ours.has(id)) return null;
    const found = stored.get(id);
    if (!found) throw new Error("idempotency key neither claimed nor found");
    return found;
  });
}

// What a request whose key was claimed before gets: the first answer, or a refusal if the key
// was used for a different request.
export function replayOf<T>(claim: IdempotencyClaim, earlier: StoredAnswer): Outcome<T> {
  if (earlier.requestHash !== claim.requestHash) {
    throw new AppError(
      422,
      "idempotency_key_reused",
      "This Idempotency-Key was already used with a different request.",
    );
  }
  return { replayed: true, status: earlier.status, body: earlier.response as T };
}

// Stores the answers of claimed keys, in the transaction that did the work.
export async function storeResponses(trx: Db, answers: { claim: IdempotencyClaim; body: unknown }[]) {
  if (answers.length === 0) return;
  const rows = JSON.stringify(
    answers.map((a) => ({
      ws: a.claim.workspaceId,
      actor: a.claim.actor,
      key: a.claim.key,
      response: a.body,
    })),
  );
  // The `= any(array)` conditions let PostgreSQL find the rows by primary key before matching
  // them to the answers; joined to the list alone, it would scan the table.
  await sql`
    update idempotency_keys k set response = a.response
    from jsonb_to_recordset(${rows}::jsonb) as a(ws bigint, actor text, key text, response jsonb)
    where k.workspace_id = any(${distinct(answers.map((a) => a.claim.workspaceId))}::bigint[])
      and k.actor = any(${distinct(answers.map((a) => a.claim.actor))}::text[])
      and k.key = any(${distinct(answers.map((a) => a.claim.key))}::text[])
      and k.workspace_id = a.ws and k.actor = a.actor and k.key = a.key`.execute(trx);
}

export const claimId = (workspaceId: number, actor: string, key: string) =>
  `${workspaceId}\n${actor}\n${key}`;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const distinct = <T>(values: T[]) => [...new Set(values)];
