import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { TICKET_COLUMNS, type TicketRow } from "../tickets/present.ts";
import { ticketFromMessageId, ticketNumberFromSubject } from "./ticket-token.ts";

// What threading reads from a parsed mail.
export interface ThreadHeaders {
  inReplyTo: string[];
  references: string[];
  subject: string;
}

export type ThreadVia = "in_reply_to" | "references" | "message_id_token" | "subject_token";

export interface ThreadMatch {
  ticket: TicketRow;
  via: ThreadVia;
}

// Merges can chain (A into B, later B into C); a cycle cannot happen, but a bound costs nothing.
const MAX_MERGE_HOPS = 10;

// Message-IDs are compared in their "<id@host>" form, whichever form the header used.
export function canonicalMessageId(id: string): string {
  const bare = id.trim().replace(/^<+|>+$/g, "");
  return bare ? `<${bare}>` : "";
}

// The ids a reply points at, the most specific first: In-Reply-To names the mail answered, and
// References lists the conversation oldest first, so it is read from its end.
function referencedIds(headers: ThreadHeaders): { id: string; via: ThreadVia }[] {
  const seen = new Set<string>();
  const out: { id: string; via: ThreadVia }[] = [];
  const add = (raw: string, via: ThreadVia) => {
    const id = canonicalMessageId(raw);
    if (!id || id.length > 998 || seen.has(id)) return;
    seen.add(id);
    out.push({ id, via });
  };
  for (const id of headers.inReplyTo) add(id, "in_reply_to");
  for (const id of [...headers.references].reverse()) add(id, "references");
  return out.slice(0, 100);
}

// The ticket a mail belongs to, in the documented order: a Message-ID Parley knows (an inbound
// message's or one Parley sent), the ticket token in a Parley Message-ID, the [#N] subject token.
// Null: the mail starts a new ticket. Merged tickets resolve to the ticket they were merged into.
export async function findThread(
  db: Db,
  workspaceId: number,
  headers: ThreadHeaders,
): Promise<ThreadMatch | null> {
  const refs = referencedIds(headers);
  const known = await ticketsByMessageId(
    db,
    workspaceId,
    refs.map((r) => r.id),
  );
  for (const ref of refs) {
    const ticketId = known.get(ref.id);
    if (ticketId !== undefined) return resolved(db, workspaceId, ticketId, ref.via);
  }
  for (const ref of refs) {
    const token = ticketFromMessageId(ref.id);
    if (token?.workspaceId !== workspaceId) continue;
    const ticketId = await ticketIdByNumber(db, workspaceId, token.ticketNumber);
    if (ticketId !== null) return resolved(db, workspaceId, ticketId, "message_id_token");
  }
  const number = ticketNumberFromSubject(headers.subject);
  if (number !== null) {
    const ticketId = await ticketIdByNumber(db, workspaceId, number);
    if (ticketId !== null) return resolved(db, workspaceId, ticketId, "subject_token");
  }
  return null;
}

// Inbound messages carry their Message-ID as external_id; outbound ones as message_id_header.
// Mails that reused a Message-ID are several messages with one external_id: a reply to that id
// goes to the ticket of the first of them (the lowest message id), whatever arrives later with
// the same id, so a thread does not move once it has started.
async function ticketsByMessageId(db: Db, workspaceId: number, ids: string[]) {
  const found = new Map<string, number>();
  if (ids.length === 0) return found;
  const inbound = await db
    .selectFrom("messages")
    .select(["external_id", "ticket_id"])
    .where("workspace_id", "=", workspaceId)
    .where("channel", "=", "email")
    .where("external_id", "=", sql<string>`any(${ids}::text[])`)
    .orderBy("id")
    .execute();
  for (const row of inbound)
    if (row.external_id && !found.has(row.external_id)) found.set(row.external_id, row.ticket_id);
  const outbound = await db
    .selectFrom("outbound_emails as o")
    .leftJoin("messages as m", (j) =>
      j.onRef("m.workspace_id", "=", "o.workspace_id").onRef("m.id", "=", "o.message_id"),
    )
    .select(["o.message_id_header", sql<number | null>`coalesce(o.ticket_id, m.ticket_id)`.as("ticket_id")])
    .where("o.workspace_id", "=", workspaceId)
    .where("o.message_id_header", "=", sql<string>`any(${ids}::text[])`)
    .execute();
  for (const row of outbound) {
    if (row.ticket_id !== null && !found.has(row.message_id_header))
      found.set(row.message_id_header, row.ticket_id);
  }
  return found;
}

async function ticketIdByNumber(db: Db, workspaceId: number, number: number): Promise<number | null> {
  const row = await db
    .selectFrom("tickets")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("number", "=", number)
    .executeTakeFirst();
  return row?.id ?? null;
}

// Locked, because the caller appends to it and may change its status in the same transaction.
async function resolved(
  db: Db,
  workspaceId: number,
  ticketId: number,
  via: ThreadVia,
): Promise<ThreadMatch | null> {
  let id = ticketId;
  for (let hop = 0; hop <= MAX_MERGE_HOPS; hop++) {
    const ticket = await db
      .selectFrom("tickets")
      .select(TICKET_COLUMNS)
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!ticket) return null;
    if (ticket.merged_into_id === null) return { ticket, via };
    id = ticket.merged_into_id;
  }
  return null;
}
