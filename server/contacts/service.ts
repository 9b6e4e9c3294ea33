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
      tooShort.map((r) => ({ path: "phones", message: `${r.value || "(empty)"} has too few digits` })),
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
        message: `${t.value} belongs to another contact`,
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
