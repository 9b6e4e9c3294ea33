import { type Kysely, sql } from "kysely";

// A Message-ID alone does not name one mail: broken mailers, and ticketing and monitoring tools,
// reuse them. An inbound email message now keeps the digest of its content beside its Message-ID
// (server/email/content-digest.ts), and the pair is what must be unique: the same mail through two
// mailboxes, or processed twice at once, is still one message, while a different mail with the
// same Message-ID becomes a message of its own. Messages stored before this have no digest; a
// mail with their Message-ID is taken as theirs, as before. Other channels set no digest, so for
// them external_id alone stays unique.
//
// Ignored mail (bounces, auto-replies, automated mail a mailbox drops) is listed with its reason
// in Mail problems, newest first: a partial index keeps that list from reading processed mail.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table messages add column external_digest text`.execute(db);
  await sql`create unique index messages_external_digest
    on messages (workspace_id, channel, external_id, coalesce(external_digest, ''))
    where external_id is not null`.execute(db);
  await sql`drop index messages_external`.execute(db);
  await sql`create index inbound_emails_ignored on inbound_emails (workspace_id, id)
    where status = 'ignored'`.execute(db);
}
