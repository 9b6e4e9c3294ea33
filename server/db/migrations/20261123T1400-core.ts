import { type Kysely, sql } from "kysely";

// The ticketing core. Every table carries workspace_id and every key (primary, unique, foreign)
// includes it, so rows can never point across workspaces and the schema can be sharded by
// workspace later without rewriting keys.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);

  await sql`
    create table workspaces (
      id bigint generated always as identity primary key,
      name text not null,
      settings jsonb not null default '{}',
      created_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table users (
      workspace_id bigint not null references workspaces(id),
      id bigint generated always as identity,
      name text not null,
      email text not null,
      password_hash text,
      role text not null check (role in ('admin', 'agent', 'light_agent')),
      ticket_access text not null default 'all' check (ticket_access in ('all', 'groups')),
      time_zone text not null default 'UTC',
      signature text not null default '',
      availability text not null default 'offline' check (availability in ('online', 'away', 'offline')),
      active boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id)
    )`.execute(db);
  await sql`create unique index users_email on users (workspace_id, lower(email))`.execute(db);
  await sql`create index users_email_any on users (lower(email))`.execute(db);

  await sql`
    create table groups (
      workspace_id bigint not null references workspaces(id),
      id bigint generated always as identity,
      name text not null,
      description text not null default '',
      created_at timestamptz not null default now(),
      primary key (workspace_id, id)
    )`.execute(db);
  await sql`create unique index groups_name on groups (workspace_id, lower(name))`.execute(db);

  await sql`
    create table group_members (
      workspace_id bigint not null,
      group_id bigint not null,
      user_id bigint not null,
      primary key (workspace_id, group_id, user_id),
      foreign key (workspace_id, group_id) references groups (workspace_id, id) on delete cascade,
      foreign key (workspace_id, user_id) references users (workspace_id, id) on delete cascade
    )`.execute(db);
  await sql`create index group_members_user on group_members (workspace_id, user_id)`.execute(db);

  await sql`
    create table organizations (
      workspace_id bigint not null references workspaces(id),
      id bigint generated always as identity,
      name text not null,
      domains text[] not null default '{}',
      notes text not null default '',
      attributes jsonb not null default '{}',
      shared_tickets boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id)
    )`.execute(db);
  await sql`create unique index organizations_name on organizations (workspace_id, lower(name))`.execute(db);
  await sql`create index organizations_name_trgm on organizations using gin (name gin_trgm_ops)`.execute(db);

  await sql`
    create table contacts (
      workspace_id bigint not null references workspaces(id),
      id bigint generated always as identity,
      name text not null default '',
      organization_id bigint,
      locale text,
      time_zone text,
      attributes jsonb not null default '{}',
      blocked boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, organization_id) references organizations (workspace_id, id)
    )`.execute(db);
  await sql`create index contacts_name_trgm on contacts using gin (name gin_trgm_ops)`.execute(db);
  await sql`create index contacts_organization on contacts (workspace_id, organization_id)`.execute(db);

  // One row per email address or phone number, so "who wrote this?" is one unique lookup.
  await sql`
    create table contact_identities (
      workspace_id bigint not null,
      contact_id bigint not null,
      kind text not null check (kind in ('email', 'phone')),
      value text not null,
      position int not null default 0,
      primary key (workspace_id, kind, value),
      foreign key (workspace_id, contact_id) references contacts (workspace_id, id) on delete cascade
    )`.execute(db);
  await sql`create index contact_identities_contact on contact_identities (workspace_id, contact_id)`.execute(
    db,
  );
  await sql`create index contact_identities_value_trgm on contact_identities using gin (value gin_trgm_ops)`.execute(
    db,
  );

  await sql`
    create table custom_fields (
      workspace_id bigint not null references workspaces(id),
      id bigint generated always as identity,
      key text not null,
      label text not null,
      kind text not null check (kind in ('text', 'number', 'date', 'dropdown', 'multi_select', 'checkbox')),
      options jsonb not null default '[]',
      required_on_solve boolean not null default false,
      active boolean not null default true,
      position int not null default 0,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id)
    )`.execute(db);
  await sql`create unique index custom_fields_key on custom_fields (workspace_id, key)`.execute(db);

  await sql`
    create table tickets (
      workspace_id bigint not null references workspaces(id),
      id bigint generated always as identity,
      number bigint not null,
      subject text not null,
      status text not null default 'new'
        check (status in ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
      priority text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
      type text not null default 'question'
        check (type in ('question', 'incident', 'problem', 'task', 'feature_request')),
      requester_id bigint not null,
      organization_id bigint,
      assignee_id bigint,
      group_id bigint,
      channel text not null default 'api',
      tags text[] not null default '{}',
      custom_fields jsonb not null default '{}',
      problem_id bigint,
      merged_into_id bigint,
      follow_up_of_id bigint,
      version int not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      first_responded_at timestamptz,
      solved_at timestamptz,
      closed_at timestamptz,
      search_vector tsvector generated always as (setweight(to_tsvector('simple', subject), 'A')) stored,
      primary key (workspace_id, id),
      foreign key (workspace_id, requester_id) references contacts (workspace_id, id),
      foreign key (workspace_id, organization_id) references organizations (workspace_id, id),
      foreign key (workspace_id, assignee_id) references users (workspace_id, id),
      foreign key (workspace_id, group_id) references groups (workspace_id, id),
      foreign key (workspace_id, problem_id) references tickets (workspace_id, id),
      foreign key (workspace_id, merged_into_id) references tickets (workspace_id, id),
      foreign key (workspace_id, follow_up_of_id) references tickets (workspace_id, id)
    )`.execute(db);
  await sql`create unique index tickets_number on tickets (workspace_id, number)`.execute(db);
  await sql`create index tickets_status_updated on tickets (workspace_id, status, updated_at desc, id desc)`.execute(
    db,
  );
  await sql`create index tickets_updated on tickets (workspace_id, updated_at desc, id desc)`.execute(db);
  await sql`create index tickets_assignee on tickets (workspace_id, assignee_id, status)`.execute(db);
  await sql`create index tickets_group on tickets (workspace_id, group_id, status)`.execute(db);
  await sql`create index tickets_requester on tickets (workspace_id, requester_id, created_at desc)`.execute(
    db,
  );
  await sql`create index tickets_problem on tickets (workspace_id, problem_id) where problem_id is not null`.execute(
    db,
  );
  await sql`create index tickets_tags on tickets using gin (tags)`.execute(db);
  await sql`create index tickets_search on tickets using gin (search_vector)`.execute(db);

  await sql`
    create table messages (
      workspace_id bigint not null,
      id bigint generated always as identity,
      ticket_id bigint not null,
      kind text not null check (kind in ('reply', 'note', 'system')),
      direction text check (direction in ('in', 'out')),
      author_type text not null check (author_type in ('contact', 'user', 'system')),
      author_contact_id bigint,
      author_user_id bigint,
      body_text text not null default '',
      body_html text,
      channel text not null default 'api',
      channel_meta jsonb not null default '{}',
      external_id text,
      moved_from_ticket_id bigint,
      created_at timestamptz not null default now(),
      search_vector tsvector generated always as (setweight(to_tsvector('simple', body_text), 'B')) stored,
      primary key (workspace_id, id),
      foreign key (workspace_id, ticket_id) references tickets (workspace_id, id),
      foreign key (workspace_id, author_contact_id) references contacts (workspace_id, id),
      foreign key (workspace_id, author_user_id) references users (workspace_id, id)
    )`.execute(db);
  await sql`create index messages_ticket on messages (workspace_id, ticket_id, created_at, id)`.execute(db);
  await sql`create index messages_search on messages using gin (search_vector)`.execute(db);
  await sql`create unique index messages_external on messages (workspace_id, channel, external_id)
    where external_id is not null`.execute(db);

  await sql`
    create table attachments (
      workspace_id bigint not null,
      id bigint generated always as identity,
      message_id bigint,
      filename text not null,
      content_type text not null,
      size bigint not null,
      sha256 text not null,
      storage_key text not null,
      uploaded_by_user_id bigint,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, message_id) references messages (workspace_id, id)
    )`.execute(db);
  await sql`create index attachments_message on attachments (workspace_id, message_id)`.execute(db);

  // The audit trail and the outbox: appended in the same transaction as the change it records.
  await sql`
    create table ticket_events (
      workspace_id bigint not null,
      id bigint generated always as identity,
      ticket_id bigint not null,
      type text not null,
      actor_type text not null check (actor_type in ('contact', 'user', 'system')),
      actor_id bigint,
      changes jsonb not null default '{}',
      created_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, ticket_id) references tickets (workspace_id, id)
    )`.execute(db);
  await sql`create index ticket_events_ticket on ticket_events (workspace_id, ticket_id, id)`.execute(db);

  await sql`
    create table views (
      workspace_id bigint not null references workspaces(id),
      id bigint generated always as identity,
      name text not null,
      owner_user_id bigint,
      filters jsonb not null default '{}',
      sort jsonb not null default '{"field":"updated_at","direction":"desc"}',
      columns jsonb not null default '[]',
      position int not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, owner_user_id) references users (workspace_id, id) on delete cascade
    )`.execute(db);

  await sql`
    create table api_tokens (
      workspace_id bigint not null,
      id bigint generated always as identity,
      user_id bigint not null,
      name text not null,
      token_hash text not null,
      prefix text not null,
      scopes text[] not null,
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      expires_at timestamptz,
      revoked_at timestamptz,
      primary key (workspace_id, id),
      foreign key (workspace_id, user_id) references users (workspace_id, id) on delete cascade
    )`.execute(db);
  await sql`create unique index api_tokens_hash on api_tokens (token_hash)`.execute(db);

  await sql`
    create table sessions (
      workspace_id bigint not null,
      token_hash text not null,
      user_id bigint,
      contact_id bigint,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      primary key (token_hash),
      check ((user_id is null) <> (contact_id is null)),
      foreign key (workspace_id, user_id) references users (workspace_id, id) on delete cascade,
      foreign key (workspace_id, contact_id) references contacts (workspace_id, id) on delete cascade
    )`.execute(db);

  // A replayed POST returns the first answer instead of doing the work twice.
  await sql`
    create table idempotency_keys (
      workspace_id bigint not null,
      actor text not null,
      key text not null,
      request_hash text not null,
      status_code int not null,
      response jsonb not null,
      created_at timestamptz not null default now(),
      primary key (workspace_id, actor, key)
    )`.execute(db);
}
