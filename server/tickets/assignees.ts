import type { Db } from "../db/connection.ts";
import { type FieldError, invalid } from "../http/errors.ts";

// Who may be assigned a ticket, the one rule (docs/tickets.md, "Who can be assigned"):
// - an active admin, whatever the ticket's group: admins run the desk and are often in no group
//   (the first admin never is), and a lead who takes a ticket to unblock it must be able to;
// - an active agent who is a member of the ticket's group, or any active agent when it has none;
// - never a light agent or a deactivated user.
// The assignee list (GET /api/v1/assignees), every update (one ticket, bulk, the `a` key) and
// ticket creation ask this file; the batch creation path (create-queue.ts) states the same
// rule in SQL and hands any refusal back to createTicket for its words.
export function assignableUsersQuery(db: Db, workspaceId: number, groupIds: number[]) {
  let query = db
    .selectFrom("users as u")
    .select(["u.id", "u.name", "u.role"])
    .where("u.workspace_id", "=", workspaceId)
    .where("u.active", "=", true)
    .where("u.role", "!=", "light_agent");
  if (groupIds.length > 0) {
    query = query.where((eb) =>
      eb.or([
        eb("u.role", "=", "admin"),
        eb.and(
          groupIds.map((groupId) =>
            eb.exists(
              eb
                .selectFrom("group_members as m")
                .select("m.user_id")
                .where("m.workspace_id", "=", workspaceId)
                .where("m.group_id", "=", groupId)
                .whereRef("m.user_id", "=", "u.id"),
            ),
          ),
        ),
      ]),
    );
  }
  return query;
}

// Everyone who may be assigned every ticket in the given groups (one group for a ticket page,
// the selection's groups for the bulk bar), by name.
export function assignableUsers(db: Db, workspaceId: number, groupIds: number[]) {
  return assignableUsersQuery(db, workspaceId, [...new Set(groupIds)])
    .orderBy("u.name")
    .orderBy("u.id")
    .execute();
}

// Refuses an assignee or group that breaks the rule above, saying in a whole sentence who and
// which group, so the agent knows what to change.
export async function checkAssignment(
  db: Db,
  workspaceId: number,
  assigneeId: number | null,
  groupId: number | null,
) {
  const errors: FieldError[] = [];
  const group =
    groupId === null
      ? null
      : await db
          .selectFrom("groups")
          .select(["id", "name"])
          .where("workspace_id", "=", workspaceId)
          .where("id", "=", groupId)
          .executeTakeFirst();
  if (groupId !== null && !group) {
    errors.push({ path: "groupId", message: `There is no group with id ${groupId} in this workspace.` });
  }
  if (assigneeId !== null && errors.length === 0) {
    const allowed = await assignableUsersQuery(db, workspaceId, group ? [group.id] : [])
      .where("u.id", "=", assigneeId)
      .executeTakeFirst();
    if (!allowed)
      errors.push({ path: "assigneeId", message: await refusal(db, workspaceId, assigneeId, group) });
  }
  if (errors.length) throw invalid(errors);
}

async function refusal(
  db: Db,
  workspaceId: number,
  userId: number,
  group: { name: string } | null | undefined,
) {
  const user = await db
    .selectFrom("users")
    .select(["name", "role", "active"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", userId)
    .executeTakeFirst();
  if (!user) return `There is no agent with id ${userId} in this workspace.`;
  if (!user.active) return `${user.name} is deactivated, so tickets cannot be assigned to them.`;
  if (user.role === "light_agent") {
    return `${user.name} is a light agent, and light agents cannot be assigned tickets.`;
  }
  return `${user.name} is not a member of the ${group?.name ?? "ticket's"} group, so the ticket cannot be assigned to them.`;
}
