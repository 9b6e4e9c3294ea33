// The admin sections by id and label, in menu order. Kept apart from their components (lazy-loaded
// with the admin page) so the router can send /admin to the first one without loading them.
export const ADMIN_SECTION_LIST = [
  { id: "agents", label: "Agents" },
  { id: "groups", label: "Groups" },
  { id: "fields", label: "Custom fields" },
  { id: "mailboxes", label: "Mailboxes" },
  { id: "mail-problems", label: "Mail problems" },
  { id: "email-templates", label: "Email templates" },
  { id: "tokens", label: "API tokens" },
  { id: "canned-responses", label: "Canned responses" },
] as const;

export type AdminSectionId = (typeof ADMIN_SECTION_LIST)[number]["id"];

export const FIRST_ADMIN_SECTION: AdminSectionId = ADMIN_SECTION_LIST[0].id;
