import { type Kysely, sql } from "kysely";

// GIN indexes take new entries into a pending list (fastupdate) that every search over the index
// reads in full, and that only VACUUM (autovacuum) or an insert that pushes it past
// gin_pending_list_limit (4 MB by default) moves into the index proper. Measured at 1M tickets
// with autovacuum off (as on the benchmark server, and as PGlite never vacuums by itself): after
// 28,000 new tickets the search and contact-name lists held 200 to 360 pages, and search p95 went
// from 49 to 104 ms. A 256 kB limit keeps what a search reads from the list small; inserts merge it
// into the index more often, in smaller pieces.
const SEARCHED_GIN_INDEXES = [
  "tickets_search_recency",
  "messages_search_recency",
  "tickets_tags",
  "contacts_name_trgm",
  "contact_identities_value_trgm",
  "organizations_name_trgm",
  "organizations_domains",
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const name of SEARCHED_GIN_INDEXES) {
    await sql`alter index ${sql.id(name)} set (gin_pending_list_limit = 256)`.execute(db);
  }
}
