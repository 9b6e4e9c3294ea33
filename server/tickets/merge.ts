import { sql } from "kysely";
import type { Actor } from "../auth/actor.ts";
import { requireCan } from "../auth/permissions.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { MessageKind } from "../db/types.ts";
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
// target, both sides get a system entry and an event, and each requester is told about their
// own tickets only. All or nothing: a merge that stops half way would scatter a conversation.
//
// A source whose requester is not the target's is another customer's conversation: its public
// messages arrive as internal notes, so nothing mail or the customer's view of the target
// carries (replies, receipts, threading, the portal) shows one customer another's words, and its
// requester's notice goes out on their own ticket, under its own subject and number.
export async function mergeTickets(db: Db, actor: Actor, input: MergeInput) {
  requireCan(actor, "ticket.merge");
  const sourceIds = [...new Set(input.sourceIds)];
  if (sourceIds.includes(input.targetId)) {
    const path = input.sourcePath === "sourceIds" ? "sourceIds" : "targetId";
    throw invalid([{ path, message: "A ticket cannot be merged into itself." }]);
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
    const ownSources = sources.filter((s) => s.requester_id === target.requester_id);
    const keptNotices = await noticeToOtherRequesters(
      trx,
      actor,
      sources.filter((s) => s.requester_id !== target.requester_id),
      input.comment,
    );
    const merged: TicketRow[] = [];
    for (const source of sources) merged.push(await mergeOne(trx, actor, source, target, keptNotices));
    if (ownSources.length > 0) await noticeToRequester(trx, actor, target, ownSources, input.comment);
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

async function mergeOne(trx: Db, actor: Actor, source: TicketRow, target: TicketRow, keep: number[]) {
  const ws = source.workspace_id;
  if (await hasIncidents(trx, ws, source.id)) {
    // A problem's incidents follow it to another problem; anything else would orphan them.
    if (target.type !== "problem") {
      throw invalid([
        {
          path: "targetId",
          message: `#${source.number} has linked incidents, so it can only be merged into a problem ticket.`,
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
  const otherCustomer = source.requester_id !== target.requester_id;
  let moving = trx
    .updateTable("messages")
    .set({ ticket_id: target.id, moved_from_ticket_id: source.id })
    .where("workspace_id", "=", ws)
    .where("ticket_id", "=", source.id);
  if (otherCustomer) {
    // Internal from now on; the direction and author still say who wrote it, and
    // publicBeforeMerge what it was.
    moving = moving.set({
      kind: sql<MessageKind>`case when kind = 'reply' then 'note' else kind end`,
      channel_meta: sql<string>`case when kind = 'reply'
        then coalesce(channel_meta, '{}'::jsonb) || '{"publicBeforeMerge": true}'::jsonb
        else channel_meta end`,
    });
  }
  // The notice just written on the source for its own requester stays there, on their ticket.
  if (keep.length > 0) moving = moving.where("id", "not in", keep);
  const moved = await moving.returning("id").execute();
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

const numbered = (tickets: TicketRow[]) => tickets.map((t) => `#${t.number}`).join(", ");

// The target's requester hears about their own tickets that were merged into it, on the target.
// The default text names ticket numbers only.
async function noticeToRequester(
  trx: Db,
  actor: Actor,
  target: TicketRow,
  sources: TicketRow[],
  comment: string | undefined,
) {
  const numbers = numbered(sources);
  const body =
    comment ??
    (sources.length === 1
      ? `Request ${numbers} has been merged into request #${target.number}. We will continue here.`
      : `Requests ${numbers} have been merged into request #${target.number}. We will continue here.`);
  const notice = await insertMessage(trx, actor, target, {
    kind: "reply",
    direction: "out",
    author: { system: true },
    body,
    channel: target.channel,
    channelMeta: {
      notice: "merge",
      recipientContactIds: [target.requester_id],
      mergedTicketIds: sources.map((s) => s.id),
    },
  });
  await queueMergeNotice(trx, actor, target, sources, notice);
}

// Every other requester hears about their own tickets only, on the first of them, before the
// merge moves its messages: the mail carries their subject and number and threads onto what
// they sent, and says nothing of the ticket their request joined. Returns the notices' ids, which
// stay on their tickets.
async function noticeToOtherRequesters(
  trx: Db,
  actor: Actor,
  sources: TicketRow[],
  comment: string | undefined,
): Promise<number[]> {
  const byRequester = Map.groupBy(sources, (s) => s.requester_id);
  const kept: number[] = [];
  for (const tickets of byRequester.values()) {
    const [first] = tickets;
    const numbers = numbered(tickets);
    const body =
      comment ??
      (tickets.length === 1
        ? `Your request ${numbers} is being handled together with a related request, so we have closed it here. To add anything, simply reply to this email.`
        : `Your requests ${numbers} are being handled together with a related request, so we have closed them here. To add anything, simply reply to this email.`);
    const notice = await insertMessage(trx, actor, first, {
      kind: "reply",
      direction: "out",
      author: { system: true },
      body,
      channel: first.channel,
      channelMeta: {
        notice: "merge",
        recipientContactIds: [first.requester_id],
        mergedTicketIds: tickets.map((s) => s.id),
      },
    });
    kept.push(notice.id);
    await queueMergeNotice(trx, actor, first, tickets.slice(1), notice);
  }
  return kept;
}
