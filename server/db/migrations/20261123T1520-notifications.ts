import { type Kysely, sql } from "kysely";

// Notifications for agents (the agent app lists them). One row per user per event and kind, so a
// job that runs twice, or two instances that both heard the event, still leave one notification.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table notifications (
      workspace_id bigint not null,
      id bigint generated always as identity,
      user_id bigint not null,
      ticket_id bigint not null,
      event_id bigint not null,
      kind text not null,
      read_at timestamptz,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id),
      unique (workspace_id, user_id, event_id, kind),
      foreign key (workspace_id, user_id) references users (workspace_id, id) on delete cascade,
      foreign key (workspace_id, ticket_id) references tickets (workspace_id, id) on delete cascade,
      foreign key (workspace_id, event_id) references ticket_events (workspace_id, id) on delete cascade
    )`.execute(db);
  await sql`create index notifications_unread on notifications (workspace_id, user_id, id desc)
    where read_at is null`.execute(db);
}
