import type { UserActor } from "../auth/actor.ts";
import type { Db } from "../db/connection.ts";

// Marks the given notifications read. Ids that are not the actor's (another user's, another
// workspace's, or none at all) are skipped, not refused: the answer must not tell which ids exist.
// Already-read ones keep their first read time.
export async function markNotificationsRead(db: Db, actor: UserActor, ids: number[]) {
  const result = await db
    .updateTable("notifications")
    .set({ read_at: new Date() })
    .where("workspace_id", "=", actor.workspaceId)
    .where("user_id", "=", actor.userId)
    .where("id", "in", [...new Set(ids)])
    .where("read_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// Every unread notification of the actor, including those on tickets they can no longer see
// (which the list hides): "all read" should leave nothing behind that reappears with access.
export async function markAllNotificationsRead(db: Db, actor: UserActor) {
  const result = await db
    .updateTable("notifications")
    .set({ read_at: new Date() })
    .where("workspace_id", "=", actor.workspaceId)
    .where("user_id", "=", actor.userId)
    .where("read_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
