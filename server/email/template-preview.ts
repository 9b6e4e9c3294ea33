import {
  checkTemplate,
  type EmailTemplate,
  PLACEHOLDERS,
  portalTicketUrl,
  type Rendered,
  renderTemplate,
} from "./templates.ts";

// Made-up values that read like a real mail, so an admin sees where each placeholder lands.
const SAMPLE: Record<string, string> = {
  "ticket.number": "1042",
  "ticket.subject": "Printer jams on page two",
  "ticket.status": "open",
  "requester.name": "Casey Jones",
  "requester.first_name": "Casey",
  "requester.email": "casey@example.com",
  "agent.name": "Sam Rivera",
  "agent.first_name": "Sam",
  "message.text": "Thanks for the photos. A firmware update fixes this: it installs from the printer's menu.",
  "mailbox.name": "Support",
  "mailbox.address": "support@example.com",
};

// The mail a template would give for a sample ticket, without saving it. Refuses what saving would.
export function previewTemplate(
  key: string,
  input: EmailTemplate,
  context: { publicUrl: string; workspaceName: string },
): Rendered {
  checkTemplate(key, input);
  const values: Record<string, string> = {
    ...SAMPLE,
    portal_url: portalTicketUrl(context.publicUrl, 1042),
    "workspace.name": context.workspaceName,
  };
  // A placeholder added later still shows as itself rather than vanishing.
  const filled = Object.fromEntries(PLACEHOLDERS.map((name) => [name, values[name] ?? `[${name}]`]));
  return renderTemplate(input, filled as Parameters<typeof renderTemplate>[1]);
}
