import type { Contact, Ticket, User } from "../api/types.ts";

// Fills a canned response's {{placeholders}} from the ticket on screen, when the agent inserts
// it: the agent reads (and may edit) the final words before sending. The server refuses unknown
// names on save (server/canned/placeholders.ts holds the same list); a value this ticket lacks
// becomes empty text rather than a raw "{{...}}" in front of a customer.
export interface PlaceholderContext {
  ticket: Pick<Ticket, "number" | "subject">;
  requester: Pick<Contact, "name" | "emails"> | undefined;
  agent: Pick<User, "name">;
}

const firstWord = (name: string | undefined) => name?.trim().split(/\s+/)[0] ?? "";

export function renderPlaceholders(text: string, context: PlaceholderContext): string {
  const values: Record<string, string> = {
    "requester.name": context.requester?.name ?? "",
    "requester.first_name": firstWord(context.requester?.name),
    "requester.email": context.requester?.emails[0] ?? "",
    "agent.name": context.agent.name,
    "agent.first_name": firstWord(context.agent.name),
    "ticket.number": String(context.ticket.number),
    "ticket.subject": context.ticket.subject,
  };
  return text.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_, name: string) => values[name] ?? "");
}
