import { sql } from "kysely";
import type { Static } from "typebox";
import type { UserActor } from "../auth/actor.ts";
import { ticketVisibleTo } from "../auth/permissions.ts";
import type { Db } from "../db/connection.ts";
import { decodeCursor, encodeCursor } from "../tickets/queries.ts";
import type { NotificationListQuery, NotificationView } from "./schemas.ts";

type ListQuery = Static<typeof NotificationListQuery>;
type View = Static<typeof NotificationView>;

const EXCERPT_CHARS = 140;

// The actor's own notifications on tickets they may see now. One whose ticket left their sight
// (group access changed, reassigned out of their groups) is left out of lists and counts, so its
// subject never leaks; it comes back if access does.
function ownVisible(db: Db, actor: UserActor) {
  return db
    .selectFrom("notifications as n")
    .innerJoin("tickets as t", (j) =>
      j.onRef("t.workspace_id", "=", "n.workspace_id").onRef("t.id", "=", "n.ticket_id"),
    )
    .where("n.workspace_id", "=", actor.workspaceId)
    .where("n.user_id", "=", actor.userId)
    .where(ticketVisibleTo(actor));
}

// Newest first, by id: ids are handed out in insertion order, so the keyset is one column.
export async function listNotifications(db: Db, actor: UserActor, query: ListQuery) {
  const limit = query.limit ?? 20;
  let q = ownVisible(db, actor)
    .innerJoin("ticket_events as e", (j) =>
      j.onRef("e.workspace_id", "=", "n.workspace_id").onRef("e.id", "=", "n.event_id"),
    )
    .leftJoin("users as u", (j) =>
      j
        .onRef("u.workspace_id", "=", "e.workspace_id")
        .onRef("u.id", "=", "e.actor_id")
        .on("e.actor_type", "=", "user"),
    )
    .leftJoin("contacts as c", (j) =>
      j
        .onRef("c.workspace_id", "=", "e.workspace_id")
        .onRef("c.id", "=", "e.actor_id")
        .on("e.actor_type", "=", "contact"),
    )
    // A mention's event names the note it came from.
    .leftJoin("messages as m", (j) =>
      j
        .onRef("m.workspace_id", "=", "n.workspace_id")
        .onRef("m.ticket_id", "=", "n.ticket_id")
        .on("n.kind", "=", "mentioned")
        .on("m.kind", "=", "note")
        .on(sql<boolean>`m.id = (e.changes->>'messageId')::bigint`),
    )
    .select([
      "n.id",
      "n.kind",
      "n.created_at",
      "n.read_at",
      "t.id as ticket_id",
      "t.number as ticket_number",
      "t.subject as ticket_subject",
      "e.actor_type",
      "e.actor_id",
      "u.name as user_name",
      "c.name as contact_name",
      "m.body_text as note_text",
    ]);
  if (query.unread) q = q.where("n.read_at", "is", null);
  if (query.cursor) {
    const [, id] = decodeCursor(query.cursor);
    q = q.where("n.id", "<", id);
  }
  const rows = await q
    .orderBy("n.id", "desc")
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const myName = await ownName(db, actor);
  return {
    data: page.map(
      (r): View => ({
        id: r.id,
        kind: r.kind,
        createdAt: r.created_at.toISOString(),
        readAt: r.read_at ? r.read_at.toISOString() : null,
        ticket: { id: r.ticket_id, number: r.ticket_number, subject: r.ticket_subject },
        actor:
          r.actor_type === "system"
            ? null
            : { type: r.actor_type, id: r.actor_id, name: r.user_name ?? r.contact_name ?? null },
        excerpt: r.note_text == null ? null : excerptAround(r.note_text, myName),
      }),
    ),
    nextCursor: rows.length > limit && last ? encodeCursor("n", last.id) : null,
  };
}

export async function unreadCount(db: Db, actor: UserActor): Promise<number> {
  const row = await ownVisible(db, actor)
    .where("n.read_at", "is", null)
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function ownName(db: Db, actor: UserActor) {
  const row = await db
    .selectFrom("users")
    .select("name")
    .where("workspace_id", "=", actor.workspaceId)
    .where("id", "=", actor.userId)
    .executeTakeFirst();
  return row?.name ?? "";
}

// The note's text on one line, cut to about EXCERPT_CHARS around where it names the reader, so a
// mention at the end of a long note still shows the sentence that matters.
export function excerptAround(text: string, name: string) {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= EXCERPT_CHARS) return flat;
  const at = name ? flat.toLowerCase().indexOf(`@${name.toLowerCase()}`) : -1;
  const start = at > 40 ? Math.min(at - 40, flat.length - EXCERPT_CHARS) : 0;
  const end = start + EXCERPT_CHARS;
  return `${start > 0 ? "…" : ""}${flat.slice(start, end).trim()}${end < flat.length ? "…" : ""}`;
}
