import { type Kysely, sql } from "kysely";

// IMAP mailboxes fail in ways only an admin can fix (a changed password, an expired token), so
// the last failure is kept on the mailbox and shown with it. The poller lease makes one instance
// hold the IMAP connection of a mailbox when several run: the holder renews it, and a lease left
// by a crashed instance expires.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table mailboxes
      add column inbound_error text,
      add column inbound_error_at timestamptz,
      add column poller_owner text,
      add column poller_until timestamptz`.execute(db);
}
