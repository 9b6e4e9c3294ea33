import { type Kysely, sql } from "kysely";

// Inbound mail is no longer processed through a job per mail: a stored row whose status is
// 'received' is the queue, and a failed one is retried by the inbound sweep when retry_at comes
// (backoff doubling per attempt), so the pause before the next try lives on the row.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table inbound_emails add column retry_at timestamptz`.execute(db);
}
