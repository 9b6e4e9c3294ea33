import { sql } from "kysely";
import { type Db, inTransaction } from "../db/connection.ts";
import { invalid, notFound } from "../http/errors.ts";

export interface NewContact {
  name?: string;
  emails?: string[];
  phones?: string[];
  organizationId?: number | null;
  locale?: string | null;
  timeZone?: string | null;
  attributes?: Record<string, unknown>;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

// Phones are kept as digits with an optional leading +, so "+1 (555) 010-0000" and
// "+15550100000" are the same person.
export const normalizePhone = (phone: string) => phone.trim().replace(/(?!^\+)[^\d]/g, "");

export async function createContact(db: Db, workspaceId: number, input: NewContact) {
  return inTransaction(db, async (trx) => {
    const contact = await trx
      .insertInto("contacts")
      .values({
        workspace_id: workspaceId,
        name: input.name ?? "",
        organization_id: input.organizationId ?? null,
        locale: input.locale ?? null,
        time_zone: input.timeZone ?? null,
        attributes: JSON.stringify(input.attributes ?? {}),
      })
      .returning(["id", "organization_id"])
      .executeTakeFirstOrThrow();
    await setContactIdentities(trx, workspaceId, contact.id, input.emails ?? [], input.phones ?? []);
    return contact;
  });
}

export async function setContactIdentities(
  db: Db,
  workspaceId: number,
  contactId: number,
  emails: string[],
  phones: string[],
) {
  await db
    .deleteFrom("contact_identities")
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", contactId)
    .execute();
  const rows = [
    ...[...new Set(emails.map(normalizeEmail))].map((value, position) => ({
      kind: "email" as const,
      value,
      position,
    })),
    ...[...new Set(phones.map(normalizePhone))].map((value, position) => ({
      kind: "phone" as const,
      value,
      position,
    })),
  ];
  if (rows.length === 0) return;
  const tooShort = rows.filter((r) => r.kind === "phone" && r.value.replace("+", "").length < 3);
  if (tooShort.length > 0) {
    throw invalid(
      tooShort.map((r) => ({
        path: "phones",
        message: r.value ? `The phone number ${r.value} has too few digits.` : "A phone number is empty.",
      })),
    );
  }
  const taken = await db
    .selectFrom("contact_identities")
    .select(["kind", "value"])
    .where("workspace_id", "=", workspaceId)
    .where((eb) => eb.or(rows.map((r) => eb.and([eb("kind", "=", r.kind), eb("value", "=", r.value)]))))
    .execute();
  if (taken.length > 0) {
    throw invalid(
      taken.map((t) => ({
        path: t.kind === "email" ? "emails" : "phones",
        message: `${t.value} already belongs to another contact.`,
      })),
    );
  }
  await db
    .insertInto("contact_identities")
    .values(rows.map((r) => ({ workspace_id: workspaceId, contact_id: contactId, ...r })))
    .execute();
}

// The contact who owns this email, made on first sight. Two concurrent first mails from one
// address must end with one contact: the unique identity key decides, the loser re-reads.
export async function findOrCreateContactByEmail(db: Db, workspaceId: number, email: string, name?: string) {
  const value = normalizeEmail(email);
  const existing = await contactByIdentity(db, workspaceId, "email", value);
  if (existing) return existing;
  return inTransaction(db, async (trx) => {
    const domain = value.split("@")[1] ?? "";
    const org = await trx
      .selectFrom("organizations")
      .select("id")
      .where("workspace_id", "=", workspaceId)
      .where("domains", "@>", sql<string[]>`${[domain]}::text[]`)
      .orderBy("id")
      .executeTakeFirst();
    const contact = await trx
      .insertInto("contacts")
      .values({
        workspace_id: workspaceId,
        name: name?.trim() || "",
        organization_id: org?.id ?? null,
        attributes: "{}",
      })
      .returning(["id", "organization_id"])
      .executeTakeFirstOrThrow();
    const claimed = await trx
      .insertInto("contact_identities")
      .values({ workspace_id: workspaceId, contact_id: contact.id, kind: "email", value })
      .onConflict((oc) => oc.doNothing())
      .returning("contact_id")
      .executeTakeFirst();
    if (claimed) return contact;
    await trx
      .deleteFrom("contacts")
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", contact.id)
      .execute();
    const winner = await contactByIdentity(trx, workspaceId, "email", value);
    if (!winner) throw new Error("contact identity vanished during creation");
    return winner;
  });
}

async function contactByIdentity(db: Db, workspaceId: number, kind: "email" | "phone", value: string) {
  return db
    .selectFrom("contact_identities as i")
    .innerJoin("contacts as c", (j) =>
      j.onRef("c.workspace_id", "=", "i.workspace_id").onRef("c.id", "=", "i.contact_id"),
    )
    .select(["c.id", "c.organization_id"])
    .where("i.workspace_id", "=", workspaceId)
    .where("i.kind", "=", kind)
    .where("i.value", "=", value)
    .executeTakeFirst();
}

export async function requireContact(db: Db, workspaceId: number, contactId: number) {
  const contact = await db
    .selectFrom("contacts")
    .select(["id", "organization_id", "blocked"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", contactId)
    .executeTakeFirst();
  if (!contact) throw notFound("contact");
  return contact;
}

export interface ContactRef {
  id: number;
  organization_id: number | null;
}

export interface EmailRequester {
  workspaceId: number;
  email: string;
  name?: string;
}

const emailKey = (workspaceId: number, email: string) => `${workspaceId}\n${normalizeEmail(email)}`;

// The contacts of many requesters at once, for a batch of new tickets: one lookup, then one
// statement making all the contacts not seen before. Keyed by `contactKey`. Works like
// findOrCreateContactByEmail for each: the unique identity decides between concurrent
// creators, and a loser's contact is removed and the winner's is used.
export async function findOrCreateContactsByEmail(
  db: Db,
  requesters: EmailRequester[],
): Promise<Map<string, ContactRef>> {
  const wanted = new Map<string, { ws: number; value: string; name: string }>();
  for (const r of requesters) {
    const key = emailKey(r.workspaceId, r.email);
    if (!wanted.has(key))
      wanted.set(key, { ws: r.workspaceId, value: normalizeEmail(r.email), name: r.name?.trim() || "" });
  }
  const found = await contactsByEmail(db, [...wanted.values()]);
  const missing = [...wanted.entries()].filter(([key]) => !found.has(key)).map(([, w]) => w);
  if (missing.length === 0) return found;
  return inTransaction(db, async (trx) => {
    // Sorted, so two batches claiming overlapping addresses take the unique keys in the same
    // order and wait for each other instead of deadlocking.
    missing.sort((a, b) => a.ws - b.ws || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const rows = JSON.stringify(
      missing.map((m, ord) => ({
        ord,
        ws: m.ws,
        value: m.value,
        name: m.name,
        domain: m.value.split("@")[1] ?? "",
      })),
    );
    // Contact ids are drawn first so each identity row can name its contact in the same
    // statement; a new contact belongs to the first organization that claims its domain.
    const { rows: made } = await sql<{
      ws: number;
      value: string;
      id: number;
      organization_id: number | null;
      claimed: boolean;
    }>`
      with r as materialized (
        select r.*, nextval((select pg_get_serial_sequence('contacts', 'id'))::regclass) as id
        from jsonb_to_recordset(${rows}::jsonb) as r(ord int, ws bigint, value text, name text, domain text)
        order by r.ord
      ),
      c as (
        insert into contacts (workspace_id, id, name, organization_id, attributes) overriding system value
        select r.ws, r.id, r.name,
          (select o.id from organizations o
            where o.workspace_id = r.ws and o.domains @> array[r.domain] order by o.id limit 1),
          '{}'
        from r order by r.ord
        returning workspace_id, id, organization_id
      ),
      i as (
        insert into contact_identities (workspace_id, contact_id, kind, value)
        select r.ws, r.id, 'email', r.value from r order by r.ord
        on conflict do nothing
        returning workspace_id, contact_id
      )
      select r.ws, r.value, c.id, c.organization_id, (i.contact_id is not null) as claimed
      from r
      join c on c.workspace_id = r.ws and c.id = r.id
      left join i on i.workspace_id = r.ws and i.contact_id = r.id`.execute(trx);
    const lost = made.filter((m) => !m.claimed);
    for (const m of made)
      if (m.claimed) found.set(emailKey(m.ws, m.value), { id: m.id, organization_id: m.organization_id });
    if (lost.length === 0) return found;
    // Contact ids are unique across workspaces (one identity sequence), so ids alone suffice.
    await sql`
      delete from contacts
      where workspace_id = any(${distinct(lost.map((m) => m.ws))}::bigint[])
        and id = any(${lost.map((m) => m.id)}::bigint[])`.execute(trx);
    const winners = await contactsByEmail(
      trx,
      lost.map((m) => ({ ws: m.ws, value: m.value })),
    );
    if (winners.size !== lost.length) throw new Error("contact identity vanished during creation");
    for (const [key, contact] of winners) found.set(key, contact);
    return found;
  });
}

export const contactKey = emailKey;

// One primary-key probe per address. Written as a range inside LATERAL ... LIMIT 1 on purpose:
// for "=" (or "= any") on value the planner also weighs the trigram indexes kept for search, and
// badly underestimates them for equality (a batch of 32 addresses took 250 ms through the GIN
// index, against 1 ms through the key); a range only the btree key can answer, and LATERAL keeps
// it to a probe per address instead of a scan of the whole table joined to the list.
async function contactsByEmail(db: Db, wanted: { ws: number; value: string }[]) {
  const { rows } = await sql<{ ws: number; value: string; id: number; organization_id: number | null }>`
    select w.ws, w.value, c.id, c.organization_id
    from unnest(${wanted.map((w) => w.ws)}::bigint[], ${wanted.map((w) => w.value)}::text[]) as w(ws, value)
    cross join lateral (
      select i.contact_id from contact_identities i
      where i.workspace_id = w.ws and i.kind = 'email' and i.value >= w.value and i.value <= w.value
      limit 1
    ) as i
    join contacts c on c.workspace_id = w.ws and c.id = i.contact_id`.execute(db);
  return new Map(
    rows.map((r) => [emailKey(r.ws, r.value), { id: r.id, organization_id: r.organization_id }]),
  );
}

const distinct = <T>(values: T[]) => [...new Set(values)];

// Contacts by id, for requesters named by id; ids of other workspaces are simply not found.
export async function contactsByIds(db: Db, refs: { workspaceId: number; id: number }[]) {
  const { rows } = await sql<{ ws: number; id: number; organization_id: number | null }>`
    select c.workspace_id as ws, c.id, c.organization_id
    from contacts c
    where c.workspace_id = any(${distinct(refs.map((r) => r.workspaceId))}::bigint[])
      and c.id = any(${distinct(refs.map((r) => r.id))}::bigint[])`.execute(db);
  const asked = new Set(refs.map((r) => `${r.workspaceId}\n${r.id}`));
  return new Map(
    rows
      .filter((r) => asked.has(`${r.ws}\n${r.id}`))
      .map((r) => [`${r.ws}\n${r.id}`, { id: r.id, organization_id: r.organization_id }]),
  );
}
