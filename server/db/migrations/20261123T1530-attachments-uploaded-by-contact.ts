import { type Kysely, sql } from "kysely";

// Customers upload files from the portal too. Until an upload is attached to a message only
// its uploader may fetch or attach it, so the uploading contact must be recorded as the
// uploading user already is. The partial index is for sweeping uploads that were never attached.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table attachments add column uploaded_by_contact_id bigint`.execute(db);
  await sql`
    alter table attachments
      add constraint attachments_uploaded_by_contact
      foreign key (workspace_id, uploaded_by_contact_id) references contacts (workspace_id, id)`.execute(db);
  await sql`
    alter table attachments
      add constraint attachments_uploaded_by_user
      foreign key (workspace_id, uploaded_by_user_id) references users (workspace_id, id)`.execute(db);
  await sql`create index attachments_unattached on attachments (workspace_id, created_at)
    where message_id is null`.execute(db);
}
