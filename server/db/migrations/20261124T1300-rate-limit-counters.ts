import { type Kysely, sql } from "kysely";

// Counters for the sign-in rate limits, kept in the database so that every instance behind a load
// balancer counts the same attempts (an in-memory count let an attacker spread guesses over the
// instances). Like sessions and API tokens, a counter is looked up before the workspace is known
// (its key is the client's address and the email tried), so it carries no workspace_id.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table rate_limit_counters (
      key text primary key,
      hits int not null,
      window_ends_at timestamptz not null
    )`.execute(db);
  await sql`create index rate_limit_counters_window on rate_limit_counters (window_ends_at)`.execute(db);
}
