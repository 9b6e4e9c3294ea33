import type { FastifyBaseLogger } from "fastify";
import { sql } from "kysely";
import type { Actor, UserActor } from "../auth/actor.ts";
import { requireCan } from "../auth/permissions.ts";
import {
  type ContactRef,
  contactKey,
  contactsByIds,
  findOrCreateContactsByEmail,
} from "../contacts/service.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import {
  claimId,
  claimKeys,
  type IdempotencyClaim,
  type Outcome,
  replayOf,
  runIdempotent,
  storeResponses,
} from "../http/idempotency.ts";
import {
  draftTicket,
  insertTicketDrafts,
  openingStatus,
  startsDone,
  type TicketDraft,
} from "./create-batch.ts";
import { activeFieldDefinitions, mergeFieldValues } from "./field-values.ts";
import { presentTicket } from "./present.ts";
import { type CreateTicketInput, createTicket } from "./service.ts";

type TicketView = ReturnType<typeof presentTicket>;

interface Pending {
  actor: UserActor;
  input: CreateTicketInput;
  claim: IdempotencyClaim | null;
  resolve(outcome: Outcome<TicketView>): void;
  reject(err: unknown): void;
}

// What became of one request in a batch: its answer, its own error, or "alone" when the batch
// cannot decide for it and createTicket must (which then gives exactly the answer or error a
// request on its own always got).
type Result = { outcome: Outcome<TicketView> } | { error: unknown } | "alone";

export interface CreationQueueOptions {
  // Most requests written by one transaction.
  maxBatch: number;
  log?: FastifyBaseLogger;
}

// Group commit for POST /api/v1/tickets. Requests that arrive while a batch is being written
// wait for the next one; each batch is one transaction with one statement per table for all
// its tickets and one commit, so PostgreSQL parses, plans and flushes the WAL once per batch
// instead of once per ticket. A request with nobody else waiting is written at once, alone.
// Each request still gets its own answer and its own error (docs/tickets.md, "Many at once").
//
// One batch is written at a time per process. Two at a time were measured too: with 64 callers
// they split into batches of about 20 instead of two alternating groups of about 32, and a
// ticket cost more CPU; on PGlite the one connection serializes them anyway.
export class TicketCreationQueue {
  readonly #db: Db;
  readonly #options: CreationQueueOptions;
  #waiting: Pending[] = [];
  #writing = false;
  #scheduled = false;
  // Requests being written on their own (see Result), outside any batch.
  #alone = 0;
  #drained: (() => void)[] = [];

  constructor(db: Db, options: CreationQueueOptions) {
    this.#db = db;
    this.#options = options;
  }

  // Agents and integrations. A customer's own ticket goes alone: it queues a "received" email.
  static accepts(actor: Actor): actor is UserActor {
    return actor.type === "user";
  }

  submit(actor: UserActor, input: CreateTicketInput, claim: IdempotencyClaim | null) {
    requireCan(actor, "ticket.create");
    return new Promise<Outcome<TicketView>>((resolve, reject) => {
      this.#waiting.push({ actor, input, claim, resolve, reject });
      this.#schedule();
    });
  }

  // Resolves once nothing waits and nothing is being written (for shutdown).
  drain(): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  #idle() {
    return this.#waiting.length === 0 && !this.#writing && this.#alone === 0;
  }

  #settle() {
    if (this.#idle()) for (const done of this.#drained.splice(0)) done();
  }

  // On the next turn of the event loop, so requests parsed in this one join the same batch.
  #schedule() {
    if (this.#scheduled || this.#writing || this.#waiting.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#writing || this.#waiting.length === 0) return;
      this.#writing = true;
      void this.#run(this.#take()).finally(() => {
        this.#writing = false;
        this.#schedule();
        this.#settle();
      });
    });
  }

  // Up to maxBatch requests, first come first served. A second request with the same
  // Idempotency-Key waits for the next batch, where it finds the first one's answer stored.
  #take(): Pending[] {
    const batch: Pending[] = [];
    const keys = new Set<string>();
    const later: Pending[] = [];
    for (const p of this.#waiting) {
      const id = p.claim && claimId(p.claim.workspaceId, p.claim.actor, p.claim.key);
      if (batch.length >= this.#options.maxBatch || (id !== null && keys.has(id))) later.push(p);
      else {
        batch.push(p);
        if (id !== null) keys.add(id);
      }
    }
    this.#waiting = later;
    return batch;
  }

  async #run(batch: Pending[]) {
    // A request alone is written by createTicket: for one ticket, its plain statements cost
    // PostgreSQL less to plan than the batch's (measured at concurrency 1: 3.5 against 5.3 ms).
    if (batch.length === 1) {
      const [p] = batch;
      await createAlone(this.#db, p).then(p.resolve, p.reject);
      return;
    }
    let results: Result[];
    try {
      results = await inTransaction(this.#db, (trx) => writeBatch(trx, batch));
    } catch (err) {
      // Nothing of the batch was written: each request tries again on its own and meets its
      // own fate (an error that came from one request's data is then that request's alone).
      this.#options.log?.warn(
        { err, requests: batch.length },
        "ticket batch failed; writing its requests one by one",
      );
      results = batch.map(() => "alone");
    }
    results.forEach((result, i) => {
      const p = batch[i];
      if (result === "alone") {
        // Not awaited: the next batch need not wait for a straggler's own transaction.
        this.#alone++;
        void createAlone(this.#db, p)
          .then(p.resolve, p.reject)
          .finally(() => {
            this.#alone--;
            this.#settle();
          });
      } else if ("error" in result) p.reject(result.error);
      else p.resolve(result.outcome);
    });
  }
}

function createAlone(db: Db, p: Pending) {
  return runIdempotent(db, p.claim, 201, async (trx) =>
    presentTicket(await createTicket(trx, p.actor, p.input)),
  );
}

// One batch, in one transaction: check what can be checked for all at once (a request that
// fails a check goes alone, so it gets the error createTicket gives), claim the keys, find or
// make the requesters, write every ticket, store the answers.
async function writeBatch(trx: Db, batch: Pending[]): Promise<Result[]> {
  const facts = await checkBatch(trx, batch);
  const results: (Result | null)[] = facts.ok.map((ok) => (ok ? null : "alone"));

  const keyed = batch.map((_, i) => i).filter((i) => results[i] === null && batch[i].claim);
  const earlier = await claimKeys(
    trx,
    keyed.map((i) => batch[i].claim!),
    201,
  );
  keyed.forEach((i, k) => {
    const found = earlier[k];
    if (!found) return;
    try {
      results[i] = { outcome: replayOf<TicketView>(batch[i].claim!, found) };
    } catch (error) {
      results[i] = { error };
    }
  });

  const todo = batch.map((_, i) => i).filter((i) => results[i] === null);
  const byEmail = await findOrCreateContactsByEmail(
    trx,
    todo.flatMap((i) => {
      const r = batch[i].input.requester;
      return r && "email" in r
        ? [{ workspaceId: batch[i].actor.workspaceId, email: r.email, name: r.name }]
        : [];
    }),
  );
  const drafts: TicketDraft[] = todo.map((i) => {
    const { actor, input } = batch[i];
    const r = input.requester!;
    const requester =
      "email" in r
        ? byEmail.get(contactKey(actor.workspaceId, r.email))
        : facts.contactsById.get(`${actor.workspaceId}\n${r.id}`);
    if (!requester) throw new Error("a checked requester is missing");
    return draftTicket(actor, input, requester, facts.customFields[i]);
  });
  const tickets = await insertTicketDrafts(trx, drafts, new Date());
  const answers: { claim: IdempotencyClaim; body: TicketView }[] = [];
  todo.forEach((i, k) => {
    const body = presentTicket(tickets[k]);
    results[i] = { outcome: { replayed: false, status: 201, body } };
    const claim = batch[i].claim;
    if (claim) answers.push({ claim, body });
  });
  await storeResponses(trx, answers);
  return results as Result[];
}

interface BatchFacts {
  // Whether the request passed every check that needs the database.
  ok: boolean[];
  customFields: Record<string, unknown>[];
  contactsById: Map<string, ContactRef>;
}

// The checks createTicket makes one request at a time, made for the whole batch with one
// statement each: requesters named by id, groups and assignees, custom field values. Only
// whether a request passes is decided here; the error a failing one gets comes from createTicket.
async function checkBatch(trx: Db, batch: Pending[]): Promise<BatchFacts> {
  const ok = batch.map(({ input }) => input.requester !== undefined && !startsDone(openingStatus(input)));
  const customFields = batch.map((): Record<string, unknown> => ({}));

  const byId = batch.flatMap((p, i) => {
    const r = p.input.requester;
    return ok[i] && r && "id" in r ? [{ workspaceId: p.actor.workspaceId, id: r.id }] : [];
  });
  const contactsById = byId.length ? await contactsByIds(trx, byId) : new Map<string, ContactRef>();
  batch.forEach((p, i) => {
    const r = p.input.requester;
    if (ok[i] && r && "id" in r && !contactsById.has(`${p.actor.workspaceId}\n${r.id}`)) ok[i] = false;
  });

  const assigned = batch
    .map((p, i) => ({
      i,
      ws: p.actor.workspaceId,
      group: p.input.groupId ?? null,
      assignee: p.input.assigneeId ?? null,
    }))
    .filter((a) => ok[a.i] && (a.group !== null || a.assignee !== null));
  if (assigned.length > 0) {
    const { rows } = await sql<{ i: number; fine: boolean }>`
      select a.i, (
        (a.grp is null or exists (select 1 from groups g where g.workspace_id = a.ws and g.id = a.grp))
        and (a.assignee is null or exists (
          select 1 from users u
          where u.workspace_id = a.ws and u.id = a.assignee and u.active and u.role <> 'light_agent'
            -- The rule of assignees.ts: admins take any group's tickets, agents their groups'.
            and (a.grp is null or u.role = 'admin' or exists (
              select 1 from group_members m
              where m.workspace_id = a.ws and m.group_id = a.grp and m.user_id = a.assignee))))
      ) as fine
      from jsonb_to_recordset(${JSON.stringify(assigned.map((a) => ({ i: a.i, ws: a.ws, grp: a.group, assignee: a.assignee })))}::jsonb)
        as a(i int, ws bigint, grp bigint, assignee bigint)`.execute(trx);
    for (const row of rows) if (!row.fine) ok[row.i] = false;
  }

  const withFields = batch.map((_, i) => i).filter((i) => ok[i] && batch[i].input.customFields);
  const definitions = new Map<number, Awaited<ReturnType<typeof activeFieldDefinitions>>>();
  for (const i of withFields) {
    const ws = batch[i].actor.workspaceId;
    if (!definitions.has(ws)) definitions.set(ws, await activeFieldDefinitions(trx, ws));
    const merged = mergeFieldValues(definitions.get(ws)!, {}, batch[i].input.customFields!);
    if (merged.errors.length) ok[i] = false;
    else customFields[i] = merged.values;
  }
  return { ok, customFields, contactsById };
}
