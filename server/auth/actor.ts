import type { Role, TicketAccess } from "../db/types.ts";

export const ALL_SCOPES = ["read", "write", "admin"] as const;
export type Scope = (typeof ALL_SCOPES)[number];

// Who is asking. A user is an agent or admin (scopes are set when they came with an API token);
// a contact is a customer of the workspace (the portal's role); system is Parley itself.
export type Actor = UserActor | ContactActor | SystemActor;

export interface UserActor {
  type: "user";
  workspaceId: number;
  userId: number;
  role: Role;
  ticketAccess: TicketAccess;
  groupIds: number[];
  scopes: Scope[] | null;
}

export interface ContactActor {
  type: "contact";
  workspaceId: number;
  contactId: number;
  organizationId: number | null;
  seesOrganizationTickets: boolean;
}

export interface SystemActor {
  type: "system";
  workspaceId: number;
}

export const systemActor = (workspaceId: number): SystemActor => ({ type: "system", workspaceId });

export function actorRef(actor: Actor): {
  actor_type: "user" | "contact" | "system";
  actor_id: number | null;
} {
  if (actor.type === "user") return { actor_type: "user", actor_id: actor.userId };
  if (actor.type === "contact") return { actor_type: "contact", actor_id: actor.contactId };
  return { actor_type: "system", actor_id: null };
}

// A stable string for keys that belong to one caller (idempotency, rate limits).
export function actorKey(actor: Actor): string {
  if (actor.type === "user") return `user:${actor.userId}`;
  if (actor.type === "contact") return `contact:${actor.contactId}`;
  return "system";
}
