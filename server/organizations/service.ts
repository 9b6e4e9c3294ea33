import { sql } from "kysely";
import type { Static } from "typebox";
import { type Db, inTransaction } from "../db/connection.ts";
import { conflict, invalid, notFound } from "../http/errors.ts";
import { decodeCursor, encodeCursor } from "../tickets/queries.ts";
import { ORGANIZATION_COLUMNS } from "./present.ts";
import type { OrganizationCreate, OrganizationList, OrganizationUpdate } from "./schemas.ts";

type NewOrganization = Static<typeof OrganizationCreate>;
type OrganizationChanges = Static<typeof OrganizationUpdate>;

export async function organizationById(db: Db, workspaceId: number, id: number) {
  const org = await db
    .selectFrom("organizations")
    .select(ORGANIZATION_COLUMNS)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!org) throw notFound("organization");
  return org;
}

export async function createOrganization(db: Db, workspaceId: number, input: NewOrganization) {
  return inTransaction(db, async (trx) => {
    const name = input.name.trim();
    const domains = normalizeDomains(input.domains ?? []);
    await lockOrganizationNames(trx, workspaceId);
    await checkUnique(trx, workspaceId, null, name, domains);
    return trx
      .insertInto("organizations")
      .values({
        workspace_id: workspaceId,
        name,
        domains: sql<string[]>`${domains}::text[]`,
        notes: input.notes ?? "",
        attributes: JSON.stringify(input.attributes ?? {}),
        shared_tickets: input.sharedTickets ?? false,
        created_at: new Date(),
        updated_at: new Date(),
      })
      .returning(ORGANIZATION_COLUMNS)
      .executeTakeFirstOrThrow();
  });
}

export async function updateOrganization(
  db: Db,
  workspaceId: number,
  id: number,
  input: OrganizationChanges,
) {
  return inTransaction(db, async (trx) => {
    const name = input.name?.trim();
    const domains = input.domains ? normalizeDomains(input.domains) : undefined;
    await lockOrganizationNames(trx, workspaceId);
    await organizationById(trx, workspaceId, id);
    await checkUnique(trx, workspaceId, id, name, domains ?? []);
    return trx
      .updateTable("organizations")
      .set({
        name,
        domains: domains ? sql<string[]>`${domains}::text[]` : undefined,
        notes: input.notes,
        attributes: input.attributes ? JSON.stringify(input.attributes) : undefined,
        shared_tickets: input.sharedTickets,
        updated_at: new Date(),
      })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .returning(ORGANIZATION_COLUMNS)
      .executeTakeFirstOrThrow();
  });
}

const normalizeDomains = (domains: string[]) => [...new Set(domains.map((d) => d.trim().toLowerCase()))];

// A domain decides which organization a new contact joins, so it may belong to one only. Arrays
// cannot carry a unique index: writers of one workspace take turns under a transaction lock.
async function lockOrganizationNames(trx: Db, workspaceId: number) {
  await sql`select pg_advisory_xact_lock(hashtext('parley.organizations'), ${workspaceId}::int)`.execute(trx);
}

async function checkUnique(
  trx: Db,
  workspaceId: number,
  selfId: number | null,
  name: string | undefined,
  domains: string[],
) {
  if (name !== undefined) {
    const sameName = await trx
      .selectFrom("organizations")
      .select("id")
      .where("workspace_id", "=", workspaceId)
      .where(sql`lower(name)`, "=", name.toLowerCase())
      .where("id", "<>", selfId ?? 0)
      .executeTakeFirst();
    if (sameName) throw conflict("already_exists", "An organization with this name already exists.");
  }
  if (domains.length === 0) return;
  const owners = await trx
    .selectFrom("organizations")
    .select(["name", "domains"])
    .where("workspace_id", "=", workspaceId)
    .where("domains", "&&", sql<string[]>`${domains}::text[]`)
    .where("id", "<>", selfId ?? 0)
    .execute();
  const taken = domains.flatMap((d) =>
    owners.filter((o) => o.domains.includes(d)).map((o) => ({ domain: d, owner: o.name })),
  );
  if (taken.length > 0) {
    throw invalid(
      taken.map((t) => ({
        path: "domains",
        message: `${t.domain} already belongs to the organization ${t.owner}.`,
      })),
    );
  }
}

function escapeLike(term: string) {
  return term.replace(/[\\%_]/g, (m) => `\\${m}`);
}

// Alphabetical, with keyset pagination on the unique lower(name) index. `q` matches part of a
// name (trigram index) or a whole domain.
export async function listOrganizations(db: Db, workspaceId: number, f: Static<typeof OrganizationList>) {
  const limit = f.limit ?? 50;
  let q = db
    .selectFrom("organizations")
    .select([...ORGANIZATION_COLUMNS, sql<string>`lower(name)`.as("sort_name")])
    .where("workspace_id", "=", workspaceId);
  if (f.q) {
    const term = f.q.trim();
    q = q.where((eb) =>
      eb.or([
        eb("name", "ilike", `%${escapeLike(term)}%`),
        sql<boolean>`name %> ${term}`,
        eb("domains", "@>", sql<string[]>`${[term.toLowerCase()]}::text[]`),
      ]),
    );
  }
  if (f.cursor) {
    const [name, id] = decodeCursor(f.cursor);
    q = q.where((eb) =>
      eb(eb.tuple(sql<string>`lower(name)`, eb.ref("id")), ">", eb.tuple(String(name), id)),
    );
  }
  const rows = await q
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor: rows.length > limit && last ? encodeCursor(last.sort_name, last.id) : null,
  };
}
