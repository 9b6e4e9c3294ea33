import { type Kysely, sql } from "kysely";

// The agent app sorts a view by subject or by requester name, a page at a time by keyset
// (server/views/sorted-tickets.ts). Without an index in that order, every page of a large view
// read all of its tickets to keep the top 50: at 1M tickets, 0.2 s for the open tickets and 2.4 s
// for all of them. With these, a page reads about a page of index entries:
// - tickets by (status, subject): one ordered range per status of the view, merged;
// - contacts by name: the requesters walked in name order, each one's tickets found through
//   tickets_requester, stopping once the page is full.
// Both cost a little on every write of a ticket or contact; a view sort that reads a million
// rows per page costs more.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index tickets_status_subject on tickets (workspace_id, status, lower(subject), id)`.execute(
    db,
  );
  await sql`create index contacts_name_order on contacts (workspace_id, lower(name), id)`.execute(db);
}
