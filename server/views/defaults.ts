import type { Db } from "../db/connection.ts";

// The views every new workspace starts with; "me" in a filter means the viewing agent.
export const DEFAULT_VIEWS = [
  { name: "My open tickets", filters: { assigneeId: "me", status: ["new", "open", "pending", "on_hold"] } },
  { name: "Unassigned", filters: { assigneeId: "none", status: ["new", "open"] } },
  { name: "All open", filters: { status: ["new", "open"] } },
  { name: "Pending", filters: { status: ["pending", "on_hold"] } },
  { name: "Solved recently", filters: { status: ["solved"], updatedWithinDays: 7 } },
];

export async function createDefaultViews(db: Db, workspaceId: number) {
  await db
    .insertInto("views")
    .values(
      DEFAULT_VIEWS.map((v, position) => ({
        workspace_id: workspaceId,
        name: v.name,
        owner_user_id: null,
        filters: JSON.stringify(v.filters),
        sort: JSON.stringify({ field: "updated_at", direction: "desc" }),
        columns: JSON.stringify([
          "number",
          "subject",
          "requester",
          "status",
          "priority",
          "assignee",
          "updated_at",
        ]),
        position,
      })),
    )
    .execute();
}
