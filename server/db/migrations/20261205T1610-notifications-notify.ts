import { type Kysely, sql } from "kysely";

// Tells listeners (the realtime hub, server/notifications/) which users' notifications changed, on
// channel parley_notifications, when the writing transaction commits. A trigger rather than a
// pg_notify beside each insert: notifications are written in three places (the assigning
// statement in tickets/events.ts, the batched creation in tickets/create-batch.ts, the mention
// job), and any future writer is covered too. Per statement, not per row: one bulk assignment of
// 500 tickets to one agent is one notice, and a statement that inserts nothing (the batched
// creation always carries the insert) sends none. One notice per (workspace, user) pair keeps each
// payload far below NOTIFY's 8,000 bytes however many users one statement touches.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function notifications_notify() returns trigger language plpgsql as $$
    declare
      r record;
    begin
      for r in select distinct workspace_id, user_id from changed loop
        perform pg_notify('parley_notifications', json_build_object(
          'workspaceId', r.workspace_id, 'userId', r.user_id,
          'reason', case when tg_op = 'INSERT' then 'created' else 'read' end)::text);
      end loop;
      return null;
    end
    $$`.execute(db);
  await sql`
    create trigger notifications_created after insert on notifications
    referencing new table as changed for each statement execute function notifications_notify()`.execute(db);
  await sql`
    create trigger notifications_read after update on notifications
    referencing new table as changed for each statement execute function notifications_notify()`.execute(db);
}
