import type { Db } from "../db/connection.ts";
import { invalid, notFound } from "../http/errors.ts";

export const TEMPLATE_KEYS = [
  "ticket_received",
  "agent_replied",
  "ticket_solved",
  "agent_replied_solved",
] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

export const PLACEHOLDERS = [
  "ticket.number",
  "ticket.subject",
  "ticket.status",
  "requester.name",
  "requester.first_name",
  "requester.email",
  "agent.name",
  "agent.first_name",
  "message.text",
  "portal_url",
  "mailbox.name",
  "mailbox.address",
  "workspace.name",
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

export interface EmailTemplate {
  subject: string;
  bodyText: string;
}

// The subjects stay the ticket's own: a reply whose subject no longer matches the ticket can be
// configured to start a new ticket, and "Re: " plus the [#N] token are added when sending.
export const DEFAULT_TEMPLATES: Record<TemplateKey, EmailTemplate> = {
  ticket_received: {
    subject: "{{ticket.subject}}",
    bodyText: [
      "Hello {{requester.first_name}},",
      "",
      "Thank you for writing to us. We have received your request #{{ticket.number}} and will get back to you as soon as we can. To add anything, simply reply to this email.",
      "",
      "{{mailbox.name}}",
    ].join("\n"),
  },
  agent_replied: {
    subject: "{{ticket.subject}}",
    bodyText: "{{message.text}}",
  },
  ticket_solved: {
    subject: "{{ticket.subject}}",
    bodyText: [
      "Hello {{requester.first_name}},",
      "",
      "Your request #{{ticket.number}} has been marked as solved. If something is still not right, simply reply to this email and we will pick it up again.",
      "",
      "{{mailbox.name}}",
    ].join("\n"),
  },
  // An agent's reply that also solves the ticket: one mail instead of the reply and the notice.
  agent_replied_solved: {
    subject: "{{ticket.subject}}",
    bodyText: [
      "{{message.text}}",
      "",
      "We have marked your request #{{ticket.number}} as solved. If something is still not right, simply reply to this email and we will pick it up again.",
    ].join("\n"),
  },
};

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const KNOWN = new Set<string>(PLACEHOLDERS);

export const isTemplateKey = (key: string): key is TemplateKey =>
  (TEMPLATE_KEYS as readonly string[]).includes(key);

export function unknownPlaceholders(text: string): string[] {
  const unknown = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) if (!KNOWN.has(match[1])) unknown.add(match[1]);
  return [...unknown];
}

const escapeHtml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

const textToHtml = (s: string) => escapeHtml(s).replace(/\r?\n/g, "<br>\n");

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

// The customer portal is not built yet, and /portal/tickets/<id> answers 404: until it is,
// {{portal_url}} renders empty (in sent mail and in the editor's preview) and a template line
// carrying it is left out. When the portal lands, set this to true and put the link back in the
// ticket_received default (docs/email.md, "System mail templates").
const PORTAL_SERVES_TICKETS = false;
export const portalTicketUrl = (publicUrl: string | null, ticketId: number) =>
  PORTAL_SERVES_TICKETS && publicUrl ? `${publicUrl}/portal/tickets/${ticketId}` : "";

// Placeholders that stand for a link: a line that carries one which renders empty ("Follow it
// here: {{portal_url}}" while there is no portal) is left out rather than sent dangling.
const LINK_PLACEHOLDERS: Placeholder[] = ["portal_url"];

function withoutEmptyLinks(bodyText: string, values: TemplateValues): string {
  const empty = LINK_PLACEHOLDERS.filter((name) => !values[name]);
  if (empty.length === 0) return bodyText;
  const lines = bodyText.split("\n");
  const kept: string[] = [];
  for (const line of lines) {
    const names = [...line.matchAll(PLACEHOLDER)].map((m) => m[1] as Placeholder);
    if (names.some((name) => empty.includes(name))) {
      // The blank line that set the dropped one apart goes with it.
      if (kept.length > 0 && kept.at(-1)!.trim() === "") kept.pop();
      continue;
    }
    kept.push(line);
  }
  return kept.join("\n");
}

// Every value is escaped in the HTML part, except those given in `htmlValues`: the message's own
// HTML, which was sanitized when the message was saved.
export function renderTemplate(
  given: EmailTemplate,
  values: TemplateValues,
  htmlValues: Partial<Record<Placeholder, string>> = {},
): Rendered {
  const template = { subject: given.subject, bodyText: withoutEmptyLinks(given.bodyText, values) };
  const value = (name: string) => values[name as Placeholder] ?? "";
  const subject = template.subject
    .replace(PLACEHOLDER, (_, name: string) => value(name))
    // A header is one line; a newline in a value must not start another header.
    .replace(/[\r\n]+/g, " ")
    .trim();
  const text = template.bodyText.replace(PLACEHOLDER, (_, name: string) => value(name));
  let html = "";
  let last = 0;
  for (const match of template.bodyText.matchAll(PLACEHOLDER)) {
    html += textToHtml(template.bodyText.slice(last, match.index));
    const name = match[1] as Placeholder;
    html += htmlValues[name] ?? textToHtml(value(name));
    last = match.index + match[0].length;
  }
  html += textToHtml(template.bodyText.slice(last));
  return { subject, text, html };
}

export function textAsHtml(text: string): string {
  return textToHtml(text);
}

export interface StoredTemplate extends EmailTemplate {
  key: TemplateKey;
  custom: boolean;
  updatedAt: Date | null;
}

export async function loadTemplate(db: Db, workspaceId: number, key: TemplateKey): Promise<StoredTemplate> {
  const row = await db
    .selectFrom("email_templates")
    .select(["subject", "body_text", "updated_at"])
    .where("workspace_id", "=", workspaceId)
    .where("key", "=", key)
    .executeTakeFirst();
  if (!row) return { key, ...DEFAULT_TEMPLATES[key], custom: false, updatedAt: null };
  return { key, subject: row.subject, bodyText: row.body_text, custom: true, updatedAt: row.updated_at };
}

function requireKey(key: string): TemplateKey {
  if (!isTemplateKey(key)) throw notFound("email template");
  return key;
}

export async function templateByKey(db: Db, workspaceId: number, key: string) {
  return loadTemplate(db, workspaceId, requireKey(key));
}

// What Parley could not send from this text: unknown placeholders, or a reply template without
// the reply. Shared by saving and previewing, so a preview refuses exactly what a save would.
export function checkTemplate(key: string, input: EmailTemplate): TemplateKey {
  const templateKey = requireKey(key);
  const errors = [
    ...unknownPlaceholders(input.subject).map((name) => ({
      path: "subject",
      message: `The subject uses {{${name}}}, which is not a placeholder Parley knows.`,
    })),
    ...unknownPlaceholders(input.bodyText).map((name) => ({
      path: "bodyText",
      message: `The text uses {{${name}}}, which is not a placeholder Parley knows.`,
    })),
  ];
  // The agent's words are the point of the mail; a template without them would send an empty reply.
  const carriesReply = templateKey === "agent_replied" || templateKey === "agent_replied_solved";
  if (carriesReply && !/\{\{\s*message\.text\s*\}\}/.test(input.bodyText)) {
    errors.push({ path: "bodyText", message: "The text must include {{message.text}}, the agent's reply." });
  }
  if (errors.length) throw invalid(errors, "The template has placeholders Parley cannot fill.");
  return templateKey;
}

export async function saveTemplate(db: Db, workspaceId: number, key: string, input: EmailTemplate) {
  const templateKey = checkTemplate(key, input);
  const now = new Date();
  await db
    .insertInto("email_templates")
    .values({
      workspace_id: workspaceId,
      key: templateKey,
      subject: input.subject,
      body_text: input.bodyText,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(["workspace_id", "key"])
        .doUpdateSet({ subject: input.subject, body_text: input.bodyText, updated_at: now }),
    )
    .execute();
  return loadTemplate(db, workspaceId, templateKey);
}

// Back to the default in code: deleting the row means later changes to the default apply too.
export async function resetTemplate(db: Db, workspaceId: number, key: string) {
  const templateKey = requireKey(key);
  await db
    .deleteFrom("email_templates")
    .where("workspace_id", "=", workspaceId)
    .where("key", "=", templateKey)
    .execute();
  return loadTemplate(db, workspaceId, templateKey);
}

export function presentTemplate(t: StoredTemplate) {
  return {
    key: t.key,
    subject: t.subject,
    bodyText: t.bodyText,
    custom: t.custom,
    updatedAt: t.updatedAt ? t.updatedAt.toISOString() : null,
    placeholders: [...PLACEHOLDERS],
  };
}
