import type { Contact, Ticket, TicketStatus } from "../api/types.ts";

// GET /api/v1/search's hits (server/search/schemas.ts).
export interface MessageHit {
  id: number;
  kind: "reply" | "note" | "system";
  createdAt: string;
  // Escaped text; the only markup is <mark> around the matched words.
  snippet: string;
  ticket: { id: number; number: number; subject: string; status: TicketStatus };
}

export interface OrganizationHit {
  id: number;
  name: string;
  domains: string[];
}

export interface SearchHit {
  type: "tickets" | "messages" | "contacts" | "organizations";
  score: number;
  ticket?: Ticket;
  message?: MessageHit;
  contact?: Contact;
  organization?: OrganizationHit;
}

// A ticket found by its subject, number or messages: one result however many of its messages
// matched.
export interface TicketResult {
  id: number;
  number: number;
  subject: string;
  status: TicketStatus;
  snippets: { id: number; kind: MessageHit["kind"]; html: string }[];
}

export type PersonResult =
  | { kind: "contact"; id: number; name: string; detail: string }
  | { kind: "organization"; id: number; name: string; detail: string };
