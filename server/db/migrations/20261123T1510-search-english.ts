import { type Kysely, sql } from "kysely";

// Full-text search moves from the 'simple' to the 'english' configuration: stemming lets
// "printers" find "printer" and "refunded" find "refund", which is most of what people type
// into a help desk's search box. Only English stop words are lost ("the", "who"); emails, URLs,
// numbers and hostnames are kept whole by the english configuration as by 'simple'. Keeping a
// second 'simple' copy of every lexeme would double the messages GIN index for little gain.
// The column is regenerated (a table rewrite): done now, while no deployment holds data.
//
// Also: a GIN index on organizations.domains, so "which organization owns this email domain?"
// (asked for every new contact) and domain search are index lookups.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists tickets_search`.execute(db);
  await sql`alter table tickets drop column search_vector`.execute(db);
  await sql`alter table tickets add column search_vector tsvector
    generated always as (setweight(to_tsvector('english', subject), 'A')) stored`.execute(db);
  await sql`create index tickets_search on tickets using gin (search_vector)`.execute(db);

  await sql`drop index if exists messages_search`.execute(db);
  await sql`alter table messages drop column search_vector`.execute(db);
  await sql`alter table messages add column search_vector tsvector
    generated always as (setweight(to_tsvector('english', body_text), 'B')) stored`.execute(db);
  await sql`create index messages_search on messages using gin (search_vector)`.execute(db);

  await sql`create index organizations_domains on organizations using gin (domains)`.execute(db);
}
