import { Type } from "typebox";
import type { Db } from "../db/connection.ts";

export const ContactView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  emails: Type.Array(Type.String()),
  phones: Type.Array(Type.String()),
  organizationId: Type.Union([Type.Integer(), Type.Null()]),
  locale: Type.Union([Type.String(), Type.Null()]),
  timeZone: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  blocked: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});

export async function presentContacts(db: Db, workspaceId: number, ids: number[]) {
  if (ids.length === 0) return [];
  const [contacts, identities] = await Promise.all([
    db
      .selectFrom("contacts")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "in", ids)
      .execute(),
    db
      .selectFrom("contact_identities")
      .select(["contact_id", "kind", "value"])
      .where("workspace_id", "=", workspaceId)
      .where("contact_id", "in", ids)
      .orderBy("position")
      .execute(),
  ]);
  const byId = new Map(contacts.map((c) => [c.id, c]));
  return ids
    .map((id) => byId.get(id))
    .filter((c) => c !== undefined)
    .map((c) => ({
      id: c.id,
      name: c.name,
      emails: identities.filter((i) => i.contact_id === c.id && i.kind === "email").map((i) => i.value),
      phones: identities.filter((i) => i.contact_id === c.id && i.kind === "phone").map((i) => i.value),
      organizationId: c.organization_id,
      locale: c.locale,
      timeZone: c.time_zone,
      attributes: c.attributes,
      blocked: c.blocked,
      createdAt: c.created_at.toISOString(),
      updatedAt: c.updated_at.toISOString(),
    }));
}
