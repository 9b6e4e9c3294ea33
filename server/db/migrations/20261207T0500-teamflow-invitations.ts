import { type Kysely, sql } from "kysely";

// Invitations to set a first password: an agent added without one gets a link by mail. Only a
// SHA-256 of the token is kept (the token is 32 random bytes, so nothing to brute-force), with
// its expiry and the moment it was used: a token works once, until it expires.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table user_invitations (
      workspace_id bigint not null references workspaces(id),
      id bigint generated always as identity,
      user_id bigint not null,
      token_hash text not null,
      expires_at timestamptz not null,
      used_at timestamptz,
      created_by bigint,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, user_id) references users (workspace_id, id)
    )`.execute(db);
  // Looked up by the token alone (the link names no workspace); 32 random bytes do not collide.
  await sql`create index user_invitations_token on user_invitations (token_hash)`.execute(db);
  await sql`create index user_invitations_user on user_invitations (workspace_id, user_id)`.execute(db);
}
