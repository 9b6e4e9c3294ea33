import { sql } from "kysely";
import type { Actor } from "../auth/actor.ts";
import { requireCan } from "../auth/permissions.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { TicketPriority, TicketStatus, TicketType } from "../db/types.ts";
import { AppError, type FieldError } from "../http/errors.ts";
import type { TicketRow } from "./present.ts";
import { applyTicketChanges, lockTicket } from "./service.ts";

export interface BulkChanges {
  status?: TicketStatus;
  priority?: TicketPriority;
  type?: TicketType;
  assigneeId?: number | null;
  groupId?: number | null;
  addTags?: string[];
  removeTags?: string[];
}

export type BulkResult =
  | { id: number; ok: true; ticket: TicketRow }
  | { id: number; ok: false; error: { code: string; message: string; errors?: FieldError[] } };

// Applies the same changes to many tickets, each under the rules of a single update. One
// ticket's refusal (closed, a required field, not visible) is reported for that ticket and does
// not undo the others: each ticket runs in its own savepoint of one transaction, so the results
// and an Idempotency-Key commit together.
export async function bulkUpdateTickets(db: Db, actor: Actor, ids: number[], changes: BulkChanges) {
  requireCan(actor, "ticket.bulk_update");
  requireCan(actor, "ticket.update");
  const unique = [...new Set(ids)];
  return inTransaction(db, async (trx) => {
    const results = new Map<number, BulkResult>();
    // Row locks in id order, so two bulk updates over overlapping tickets cannot deadlock.
    for (const id of [...unique].sort((a, b) => a - b)) {
      await sql`savepoint bulk_ticket`.execute(trx);
      try {
        const ticket = await lockTicket(trx, actor, id);
        const updated = await applyTicketChanges(trx, actor, ticket, changes);
        await sql`release savepoint bulk_ticket`.execute(trx);
        results.set(id, { id, ok: true, ticket: updated });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        await sql`rollback to savepoint bulk_ticket`.execute(trx);
        results.set(id, {
          id,
          ok: false,
          error: { code: error.code, message: error.message, errors: error.errors },
        });
      }
    }
    return unique.map((id) => results.get(id)!);
  });
}
