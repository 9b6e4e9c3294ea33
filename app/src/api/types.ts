// The shapes the API returns, as the server's presenters name them (server/**/schemas.ts).
export type TicketStatus = "new" | "open" | "pending" | "on_hold" | "solved" | "closed";
export type TicketPriority = "low" | "normal" | "high" | "urgent";
export type TicketType = "question" | "incident" | "problem" | "task" | "feature_request";

export const TICKET_STATUSES: TicketStatus[] = ["new", "open", "pending", "on_hold", "solved", "closed"];
export const TICKET_PRIORITIES: TicketPriority[] = ["low", "normal", "high", "urgent"];
export const TICKET_TYPES: TicketType[] = ["question", "incident", "problem", "task", "feature_request"];

export interface Ticket {
  id: number;
  number: number;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority;
  type: TicketType;
  requesterId: number;
  organizationId: number | null;
  assigneeId: number | null;
  groupId: number | null;
  channel: string;
  tags: string[];
  customFields: Record<string, unknown>;
  problemId: number | null;
  mergedIntoId: number | null;
  followUpOfId: number | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  firstRespondedAt: string | null;
  solvedAt: string | null;
  closedAt: string | null;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface Attachment {
  id: number;
  filename: string;
  contentType: string;
  size: number;
  url: string;
}

// Where the mail carrying an outbound message is (server/tickets/schemas.ts); agents only.
export interface MessageDelivery {
  // The outbound mail, for POST /api/v1/outbound-emails/:id/retry.
  outboundId: number;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  // The addresses the mail went from and to.
  from?: { name: string; address: string };
  to?: string[];
  cc?: string[];
}

export interface Message {
  id: number;
  ticketId: number;
  kind: "reply" | "note" | "system";
  direction: "in" | "out" | null;
  author: { type: "contact" | "user" | "system"; id: number | null };
  body: string;
  html: string | null;
  channel: string;
  attachments: Attachment[];
  delivery: MessageDelivery | null;
  createdAt: string;
  [key: string]: unknown;
}

export interface TicketEvent {
  id: number;
  type: string;
  ticketId: number;
  actor: { type: string; id: number | null } | null;
  changes: Record<string, unknown>;
  createdAt: string;
}

export interface User {
  id: number;
  name: string;
  email: string;
  role: "admin" | "agent" | "light_agent";
  ticketAccess: "all" | "groups";
  timeZone: string;
  signature: string;
  availability: "online" | "away" | "offline";
  active: boolean;
  // False for someone invited who has not chosen a password yet.
  passwordSet: boolean;
  groupIds: number[];
  createdAt: string;
}

// What inviting someone did: mailed them a set-password link, or (no mail route) gave the link
// to the admin to hand over.
export interface Invitation {
  mailed: boolean;
  sentTo: string;
  expiresAt: string;
  link: string | null;
  detail: string;
}

export interface Group {
  id: number;
  name: string;
  [key: string]: unknown;
}

export interface View {
  id: number;
  name: string;
  shared: boolean;
  ownerId: number | null;
  filters: Record<string, unknown>;
  sort: { field: "updated_at" | "created_at" | "number"; direction: "asc" | "desc" };
  columns: string[];
  position: number;
  count: number;
  countCapped: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Contact {
  id: number;
  name: string;
  emails: string[];
  phones: string[];
  organizationId: number | null;
  locale: string | null;
  timeZone: string | null;
  attributes: Record<string, unknown>;
  blocked: boolean;
  createdAt: string;
  updatedAt: string;
}

export type CustomFieldKind = "text" | "number" | "date" | "dropdown" | "multi_select" | "checkbox";
export const CUSTOM_FIELD_KINDS: CustomFieldKind[] = [
  "text",
  "number",
  "date",
  "dropdown",
  "multi_select",
  "checkbox",
];

export interface CustomField {
  id: number;
  key: string;
  label: string;
  kind: CustomFieldKind;
  options: string[];
  requiredOnSolve: boolean;
  active: boolean;
  position: number;
  createdAt: string;
}

export interface Organization {
  id: number;
  name: string;
  domains: string[];
  notes: string;
  attributes: Record<string, unknown>;
  sharedTickets: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Mailbox {
  id: number;
  name: string;
  address: string;
  groupId: number | null;
  inbound: "smtp" | "imap" | "upload";
  imap: {
    host: string;
    port: number;
    secure: boolean;
    user: string;
    auth: string;
    folder: string;
    hasSecret: boolean;
  } | null;
  smtp: { host: string; port: number; secure: boolean; user: string | null; hasSecret: boolean } | null;
  settings: {
    nonParticipantReplies: "new_ticket" | "append_flagged";
    newTicketOnSubjectChange: boolean;
    sendReceipt: boolean;
    // Monitoring alerts, ITSM notifications, bulk mail: a ticket marked automated, or dropped.
    automatedMail: "ticket" | "ignore";
  };
  active: boolean;
  inboundError: { message: string; at: string } | null;
  createdAt: string;
}

export type ApiScope = "read" | "write" | "admin";
export const API_SCOPES: ApiScope[] = ["read", "write", "admin"];

export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  userId: number;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}
