import { type Selectable, sql } from "kysely";
import type { Static } from "typebox";
import type { UserActor } from "../auth/actor.ts";
import { can, ticketVisibleTo } from "../auth/permissions.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { ViewTable } from "../db/types.ts";
import { forbidden, notFound } from "../http/errors.ts";
import { absoluteWindow, type TicketFilters, ticketFilterConditions } from "../tickets/filters.ts";
import { DEFAULT_COLUMNS, type ViewCreate, type ViewTicketsQuery, type ViewUpdate } from "./schemas.ts";
import type { ViewSortField } from "./sort-query.ts";
import { sortedTickets } from "./sorted-tickets.ts";

export type ViewRow = Omit<Selectable<ViewTable>, "workspace_id">;

const VIEW_COLUMNS = [
  "id",
  "name",
  "owner_user_id",
  "filters",
  "sort",
  "columns",
  "position",
  "created_at",
  "updated_at",
] as const;

// Counting stops here: a sidebar needs "10000+", not the exact size of a million-ticket
// backlog, and a bounded count costs at most this many index entries.
export const COUNT_CAP = 10_000;

// Shared views (no owner) and the actor's own; someone else's personal view does not exist
// for them.
export async function viewsFor(db: Db, actor: UserActor) {
  return db
    .selectFrom("views")
    .select(VIEW_COLUMNS)
    .where("workspace_id", "=", actor.workspaceId)
    .where((eb) => eb.or([eb("owner_user_id", "is", null), eb("owner_user_id", "=", actor.userId)]))
    .orderBy(sql`owner_user_id is not null`)
    .orderBy("position")
    .orderBy("id")
    .execute();
}

export async function visibleView(db: Db, actor: UserActor, id: number) {
  const view = await db
    .selectFrom("views")
    .select(VIEW_COLUMNS)
    .where("workspace_id", "=", actor.workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!view || (view.owner_user_id !== null && view.owner_user_id !== actor.userId)) throw notFound("view");
  return view;
}

// Shared views change what the whole team sees: admins only, and through a token only with the
// admin scope (the route cannot declare it, since personal views need only "write").
function requireSharedViewAdmin(actor: UserActor) {
  if (actor.scopes && !actor.scopes.includes("admin")) {
    throw forbidden('This API token lacks the "admin" scope.');
  }
  if (!can(actor, "workspace.admin")) throw forbidden("Only admins change shared views.");
}

export async function createView(db: Db, actor: UserActor, input: Static<typeof ViewCreate>) {
  if (input.shared) requireSharedViewAdmin(actor);
  const owner = input.shared ? null : actor.userId;
  return inTransaction(db, async (trx) => {
    const position = input.position ?? (await nextPosition(trx, actor.workspaceId, owner));
    return trx
      .insertInto("views")
      .values({
        workspace_id: actor.workspaceId,
        name: input.name.trim(),
        owner_user_id: owner,
        filters: JSON.stringify(input.filters ?? {}),
        sort: JSON.stringify(input.sort ?? { field: "updated_at", direction: "desc" }),
        columns: JSON.stringify(input.columns ?? DEFAULT_COLUMNS),
        position,
        created_at: new Date(),
        updated_at: new Date(),
      })
      .returning(VIEW_COLUMNS)
      .executeTakeFirstOrThrow();
  });
}

async function nextPosition(trx: Db, workspaceId: number, owner: number | null) {
  const row = await trx
    .selectFrom("views")
    .select((eb) => eb.fn.max("position").as("max"))
    .where("workspace_id", "=", workspaceId)
    .where((eb) => (owner === null ? eb("owner_user_id", "is", null) : eb("owner_user_id", "=", owner)))
    .executeTakeFirst();
  return row?.max === null || row?.max === undefined ? 0 : row.max + 1;
}

export async function updateView(db: Db, actor: UserActor, id: number, input: Static<typeof ViewUpdate>) {
  return inTransaction(db, async (trx) => {
    const view = await visibleView(trx, actor, id);
    if (view.owner_user_id === null) requireSharedViewAdmin(actor);
    return trx
      .updateTable("views")
      .set({
        name: input.name?.trim(),
        filters: input.filters ? JSON.stringify(input.filters) : undefined,
        sort: input.sort ? JSON.stringify(input.sort) : undefined,
        columns: input.columns ? JSON.stringify(input.columns) : undefined,
        position: input.position,
        updated_at: new Date(),
      })
      .where("workspace_id", "=", actor.workspaceId)
      .where("id", "=", id)
      .returning(VIEW_COLUMNS)
      .executeTakeFirstOrThrow();
  });
}

export async function deleteView(db: Db, actor: UserActor, id: number) {
  await inTransaction(db, async (trx) => {
    const view = await visibleView(trx, actor, id);
    if (view.owner_user_id === null) requireSharedViewAdmin(actor);
    await trx
      .deleteFrom("views")
      .where("workspace_id", "=", actor.workspaceId)
      .where("id", "=", id)
      .execute();
  });
}

// Stored filters were validated when written; "me" is whoever is looking at the view.
const filtersOf = (view: Pick<ViewRow, "filters">) => view.filters as TicketFilters;

export async function countViewTickets(db: Db, actor: UserActor, view: ViewRow) {
  const matching = db
    .selectFrom("tickets as t")
    .select(sql<number>`1`.as("one"))
    .where("t.workspace_id", "=", actor.workspaceId)
    .where(ticketVisibleTo(actor))
    .where(ticketFilterConditions(actor, filtersOf(view)))
    .limit(COUNT_CAP + 1);
  const row = await db
    .selectFrom(matching.as("m"))
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  const n = Number(row.n);
  return { count: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
}

// Runs saved filters ("me" and the relative windows resolved now) with the view's sort, or the
// sort the request asks for.
export async function viewTickets(
  db: Db,
  actor: UserActor,
  view: Pick<ViewRow, "filters" | "sort">,
  page: Static<typeof ViewTicketsQuery>,
) {
  const { createdWithinDays, updatedWithinDays, ...filters } = filtersOf(view);
  const now = new Date();
  return sortedTickets(
    db,
    actor,
    {
      ...filters,
      createdAfter: absoluteWindow(filters.createdAfter, createdWithinDays, now),
      updatedAfter: absoluteWindow(filters.updatedAfter, updatedWithinDays, now),
    },
    {
      sort: page.sort ?? (view.sort.field as ViewSortField),
      direction: page.direction ?? view.sort.direction,
      limit: page.limit ?? 50,
      cursor: page.cursor,
    },
  );
}
