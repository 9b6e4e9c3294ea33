import { type Kysely, sql } from "kysely";

// What an outbound mail says is fixed when it is queued (rendered body, sender name, threading
// headers), so every retry sends the same bytes under the same Message-ID. Bounce details land
// beside the delivery state, and two indexes serve the per-ticket reads and the sweeper.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table outbound_emails
      add column from_name text not null default '',
      add column body_text text not null default '',
      add column body_html text,
      add column in_reply_to text,
      add column reference_ids text[] not null default '{}',
      add column auto_submitted text,
      add column bounce jsonb`.execute(db);
  await sql`create index outbound_emails_ticket on outbound_emails (workspace_id, ticket_id)`.execute(db);
  await sql`create index outbound_emails_unsent on outbound_emails (created_at)
    where status in ('queued', 'sending')`.execute(db);
}
