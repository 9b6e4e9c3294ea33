import { type ExpressionBuilder, sql } from "kysely";
import type { Database } from "../db/types.ts";
import { forbidden } from "../http/errors.ts";
import type { Actor, UserActor } from "./actor.ts";

// What each role may do. Light agents read and leave internal notes; agents work tickets;
// admins also configure the workspace. Contacts act only on their own (or their organization's)
// tickets, through the portal.
export type Action =
  | "ticket.create"
  | "ticket.update"
  | "ticket.reply"
  | "ticket.note"
  | "ticket.merge"
  | "ticket.bulk_update"
  | "contact.read"
  | "contact.write"
  | "workspace.admin";

const USER_ACTIONS: Record<UserActor["role"], Set<Action>> = {
  admin: new Set<Action>([
    "ticket.create",
    "ticket.update",
    "ticket.reply",
    "ticket.note",
    "ticket.merge",
    "ticket.bulk_update",
    "contact.read",
    "contact.write",
    "workspace.admin",
  ]),
  agent: new Set<Action>([
    "ticket.create",
    "ticket.update",
    "ticket.reply",
    "ticket.note",
    "ticket.merge",
    "ticket.bulk_update",
    "contact.read",
    "contact.write",
  ]),
  light_agent: new Set<Action>(["ticket.note", "contact.read"]),
};

const CONTACT_ACTIONS = new Set<Action>(["ticket.create", "ticket.reply"]);

// An API token acts with its owner's role, but an admin's power also needs the token's admin
// scope, whichever route asks: a route that forgets `config: { scope: "admin" }` stays closed.
const lacksAdminScope = (actor: Actor, action: Action) =>
  action === "workspace.admin" &&
  actor.type === "user" &&
  actor.scopes !== null &&
  !actor.scopes.includes("admin");

export function can(actor: Actor, action: Action): boolean {
  if (actor.type === "system") return true;
  if (actor.type === "contact") return CONTACT_ACTIONS.has(action);
  if (lacksAdminScope(actor, action)) return false;
  return USER_ACTIONS[actor.role].has(action);
}

export function requireCan(actor: Actor, action: Action): void {
  if (lacksAdminScope(actor, action)) throw forbidden('This API token lacks the "admin" scope.');
  if (!can(actor, action)) throw forbidden();
}

export function isAgent(actor: Actor): actor is UserActor {
  return actor.type === "user";
}

export function requireAgent(actor: Actor): asserts actor is UserActor {
  if (actor.type !== "user") throw forbidden();
}

interface TicketVisibilityFields {
  group_id: number | null;
  assignee_id: number | null;
  requester_id: number;
  organization_id: number | null;
}

export function canSeeTicket(actor: Actor, ticket: TicketVisibilityFields): boolean {
  if (actor.type === "system") return true;
  if (actor.type === "contact") {
    if (ticket.requester_id === actor.contactId) return true;
    return (
      actor.seesOrganizationTickets &&
      actor.organizationId !== null &&
      ticket.organization_id === actor.organizationId
    );
  }
  if (actor.role === "admin" || actor.ticketAccess === "all") return true;
  if (ticket.assignee_id === actor.userId) return true;
  return ticket.group_id !== null && actor.groupIds.includes(ticket.group_id);
}

// The same rule as canSeeTicket, as SQL, for lists and search over the tickets table `t`.
export function ticketVisibleTo(actor: Actor) {
  return (eb: ExpressionBuilder<Database & { t: Database["tickets"] }, "t">) => {
    if (actor.type === "system") return sql<boolean>`true`;
    if (actor.type === "contact") {
      const own = eb("t.requester_id", "=", actor.contactId);
      if (!actor.seesOrganizationTickets || actor.organizationId === null) return own;
      return eb.or([own, eb("t.organization_id", "=", actor.organizationId)]);
    }
    if (actor.role === "admin" || actor.ticketAccess === "all") return sql<boolean>`true`;
    const mine = eb("t.assignee_id", "=", actor.userId);
    if (actor.groupIds.length === 0) return mine;
    return eb.or([mine, eb("t.group_id", "in", actor.groupIds)]);
  };
}
