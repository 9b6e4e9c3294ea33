import { type Kysely, sql } from "kysely";

// Search ranks the newest matches, and a common word matches tens of thousands of tickets or
// messages: read through the plain GIN index, every one of them is fetched from the heap before
// the newest are kept; read by walking the newest rows, a word that matches little walks the
// whole table. Neither bound holds for every word, and the planner cannot tell them apart for
// phrases (it multiplies the frequencies of the phrase's words).
//
// The GIN indexes therefore also hold two lexemes per row naming its recency buckets:
// ' <id >> 14>' (16,384 ids) and ' c<id >> 18>' (262,144 ids), with a leading space, which no
// parsed word contains. A search asks for "the query AND some of the newest buckets", which GIN
// answers from its posting lists, so only the matches in those buckets are read from the heap;
// it widens to older buckets when that is not enough (server/search/recency.ts). The index
// expression must stay identical to `indexedVector` there. These indexes replace the plain ones:
// every search uses the expression, and one GIN index per table keeps writes as cheap as before.
//
// Also GiST trigram indexes on contact names and addresses: contact search takes the names
// closest to the query in index order (`<<->`, KNN) instead of scoring every contact that
// shares a trigram with it ("Priya" matches thousands). The GIN trigram indexes stay for the
// substring (ILIKE) matches of the contact list.
const VECTOR = sql`(search_vector || array_to_tsvector(array[' ' || (id >> 14)::text, ' c' || (id >> 18)::text]))`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists tickets_search`.execute(db);
  await sql`create index tickets_search_recency on tickets using gin (${VECTOR})`.execute(db);
  await sql`alter index tickets_search_recency alter column 1 set statistics 1000`.execute(db);
  await sql`drop index if exists messages_search`.execute(db);
  await sql`create index messages_search_recency on messages using gin (${VECTOR})`.execute(db);
  await sql`alter index messages_search_recency alter column 1 set statistics 1000`.execute(db);
  await sql`create index contacts_name_gist on contacts using gist (name gist_trgm_ops)`.execute(db);
  await sql`create index contact_identities_value_gist on contact_identities using gist (value gist_trgm_ops)`.execute(
    db,
  );
}
