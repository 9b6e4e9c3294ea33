import { type Kysely, sql } from "kysely";

// Tells every instance, on channel parley_access, whose rights changed when the writing
// transaction commits: a user's role, ticket access, active state or groups, a session ended or a
// token revoked, a contact blocked or moved, an organization's ticket sharing. Instances forget
// the actors they cached and re-check the websockets of that user or contact at once, rather than
// when a cache entry or a socket's periodic re-check runs out. A trigger, so every writer (the
// API, the CLI, a script in psql) is covered. Row-level with a WHEN, so the frequent writes that
// change no one's rights (availability, a token's last_used_at) send nothing; PostgreSQL sends
// identical payloads of one transaction once.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function access_changed_notify() returns trigger language plpgsql as $$
    declare
      r jsonb;
    begin
      if tg_op = 'DELETE' then r := to_jsonb(old); else r := to_jsonb(new); end if;
      perform pg_notify('parley_access', json_build_object(
        'workspaceId', (r->>'workspace_id')::bigint,
        'userId', case when tg_table_name = 'users' then r->>'id' else r->>'user_id' end::bigint,
        'contactId', case when tg_table_name = 'contacts' then r->>'id' else r->>'contact_id' end::bigint,
        'organizationId', case when tg_table_name = 'organizations' then (r->>'id')::bigint end)::text);
      return null;
    end
    $$`.execute(db);
  const triggers: [string, string][] = [
    [
      "users_changed",
      `after update on users for each row when (old.role is distinct from new.role
        or old.active is distinct from new.active or old.ticket_access is distinct from new.ticket_access)`,
    ],
    ["users_deleted", "after delete on users for each row"],
    ["group_members_changed", "after insert or delete on group_members for each row"],
    ["sessions_deleted", "after delete on sessions for each row"],
    [
      "api_tokens_changed",
      `after update on api_tokens for each row when (old.revoked_at is distinct from new.revoked_at
        or old.scopes is distinct from new.scopes or old.expires_at is distinct from new.expires_at)`,
    ],
    ["api_tokens_deleted", "after delete on api_tokens for each row"],
    [
      "contacts_changed",
      `after update on contacts for each row when (old.blocked is distinct from new.blocked
        or old.organization_id is distinct from new.organization_id)`,
    ],
    ["contacts_deleted", "after delete on contacts for each row"],
    [
      "organizations_changed",
      "after update on organizations for each row when (old.shared_tickets is distinct from new.shared_tickets)",
    ],
    ["organizations_deleted", "after delete on organizations for each row"],
  ];
  for (const [name, when] of triggers) {
    await sql
      .raw(`create trigger access_${name} ${when} execute function access_changed_notify()`)
      .execute(db);
  }
}
