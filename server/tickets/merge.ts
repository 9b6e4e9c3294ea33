import type { Actor } from "../auth/actor.ts";
import { requireCan } from "../auth/permissions.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import { queueMergeNotice } from "../email/outbox.ts";
import { conflict, invalid } from "../http/errors.ts";
import { appendEvent } from "./events.ts";
import { insertMessage } from "./messages.ts";
import { TICKET_COLUMNS, type TicketRow } from "./present.ts";
import { hasIncidents } from "./problems.ts";
import { lockTicket } from "./service.ts";

export interface MergeInput {
  targetId: number;
  sourceIds: number[];
  // The version of the source, when one ticket is merged from its own page.
  version?: number;
  // Replaces the default text of the notice the requesters get.
  comment?: string;
  // Which request field named the sources, for error paths.
  sourcePath: "params.id" | "sourceIds";
}

// Merges each source into the target in one transaction: the sources' messages move to the
// target (each remembers where it came from), every source is closed with a pointer to the
// target, both sides get a system entry and an event, and the requesters get one public notice
// on the target. All or nothing: a merge that stops half way would scatter a conversation.
export async function mergeTickets(db: Db, actor: Actor, input: MergeInput) {
  requireCan(actor, "ticket.merge");
  const sourceIds = [...new Set(input.sourceIds)];
  if (sourceIds.includes(input.targetId)) {
    const path = input.sourcePath === "sourceIds" ? "sourceIds" : "targetId";
    throw invalid([{ path, message: "a ticket cannot be merged into itself" }]);
  }
  return inTransaction(db, async (trx) => {
    // Row locks in id order, so two merges over the same tickets cannot deadlock.
    const locked = new Map<number, TicketRow>();
    for (const id of [input.targetId, ...sourceIds].sort((a, b) => a - b)) {
      locked.set(id, await lockTicket(trx, actor, id));
    }
    const target = locked.get(input.targetId)!;
    requireOpenForMerge(target);
    const sources = sourceIds.map((id) => locked.get(id)!);
    for (const source of sources) {
      if (input.version !== undefined && input.version !== source.version) {
        throw conflict("ticket_version_conflict", "Someone else changed this ticket. Reload and try again.", {
          current: source,
        });
      }
      requireOpenForMerge(source);
    }
    const merged: TicketRow[] = [];
    for (const source of sources) merged.push(await mergeOne(trx, actor, source, target));
    await noticeToRequesters(trx, actor, target, merged, input.comment);
    const updated = await trx
      .updateTable("tickets")
      .set({ updated_at: new Date() })
      .where("workspace_id", "=", target.workspace_id)
      .where("id", "=", target.id)
      .returning(TICKET_COLUMNS)
      .executeTakeFirstOrThrow();
    return { target: updated, sources: merged };
  });
}

function requireOpenForMerge(ticket: TicketRow) {
  if (ticket.merged_into_id !== null) {
    throw conflict("ticket_merged", `Ticket #${ticket.number} was already merged.`, {
      mergedIntoId: ticket.merged_into_id,
    });
  }
  if (ticket.status === "closed") {
    throw conflict("ticket_closed", `Ticket #${ticket.number} is closed; closed tickets cannot be merged.`);
  }
}

async function mergeOne(trx: Db, actor: Actor, source: TicketRow, target: TicketRow) {
  const ws = source.workspace_id;
  if (await hasIncidents(trx, ws, source.id)) {
    // A problem's incidents follow it to another problem; anything else would orphan them.
    if (target.type !== "problem") {
      throw invalid([
        {
          path: "targetId",
          message: `#${source.number} has linked incidents: merge it into a problem ticket`,
        },
      ]);
    }
    await trx
      .updateTable("tickets")
      .set({ problem_id: target.id })
      .where("workspace_id", "=", ws)
      .where("problem_id", "=", source.id)
      .execute();
  }
  const moved = await trx
    .updateTable("messages")
    .set({ ticket_id: target.id, moved_from_ticket_id: source.id })
    .where("workspace_id", "=", ws)
    .where("ticket_id", "=", source.id)
    .returning("id")
    .execute();
  const now = new Date();
  const closed = await trx
    .updateTable("tickets")
    .set({
      merged_into_id: target.id,
      status: "closed",
      solved_at: source.solved_at ?? now,
      closed_at: now,
      version: source.version + 1,
      updated_at: now,
    })
    .where("workspace_id", "=", ws)
    .where("id", "=", source.id)
    .returning(TICKET_COLUMNS)
    .executeTakeFirstOrThrow();
  const entry = `Ticket #${source.number} was merged into #${target.number}.`;
  await appendEvent(trx, actor, closed, "ticket.merged", {
    mergedIntoId: target.id,
    status: { from: source.status, to: "closed" },
    movedMessageIds: moved.map((m) => m.id),
  });
  await insertMessage(trx, actor, closed, {
    kind: "system",
    direction: null,
    author: { system: true },
    body: entry,
  });
  await appendEvent(trx, actor, target, "ticket.merge_received", {
    sourceId: source.id,
    movedMessageIds: moved.map((m) => m.id),
  });
  await insertMessage(trx, actor, target, {
    kind: "system",
    direction: null,
    author: { system: true },
    body: entry,
  });
  return closed;
}

// The requesters of every merged ticket are told where their conversation went. This public,
// outbound entry is what the email channel sends; the recipients are kept with it. The default
// text names ticket numbers only: a subject could tell one customer about another's request.
async function noticeToRequesters(
  trx: Db,
  actor: Actor,
  target: TicketRow,
  sources: TicketRow[],
  comment: string | undefined,
) {
  const numbers = sources.map((s) => `#${s.number}`).join(", ");
  const body =
    comment ??
    (sources.length === 1
      ? `Request ${numbers} has been merged into request #${target.number}. We will continue here.`
      : `Requests ${numbers} have been merged into request #${target.number}. We will continue here.`);
  const recipients = [...new Set([target.requester_id, ...sources.map((s) => s.requester_id)])];
  const notice = await insertMessage(trx, actor, target, {
    kind: "reply",
    direction: "out",
    author: { system: true },
    body,
    channel: target.channel,
    channelMeta: {
      notice: "merge",
      recipientContactIds: recipients,
      mergedTicketIds: sources.map((s) => s.id),
    },
  });
  await queueMergeNotice(trx, actor, target, sources, notice);
}
