import type { Selectable } from "kysely";
import type { OrganizationTable } from "../db/types.ts";

export type OrganizationRow = Selectable<OrganizationTable>;

export const ORGANIZATION_COLUMNS = [
  "id",
  "name",
  "domains",
  "notes",
  "attributes",
  "shared_tickets",
  "created_at",
  "updated_at",
] as const;

export function presentOrganization(o: Omit<OrganizationRow, "workspace_id">) {
  return {
    id: o.id,
    name: o.name,
    domains: o.domains,
    notes: o.notes,
    attributes: o.attributes,
    sharedTickets: o.shared_tickets,
    createdAt: o.created_at.toISOString(),
    updatedAt: o.updated_at.toISOString(),
  };
}
