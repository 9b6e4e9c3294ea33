import { type Kysely, sql } from "kysely";

// Canned responses: reusable reply texts with placeholders, shared by everyone in a workspace.
// A title is unique whatever its case, so the composer's picker never offers two look-alikes.
// Who last changed one is kept for the admin list; deleting a user never deletes texts.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table canned_responses (
      workspace_id bigint not null references workspaces(id),
      id bigint generated always as identity,
      title text not null,
      body text not null,
      updated_by_user_id bigint,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, updated_by_user_id) references users (workspace_id, id)
    )`.execute(db);
  await sql`create unique index canned_responses_title on canned_responses (workspace_id, lower(title))`.execute(
    db,
  );
}
