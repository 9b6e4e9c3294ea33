import { sql } from "kysely";
import { hashPassword } from "../auth/secrets.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { Role, TicketAccess } from "../db/types.ts";
import { conflict, notFound } from "../http/errors.ts";
import { createDefaultViews } from "../views/defaults.ts";

export async function createWorkspace(db: Db, name: string) {
  return inTransaction(db, async (trx) => {
    const ws = await trx
      .insertInto("workspaces")
      .values({ name })
      .returning(["id", "name"])
      .executeTakeFirstOrThrow();
    // A sequence per workspace hands out ticket numbers without a hot counter row to lock.
    await sql.raw(`create sequence ticket_numbers_${ws.id}`).execute(trx);
    await createDefaultViews(trx, ws.id);
    return ws;
  });
}

export async function nextTicketNumber(db: Db, workspaceId: number): Promise<number> {
  const { rows } = await sql<{
    n: number;
  }>`select nextval(${`ticket_numbers_${workspaceId}`}::regclass) as n`.execute(db);
  return Number(rows[0].n);
}

export interface NewUser {
  name: string;
  email: string;
  role: Role;
  password?: string | null;
  ticketAccess?: TicketAccess;
  groupIds?: number[];
  timeZone?: string;
}

export async function createUser(db: Db, workspaceId: number, input: NewUser) {
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return inTransaction(db, async (trx) => {
    const user = await trx
      .insertInto("users")
      .values({
        workspace_id: workspaceId,
        name: input.name,
        email: input.email.trim(),
        role: input.role,
        password_hash: passwordHash,
        ticket_access: input.ticketAccess ?? "all",
        time_zone: input.timeZone ?? "UTC",
      })
      .returning(["id", "name", "email", "role"])
      .executeTakeFirstOrThrow();
    await setUserGroups(trx, workspaceId, user.id, input.groupIds ?? []);
    return user;
  });
}

export async function setUserGroups(db: Db, workspaceId: number, userId: number, groupIds: number[]) {
  await db
    .deleteFrom("group_members")
    .where("workspace_id", "=", workspaceId)
    .where("user_id", "=", userId)
    .execute();
  if (groupIds.length === 0) return;
  await db
    .insertInto("group_members")
    .values(
      [...new Set(groupIds)].map((groupId) => ({
        workspace_id: workspaceId,
        group_id: groupId,
        user_id: userId,
      })),
    )
    .execute();
}

export async function createGroup(db: Db, workspaceId: number, name: string, description = "") {
  return db
    .insertInto("groups")
    .values({ workspace_id: workspaceId, name, description })
    .returning(["id", "name", "description", "created_at"])
    .executeTakeFirstOrThrow();
}

// A group that tickets still point at cannot go: the tickets would lose their routing, and
// the foreign key would refuse anyway. Move the tickets first, then delete the group.
export async function deleteGroup(db: Db, workspaceId: number, groupId: number) {
  return inTransaction(db, async (trx) => {
    const group = await trx
      .selectFrom("groups")
      .select("id")
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", groupId)
      .forUpdate()
      .executeTakeFirst();
    if (!group) throw notFound("group");
    const inUse = await trx
      .selectFrom("tickets")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("workspace_id", "=", workspaceId)
      .where("group_id", "=", groupId)
      .executeTakeFirstOrThrow();
    if (inUse.n > 0) {
      throw conflict(
        "group_in_use",
        "Tickets still belong to this group; move them to another group first.",
        {
          ticketCount: inUse.n,
        },
      );
    }
    await trx
      .deleteFrom("group_members")
      .where("workspace_id", "=", workspaceId)
      .where("group_id", "=", groupId)
      .execute();
    await trx
      .deleteFrom("groups")
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", groupId)
      .execute();
  });
}

// First start: one workspace and its admin. Returns null when a workspace already exists.
export async function bootstrapFirstWorkspace(
  db: Db,
  input: { workspaceName: string; adminEmail: string; adminPassword: string; adminName?: string },
) {
  const existing = await db.selectFrom("workspaces").select("id").limit(1).executeTakeFirst();
  if (existing) return null;
  return inTransaction(db, async (trx) => {
    const ws = await createWorkspace(trx, input.workspaceName);
    const admin = await createUser(trx, ws.id, {
      name: input.adminName ?? "Admin",
      email: input.adminEmail,
      role: "admin",
      password: input.adminPassword,
    });
    return { workspace: ws, admin };
  });
}

// The demo seed's agents get a new password on every run, so the one it prints always works.
export async function setUserPassword(db: Db, workspaceId: number, userId: number, password: string) {
  await db
    .updateTable("users")
    .set({ password_hash: await hashPassword(password), updated_at: new Date() })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", userId)
    .execute();
}
