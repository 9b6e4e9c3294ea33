import type { Actor } from "../auth/actor.ts";
import type { Db } from "../db/connection.ts";
import { customerVisibleFieldKeys } from "../fields/service.ts";
import {
  type MessageRow,
  messageAttachments,
  presentAttachment,
  presentMessages,
  presentTicket,
  type TicketRow,
} from "./present.ts";

// What a customer (a contact, through the portal or the API) may know of a ticket: what they
// asked, where it stands, the public conversation, and the fields an admin marked visible.
// Nothing the team uses to run the ticket: no tags, priority, type, assignee, group, problem or
// merge links, delivery details, email headers, ids of anyone on the team, or hidden fields.
// Like every presenter it names each member, so a new column cannot leak to customers.

interface Names {
  contacts: Map<number, string>;
  users: Map<number, string>;
  organizations: Map<number, string>;
}

export interface CustomerTicketContext {
  names: Names;
  visibleFields: Set<string>;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

async function loadNames(
  db: Db,
  workspaceId: number,
  ids: { contacts: number[]; users: number[]; organizations: number[] },
): Promise<Names> {
  const unique = (xs: number[]) => [...new Set(xs)];
  const [contacts, users, organizations] = await Promise.all([
    ids.contacts.length
      ? db
          .selectFrom("contacts")
          .select(["id", "name"])
          .where("workspace_id", "=", workspaceId)
          .where("id", "in", unique(ids.contacts))
          .execute()
      : [],
    ids.users.length
      ? db
          .selectFrom("users")
          .select(["id", "name"])
          .where("workspace_id", "=", workspaceId)
          .where("id", "in", unique(ids.users))
          .execute()
      : [],
    ids.organizations.length
      ? db
          .selectFrom("organizations")
          .select(["id", "name"])
          .where("workspace_id", "=", workspaceId)
          .where("id", "in", unique(ids.organizations))
          .execute()
      : [],
  ]);
  const byId = (rows: { id: number; name: string }[]) => new Map(rows.map((r) => [r.id, r.name]));
  return { contacts: byId(contacts), users: byId(users), organizations: byId(organizations) };
}

export async function customerTicketContext(
  db: Db,
  workspaceId: number,
  tickets: TicketRow[],
): Promise<CustomerTicketContext> {
  const [names, visibleFields] = await Promise.all([
    loadNames(db, workspaceId, {
      contacts: tickets.map((t) => t.requester_id),
      users: [],
      organizations: tickets.flatMap((t) => (t.organization_id === null ? [] : [t.organization_id])),
    }),
    customerVisibleFieldKeys(db, workspaceId),
  ]);
  return { names, visibleFields };
}

export function presentCustomerTicket(t: TicketRow, ctx: CustomerTicketContext) {
  const customFields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(t.custom_fields ?? {})) {
    if (ctx.visibleFields.has(key)) customFields[key] = value;
  }
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    status: t.status,
    requester: { name: ctx.names.contacts.get(t.requester_id) ?? "" },
    organization:
      t.organization_id === null ? null : { name: ctx.names.organizations.get(t.organization_id) ?? "" },
    customFields,
    createdAt: t.created_at.toISOString(),
    updatedAt: t.updated_at.toISOString(),
    solvedAt: iso(t.solved_at),
    closedAt: iso(t.closed_at),
  };
}

// The ticket as the caller may see it: in full for the team, the customer's view for a contact.
export async function presentTicketsFor(db: Db, actor: Actor, tickets: TicketRow[]) {
  if (actor.type !== "contact") return tickets.map(presentTicket);
  const ctx = await customerTicketContext(db, actor.workspaceId, tickets);
  return tickets.map((t) => presentCustomerTicket(t, ctx));
}

export async function presentTicketFor(db: Db, actor: Actor, ticket: TicketRow) {
  const [presented] = await presentTicketsFor(db, actor, [ticket]);
  return presented;
}

// Public replies only: notes are for the team, and system entries (merge and split notices)
// name other tickets. Authors are shown by name; agents by their display name, never their
// email or id.
export async function presentCustomerMessages(db: Db, workspaceId: number, rows: MessageRow[]) {
  const replies = rows.filter((m) => m.kind === "reply");
  const [attachments, names] = await Promise.all([
    messageAttachments(
      db,
      workspaceId,
      replies.map((m) => m.id),
    ),
    loadNames(db, workspaceId, {
      contacts: replies.flatMap((m) => (m.author_contact_id === null ? [] : [m.author_contact_id])),
      users: replies.flatMap((m) => (m.author_user_id === null ? [] : [m.author_user_id])),
      organizations: [],
    }),
  ]);
  return replies.map((m) => {
    const name =
      m.author_type === "contact" && m.author_contact_id !== null
        ? (names.contacts.get(m.author_contact_id) ?? "")
        : m.author_type === "user" && m.author_user_id !== null
          ? (names.users.get(m.author_user_id) ?? "")
          : null;
    return {
      id: m.id,
      ticketId: m.ticket_id,
      author: { type: m.author_type, name },
      body: m.body_text,
      html: m.body_html,
      attachments: attachments.filter((a) => a.message_id === m.id).map(presentAttachment),
      createdAt: m.created_at.toISOString(),
    };
  });
}

// Messages as the caller may see them; delivery details (mail servers, errors) are for the team.
export async function presentMessagesFor(db: Db, actor: Actor, rows: MessageRow[]) {
  if (actor.type === "contact") return presentCustomerMessages(db, actor.workspaceId, rows);
  return presentMessages(db, actor.workspaceId, rows);
}
