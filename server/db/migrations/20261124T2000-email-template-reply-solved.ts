import { type Kysely, sql } from "kysely";

// A reply that also solves its ticket is sent as one mail, with a template of its own
// (agent_replied_solved) that admins can edit like the others.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table email_templates drop constraint email_templates_key_check`.execute(db);
  await sql`alter table email_templates add constraint email_templates_key_check
    check (key in ('ticket_received', 'agent_replied', 'ticket_solved', 'agent_replied_solved'))`.execute(db);
}
