import type { Message } from "../api/types.ts";

// Shapes of the ticket page's own resources (server/canned/routes.ts, server/tickets/schemas.ts).
export interface CannedResponse {
  id: number;
  title: string;
  body: string;
  updatedByUserId: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface EmailAddress {
  address: string;
  name: string;
}

// Set on a mail that came in: the quoted history and signature are split off the body.
export interface MessageEmail {
  from: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  // Where the sender asked replies to go; absent from servers that predate it.
  replyTo?: EmailAddress[];
  // Addresses past what was kept, per header.
  recipientsOmitted?: { to: number; cc: number; replyTo: number };
  subject: string;
  quotedText: string;
  signature: string;
  flagged: string | null;
  // The sign that a machine wrote the mail on its own ("auto-submitted: auto-generated").
  automated?: string | null;
}

export function messageEmail(message: Message): MessageEmail | null {
  const email = message.email as MessageEmail | null | undefined;
  return email ?? null;
}

// A mail Parley sends, as the outbound-emails API answers (server/email/outbound-routes.ts);
// only the fields the ticket page reads.
export interface OutboundEmail {
  id: number;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}
