import type { FieldError } from "../http/errors.ts";

// The placeholders a canned response may use. The agent app fills them in when an agent inserts
// the text (app/src/tickets/canned/placeholders.ts), from the ticket on screen; the server only
// checks that a text names none it does not know, so a typo is caught when the text is saved
// rather than sent to a customer as "{{requester.frist_name}}".
export const PLACEHOLDERS = [
  "requester.name",
  "requester.first_name",
  "requester.email",
  "agent.name",
  "agent.first_name",
  "ticket.number",
  "ticket.subject",
] as const;

const TOKEN = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function unknownPlaceholders(text: string, path: string): FieldError[] {
  const known = new Set<string>(PLACEHOLDERS);
  const unknown = new Set<string>();
  for (const match of text.matchAll(TOKEN)) if (!known.has(match[1])) unknown.add(match[1]);
  return [...unknown].map((name) => ({
    path,
    message: `{{${name}}} is not a placeholder; use one of ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}.`,
  }));
}
