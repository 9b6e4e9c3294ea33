import type { ColumnType, Generated } from "kysely";

// Row types for Kysely. They mirror server/db/migrations; a column added there is added here.
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | undefined, string>;
type Id = Generated<number>;

export interface WorkspaceTable {
  id: Id;
  name: string;
  settings: Json<Record<string, unknown>>;
  created_at: CreatedAt;
}

export type Role = "admin" | "agent" | "light_agent";
export type TicketAccess = "all" | "groups";
export type Availability = "online" | "away" | "offline";

export interface UserTable {
  workspace_id: number;
  id: Id;
  name: string;
  email: string;
  password_hash: string | null;
  role: Role;
  ticket_access: Generated<TicketAccess>;
  time_zone: Generated<string>;
  signature: Generated<string>;
  availability: Generated<Availability>;
  active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface GroupTable {
  workspace_id: number;
  id: Id;
  name: string;
  description: Generated<string>;
  created_at: CreatedAt;
}

export interface GroupMemberTable {
  workspace_id: number;
  group_id: number;
  user_id: number;
}

export interface OrganizationTable {
  workspace_id: number;
  id: Id;
  name: string;
  domains: Generated<string[]>;
  notes: Generated<string>;
  attributes: Json<Record<string, unknown>>;
  shared_tickets: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface ContactTable {
  workspace_id: number;
  id: Id;
  name: Generated<string>;
  organization_id: number | null;
  locale: string | null;
  time_zone: string | null;
  attributes: Json<Record<string, unknown>>;
  blocked: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface ContactIdentityTable {
  workspace_id: number;
  contact_id: number;
  kind: "email" | "phone";
  value: string;
  position: Generated<number>;
}

export type CustomFieldKind = "text" | "number" | "date" | "dropdown" | "multi_select" | "checkbox";

export interface CustomFieldTable {
  workspace_id: number;
  id: Id;
  key: string;
  label: string;
  kind: CustomFieldKind;
  options: Json<string[]>;
  required_on_solve: Generated<boolean>;
  active: Generated<boolean>;
  position: Generated<number>;
  visible_to_customers: Generated<boolean>;
  created_at: CreatedAt;
}

export type TicketStatus = "new" | "open" | "pending" | "on_hold" | "solved" | "closed";
export type TicketPriority = "low" | "normal" | "high" | "urgent";
export type TicketType = "question" | "incident" | "problem" | "task" | "feature_request";

export interface TicketTable {
  workspace_id: number;
  id: Id;
  number: number;
  subject: string;
  status: Generated<TicketStatus>;
  priority: Generated<TicketPriority>;
  type: Generated<TicketType>;
  requester_id: number;
  organization_id: number | null;
  assignee_id: number | null;
  group_id: number | null;
  channel: Generated<string>;
  tags: Generated<string[]>;
  custom_fields: Json<Record<string, unknown>>;
  problem_id: number | null;
  merged_into_id: number | null;
  follow_up_of_id: number | null;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  first_responded_at: NullableTimestamp;
  solved_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  search_vector: ColumnType<string, never, never>;
}

export type MessageKind = "reply" | "note" | "system";
export type AuthorType = "contact" | "user" | "system";

export interface MessageTable {
  workspace_id: number;
  id: Id;
  ticket_id: number;
  kind: MessageKind;
  direction: "in" | "out" | null;
  author_type: AuthorType;
  author_contact_id: number | null;
  author_user_id: number | null;
  body_text: Generated<string>;
  body_html: string | null;
  channel: Generated<string>;
  channel_meta: Json<Record<string, unknown>>;
  external_id: string | null;
  // Email: the digest of the mail's content, which with external_id (its Message-ID) names one mail.
  external_digest: string | null;
  moved_from_ticket_id: number | null;
  created_at: CreatedAt;
  search_vector: ColumnType<string, never, never>;
}

export interface AttachmentTable {
  workspace_id: number;
  id: Id;
  message_id: number | null;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  storage_key: string;
  uploaded_by_user_id: number | null;
  created_at: CreatedAt;
  uploaded_by_contact_id: Generated<number | null>;
}

export interface TicketEventTable {
  workspace_id: number;
  id: Id;
  ticket_id: number;
  type: string;
  actor_type: AuthorType;
  actor_id: number | null;
  changes: Json<Record<string, unknown>>;
  created_at: CreatedAt;
}

export interface ViewTable {
  workspace_id: number;
  id: Id;
  name: string;
  owner_user_id: number | null;
  filters: Json<Record<string, unknown>>;
  sort: Json<{ field: string; direction: "asc" | "desc" }>;
  columns: Json<string[]>;
  position: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface ApiTokenTable {
  workspace_id: number;
  id: Id;
  user_id: number;
  name: string;
  token_hash: string;
  prefix: string;
  scopes: string[];
  created_at: CreatedAt;
  last_used_at: NullableTimestamp;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface SessionTable {
  workspace_id: number;
  token_hash: string;
  user_id: number | null;
  contact_id: number | null;
  created_at: CreatedAt;
  expires_at: Date | string;
}

export interface IdempotencyKeyTable {
  workspace_id: number;
  actor: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: Json<unknown>;
  created_at: CreatedAt;
}

export interface Database extends EmailTables, CannedResponseTables {
  workspaces: WorkspaceTable;
  users: UserTable;
  groups: GroupTable;
  group_members: GroupMemberTable;
  organizations: OrganizationTable;
  contacts: ContactTable;
  contact_identities: ContactIdentityTable;
  custom_fields: CustomFieldTable;
  tickets: TicketTable;
  messages: MessageTable;
  attachments: AttachmentTable;
  ticket_events: TicketEventTable;
  views: ViewTable;
  api_tokens: ApiTokenTable;
  sessions: SessionTable;
  idempotency_keys: IdempotencyKeyTable;
  notifications: NotificationTable;
  user_invitations: UserInvitationTable;
}

export interface UserInvitationTable {
  workspace_id: number;
  id: Id;
  user_id: number;
  token_hash: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_by: number | null;
  created_at: CreatedAt;
}

export interface NotificationTable {
  workspace_id: number;
  id: Id;
  user_id: number;
  ticket_id: number;
  event_id: number;
  kind: string;
  read_at: NullableTimestamp;
  created_at: CreatedAt;
}

// Email channel (migration 20261123T1600-email).
export type MailboxInbound = "smtp" | "imap" | "upload";

export interface MailboxTable {
  workspace_id: number;
  id: Generated<number>;
  name: string;
  address: string;
  group_id: number | null;
  inbound: Generated<MailboxInbound>;
  imap: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  imap_secret: string | null;
  smtp: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  smtp_secret: string | null;
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  active: Generated<boolean>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  inbound_error: Generated<string | null>;
  inbound_error_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  poller_owner: Generated<string | null>;
  poller_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type InboundStatus = "received" | "processed" | "ignored" | "failed";

export interface InboundEmailTable {
  workspace_id: number;
  id: Generated<number>;
  mailbox_id: number;
  source: MailboxInbound;
  dedupe_key: string;
  message_id_header: string | null;
  raw: Uint8Array;
  size: number;
  envelope: ColumnType<Record<string, unknown>, string | undefined, string>;
  status: Generated<InboundStatus>;
  reason: string | null;
  attempts: Generated<number>;
  ticket_id: number | null;
  message_id: number | null;
  received_at: ColumnType<Date, Date | string | undefined, never>;
  processed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  // When a failed mail is due for its next automatic try; null otherwise.
  retry_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface ImapCursorTable {
  workspace_id: number;
  mailbox_id: number;
  folder: string;
  uidvalidity: number;
  last_uid: Generated<number>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface TicketParticipantTable {
  workspace_id: number;
  ticket_id: number;
  contact_id: number;
  role: Generated<"cc" | "follower">;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export type OutboundStatus = "queued" | "sending" | "sent" | "failed" | "bounced";

export interface OutboundEmailTable {
  workspace_id: number;
  id: Generated<number>;
  message_id: number | null;
  ticket_id: number | null;
  mailbox_id: number;
  kind: Generated<string>;
  message_id_header: string;
  recipients: ColumnType<{ to: string[]; cc: string[] }, string, string>;
  subject: string;
  status: Generated<OutboundStatus>;
  attempts: Generated<number>;
  last_error: string | null;
  sent_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  // Added by migration 20261123T1630-outbound-content.
  from_name: Generated<string>;
  body_text: Generated<string>;
  body_html: string | null;
  in_reply_to: string | null;
  reference_ids: ColumnType<string[], string[] | undefined, string[]>;
  auto_submitted: string | null;
  bounce: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface EmailTemplateTable {
  workspace_id: number;
  key: "ticket_received" | "agent_replied" | "ticket_solved" | "agent_replied_solved";
  subject: string;
  body_text: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface EmailTables {
  mailboxes: MailboxTable;
  inbound_emails: InboundEmailTable;
  imap_cursors: ImapCursorTable;
  ticket_participants: TicketParticipantTable;
  outbound_emails: OutboundEmailTable;
  email_templates: EmailTemplateTable;
}

// Canned responses (migration 20261124T1000-canned-responses).
export interface CannedResponseTable {
  workspace_id: number;
  id: Id;
  title: string;
  body: string;
  updated_by_user_id: number | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CannedResponseTables {
  canned_responses: CannedResponseTable;
}
