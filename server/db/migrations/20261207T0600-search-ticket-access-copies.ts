import { type Kysely, sql } from "kysely";

// A group-restricted agent's search used to read every match of a round and look up each match's
// ticket to drop the ones they may not see: about six matches per visible one for an agent who
// sees a sixth of the tickets. The search GIN indexes now also hold lexemes naming the ticket's
// group (' g<group_id>', ' g' for none) and assignee (' a<assignee_id>', ' a' for none), so a
// restricted agent's round asks GIN for "the query AND the bucket AND (one of my groups OR
// assigned to me)" and reads from the heap only what they may see (server/search/recency.ts,
// `indexedVector`, must stay identical to these expressions). The tickets table has the columns;
// messages get copies of them (and of the status, for status filters), kept equal to the
// ticket's by triggers in the writing transaction: a message takes its ticket's values when it is
// inserted or moved to another ticket (merge, split), and a change of a ticket's group, assignee
// or status rewrites its messages' copies, whichever write path made it (single and bulk update,
// assignment rules, merge, split, problems, batch creation, and any later one). The visibility
// check on the ticket itself stays in every search query: the copies only narrow what is read,
// they never widen what is shown.
const TICKETS_VECTOR = sql`(search_vector || array_to_tsvector(array[' ' || (id >> 14)::text, ' c' || (id >> 18)::text,
  ' g' || coalesce(group_id::text, ''), ' a' || coalesce(assignee_id::text, '')]))`;
const MESSAGES_VECTOR = sql`(search_vector || array_to_tsvector(array[' ' || (id >> 14)::text, ' c' || (id >> 18)::text,
  ' g' || coalesce(ticket_group_id::text, ''), ' a' || coalesce(ticket_assignee_id::text, '')]))`;

// Ids per backfill statement: bounds one statement's work and memory on a large install (and on
// PGlite, whose whole database lives in one process).
const BACKFILL_BATCH = 100_000;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table messages add column ticket_group_id bigint, add column ticket_assignee_id bigint,
    add column ticket_status text`.execute(db);

  await sql`
    create function messages_copy_ticket_access() returns trigger language plpgsql as $$
    begin
      select t.group_id, t.assignee_id, t.status
        into new.ticket_group_id, new.ticket_assignee_id, new.ticket_status
        from tickets t where t.workspace_id = new.workspace_id and t.id = new.ticket_id;
      return new;
    end
    $$`.execute(db);
  await sql`
    create trigger messages_ticket_access before insert or update of workspace_id, ticket_id on messages
    for each row execute function messages_copy_ticket_access()`.execute(db);
  await sql`
    create function tickets_access_to_messages() returns trigger language plpgsql as $$
    begin
      update messages set ticket_group_id = new.group_id, ticket_assignee_id = new.assignee_id,
        ticket_status = new.status
      where workspace_id = new.workspace_id and ticket_id = new.id;
      return null;
    end
    $$`.execute(db);
  await sql`
    create trigger tickets_access_to_messages after update of group_id, assignee_id, status on tickets
    for each row when (old.group_id is distinct from new.group_id or old.assignee_id is distinct from
      new.assignee_id or old.status is distinct from new.status)
    execute function tickets_access_to_messages()`.execute(db);

  // Without the old index the backfill writes no GIN entries; the new index is built once after.
  await sql`drop index if exists messages_search_recency`.execute(db);
  await backfillTicketAccessCopies(db);

  await sql`drop index if exists tickets_search_recency`.execute(db);
  await sql`create index tickets_search_access on tickets using gin (${TICKETS_VECTOR})
    with (gin_pending_list_limit = 256)`.execute(db);
  await sql`alter index tickets_search_access alter column 1 set statistics 1000`.execute(db);
  await sql`create index messages_search_access on messages using gin (${MESSAGES_VECTOR})
    with (gin_pending_list_limit = 256)`.execute(db);
  await sql`alter index messages_search_access alter column 1 set statistics 1000`.execute(db);
  await sql`analyze messages`.execute(db);
}

// Copies every message's ticket's values, BACKFILL_BATCH ids per statement. Exported for the test
// that checks an install's existing messages are filled in right.
export async function backfillTicketAccessCopies(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ max: string | null }>`select max(id)::text as max from messages`.execute(db);
  const max = rows[0].max === null ? 0 : Number(rows[0].max);
  for (let from = 0; from <= max; from += BACKFILL_BATCH) {
    await sql`
      update messages m set ticket_group_id = t.group_id, ticket_assignee_id = t.assignee_id,
        ticket_status = t.status
      from tickets t
      where t.workspace_id = m.workspace_id and t.id = m.ticket_id
        and m.id >= ${from} and m.id < ${from + BACKFILL_BATCH}
        and (m.ticket_group_id, m.ticket_assignee_id, m.ticket_status)
          is distinct from (t.group_id, t.assignee_id, t.status)`.execute(db);
  }
}
