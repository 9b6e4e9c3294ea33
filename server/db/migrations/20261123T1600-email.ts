import { type Kysely, sql } from "kysely";

// The email channel: mailboxes, every inbound message kept raw before it is processed, IMAP
// cursors, ticket participants (CCs), outbound delivery state and editable system templates.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table mailboxes (
      workspace_id bigint not null references workspaces(id),
      id bigint generated always as identity,
      name text not null,
      address text not null,
      group_id bigint,
      inbound text not null default 'smtp' check (inbound in ('smtp', 'imap', 'upload')),
      imap jsonb,
      imap_secret text,
      smtp jsonb,
      smtp_secret text,
      settings jsonb not null default '{}',
      active boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, group_id) references groups (workspace_id, id)
    )`.execute(db);
  // Mail arrives addressed to a mailbox before Parley knows the workspace, so an address maps to
  // one mailbox across the whole installation (a reference table if ever sharded).
  await sql`create unique index mailboxes_address on mailboxes (lower(address))`.execute(db);

  await sql`
    create table inbound_emails (
      workspace_id bigint not null,
      id bigint generated always as identity,
      mailbox_id bigint not null,
      source text not null check (source in ('smtp', 'imap', 'upload')),
      dedupe_key text not null,
      message_id_header text,
      raw bytea not null,
      size int not null,
      envelope jsonb not null default '{}',
      status text not null default 'received' check (status in ('received', 'processed', 'ignored', 'failed')),
      reason text,
      attempts int not null default 0,
      ticket_id bigint,
      message_id bigint,
      received_at timestamptz not null default now(),
      processed_at timestamptz,
      primary key (workspace_id, id),
      foreign key (workspace_id, mailbox_id) references mailboxes (workspace_id, id)
    )`.execute(db);
  await sql`create unique index inbound_emails_dedupe on inbound_emails (workspace_id, mailbox_id, dedupe_key)`.execute(
    db,
  );
  await sql`create index inbound_emails_pending on inbound_emails (workspace_id, status, id)
    where status in ('received', 'failed')`.execute(db);

  await sql`
    create table imap_cursors (
      workspace_id bigint not null,
      mailbox_id bigint not null,
      folder text not null,
      uidvalidity bigint not null,
      last_uid bigint not null default 0,
      updated_at timestamptz not null default now(),
      primary key (workspace_id, mailbox_id, folder),
      foreign key (workspace_id, mailbox_id) references mailboxes (workspace_id, id) on delete cascade
    )`.execute(db);

  await sql`
    create table ticket_participants (
      workspace_id bigint not null,
      ticket_id bigint not null,
      contact_id bigint not null,
      role text not null default 'cc' check (role in ('cc', 'follower')),
      created_at timestamptz not null default now(),
      primary key (workspace_id, ticket_id, contact_id),
      foreign key (workspace_id, ticket_id) references tickets (workspace_id, id),
      foreign key (workspace_id, contact_id) references contacts (workspace_id, id)
    )`.execute(db);

  await sql`
    create table outbound_emails (
      workspace_id bigint not null,
      id bigint generated always as identity,
      message_id bigint,
      ticket_id bigint,
      mailbox_id bigint not null,
      kind text not null default 'reply',
      message_id_header text not null,
      recipients jsonb not null,
      subject text not null,
      status text not null default 'queued'
        check (status in ('queued', 'sending', 'sent', 'failed', 'bounced')),
      attempts int not null default 0,
      last_error text,
      sent_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, mailbox_id) references mailboxes (workspace_id, id),
      foreign key (workspace_id, message_id) references messages (workspace_id, id),
      foreign key (workspace_id, ticket_id) references tickets (workspace_id, id)
    )`.execute(db);
  await sql`create unique index outbound_emails_header on outbound_emails (workspace_id, message_id_header)`.execute(
    db,
  );
  await sql`create index outbound_emails_message on outbound_emails (workspace_id, message_id)`.execute(db);

  await sql`
    create table email_templates (
      workspace_id bigint not null references workspaces(id),
      key text not null check (key in ('ticket_received', 'agent_replied', 'ticket_solved')),
      subject text not null,
      body_text text not null,
      updated_at timestamptz not null default now(),
      primary key (workspace_id, key)
    )`.execute(db);
}
