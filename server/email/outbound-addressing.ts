import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import type { TicketRow } from "../tickets/present.ts";

// Where an outbound mail goes and what it answers: the sending mailbox, the recipients, and the
// threading headers, read from the ticket when the mail is queued.

export type Mailbox = { id: number; name: string; address: string; settings: Record<string, unknown> };

// The mailbox the ticket's mail came in through (processing records it on the first inbound
// message), else the workspace's first active mailbox.
export async function mailboxForTicket(
  trx: Db,
  ticket: TicketRow,
  preferredId?: number,
): Promise<Mailbox | null> {
  let id = preferredId ?? null;
  if (id === null) {
    const first = await trx
      .selectFrom("messages")
      .select(sql<string | null>`channel_meta->>'mailboxId'`.as("mailbox_id"))
      .where("workspace_id", "=", ticket.workspace_id)
      .where("ticket_id", "=", ticket.id)
      .where("channel", "=", "email")
      .where("direction", "=", "in")
      // Only the ticket's own conversation: another customer's mail merged in is a note.
      .where("kind", "=", "reply")
      .where(sql<boolean>`channel_meta ? 'mailboxId'`)
      .orderBy("id")
      .limit(1)
      .executeTakeFirst();
    id = first?.mailbox_id ? Number(first.mailbox_id) : null;
  }
  const base = trx
    .selectFrom("mailboxes")
    .select(["id", "name", "address", "settings"])
    .where("workspace_id", "=", ticket.workspace_id)
    .where("active", "=", true);
  const chosen =
    id !== null && Number.isSafeInteger(id) ? await base.where("id", "=", id).executeTakeFirst() : null;
  return chosen ?? (await base.orderBy("id").limit(1).executeTakeFirst()) ?? null;
}

const plainAddress = (address: string) =>
  address
    .trim()
    .toLowerCase()
    .replace(/\+[^@]*@/, "@");

export async function primaryEmails(trx: Db, workspaceId: number, contactIds: number[]) {
  if (contactIds.length === 0) return new Map<number, string>();
  const rows = await trx
    .selectFrom("contact_identities")
    .select(["contact_id", "value"])
    .where("workspace_id", "=", workspaceId)
    .where("kind", "=", "email")
    .where("contact_id", "in", contactIds)
    .orderBy("contact_id")
    .orderBy("position")
    .execute();
  const emails = new Map<number, string>();
  for (const row of rows) if (!emails.has(row.contact_id)) emails.set(row.contact_id, row.value);
  return emails;
}

// The requester first, the ticket's CCs after; never one of our own mailboxes (that would loop),
// never an address twice.
export async function recipientsFor(trx: Db, ticket: TicketRow, contactIds?: number[]) {
  const ws = ticket.workspace_id;
  let ids = contactIds;
  if (!ids) {
    const participants = await trx
      .selectFrom("ticket_participants")
      .select("contact_id")
      .where("workspace_id", "=", ws)
      .where("ticket_id", "=", ticket.id)
      .orderBy("created_at")
      .execute();
    ids = [ticket.requester_id, ...participants.map((p) => p.contact_id)];
  }
  const emails = await primaryEmails(trx, ws, ids);
  const candidates = ids.map((id) => emails.get(id)).filter((e): e is string => !!e);
  const ours = candidates.length
    ? await trx
        .selectFrom("mailboxes")
        .select(sql<string>`lower(address)`.as("address"))
        .where(sql`lower(address)`, "in", candidates.map(plainAddress))
        .execute()
    : [];
  const skip = new Set(ours.map((m) => m.address));
  const list: string[] = [];
  for (const email of candidates) {
    const key = plainAddress(email);
    if (skip.has(key)) continue;
    skip.add(key);
    list.push(email);
  }
  return { to: list.slice(0, 1), cc: list.slice(1) };
}

// References grow with the conversation; mail servers refuse very long headers, and the newest
// ids are the ones that thread.
const MAX_REFERENCES = 20;

// In-Reply-To names the latest mail the customer sent us; References lists the conversation's
// known Message-IDs (theirs and ours), oldest first, ending with the one replied to.
export async function threadFor(trx: Db, ticket: TicketRow, fromContactId?: number) {
  const ws = ticket.workspace_id;
  let inbound = trx
    .selectFrom("messages")
    .select(["external_id", "created_at"])
    .where("workspace_id", "=", ws)
    .where("ticket_id", "=", ticket.id)
    .where("channel", "=", "email")
    .where("direction", "=", "in")
    // Another customer's mail merged in (a note now) must not be named in this customer's headers.
    .where("kind", "=", "reply")
    .where("external_id", "is not", null);
  if (fromContactId !== undefined) inbound = inbound.where("author_contact_id", "=", fromContactId);
  const theirs = await inbound
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(MAX_REFERENCES)
    .execute();
  const ours =
    fromContactId !== undefined
      ? []
      : await trx
          .selectFrom("outbound_emails")
          .select(["message_id_header as external_id", "created_at"])
          .where("workspace_id", "=", ws)
          .where("ticket_id", "=", ticket.id)
          .orderBy("created_at", "desc")
          .limit(MAX_REFERENCES)
          .execute();
  const inReplyTo = theirs[0]?.external_id ?? null;
  const chain = [...theirs, ...ours]
    .sort((a, b) => a.created_at.getTime() - b.created_at.getTime())
    .map((m) => m.external_id as string)
    .filter((id) => id !== inReplyTo);
  const references = [...new Set(chain)].slice(-(MAX_REFERENCES - 1));
  if (inReplyTo) references.push(inReplyTo);
  return { inReplyTo, references };
}
