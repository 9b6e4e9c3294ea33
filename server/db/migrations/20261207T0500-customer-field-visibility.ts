import { type Kysely, sql } from "kysely";

// Customers see a ticket's custom fields only where an admin says so: most fields are for the
// team (internal codes, triage notes), so every field, old and new, starts hidden.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table custom_fields add column visible_to_customers boolean not null default false`.execute(
    db,
  );
}
