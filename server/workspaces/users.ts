import { Type } from "typebox";
import type { Db } from "../db/connection.ts";

export const UserView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  email: Type.String(),
  role: Type.Union([Type.Literal("admin"), Type.Literal("agent"), Type.Literal("light_agent")]),
  ticketAccess: Type.Union([Type.Literal("all"), Type.Literal("groups")]),
  timeZone: Type.String(),
  signature: Type.String(),
  availability: Type.Union([Type.Literal("online"), Type.Literal("away"), Type.Literal("offline")]),
  active: Type.Boolean(),
  // False for someone invited who has not chosen a password yet.
  passwordSet: Type.Boolean(),
  groupIds: Type.Array(Type.Integer()),
  createdAt: Type.String({ format: "date-time" }),
});

export async function presentUsers(db: Db, workspaceId: number, userIds: number[]) {
  if (userIds.length === 0) return [];
  const [users, memberships] = await Promise.all([
    db
      .selectFrom("users")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "in", userIds)
      .orderBy("id")
      .execute(),
    db
      .selectFrom("group_members")
      .select(["user_id", "group_id"])
      .where("workspace_id", "=", workspaceId)
      .where("user_id", "in", userIds)
      .execute(),
  ]);
  return users.map((u) => ({
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    ticketAccess: u.ticket_access,
    timeZone: u.time_zone,
    signature: u.signature,
    availability: u.availability,
    active: u.active,
    passwordSet: u.password_hash !== null,
    groupIds: memberships.filter((m) => m.user_id === u.id).map((m) => m.group_id),
    createdAt: u.created_at.toISOString(),
  }));
}

export async function presentUser(db: Db, workspaceId: number, userId: number) {
  const [user] = await presentUsers(db, workspaceId, [userId]);
  return user;
}

// Everyone who can still sign in, for features that match people by name (note @mentions).
export async function activeUsers(db: Db, workspaceId: number) {
  const ids = await db
    .selectFrom("users")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("active", "=", true)
    .execute();
  return presentUsers(
    db,
    workspaceId,
    ids.map((u) => u.id),
  );
}
