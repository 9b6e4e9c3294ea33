import { useSuspenseQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import type { ComponentType } from "react";
import { meQuery } from "../auth/queries.ts";
import { AgentsSection } from "./agents-section.tsx";
import { CannedSection } from "./canned-manager.tsx";
import { EmailTemplatesSection } from "./email-templates-section.tsx";
import { FieldsSection } from "./fields-section.tsx";
import { GroupsSection } from "./groups-section.tsx";
import { MailProblemsSection } from "./mail-problems-section.tsx";
import { MailboxesSection } from "./mailboxes-section.tsx";
import { ADMIN_SECTION_LIST, type AdminSectionId } from "./section-list.ts";
import { TokensSection } from "./tokens-section.tsx";

const SECTION_COMPONENTS: Record<AdminSectionId, ComponentType> = {
  agents: AgentsSection,
  groups: GroupsSection,
  fields: FieldsSection,
  mailboxes: MailboxesSection,
  "mail-problems": MailProblemsSection,
  "email-templates": EmailTemplatesSection,
  tokens: TokensSection,
  "canned-responses": CannedSection,
};

export const ADMIN_SECTIONS = ADMIN_SECTION_LIST.map((s) => ({ ...s, component: SECTION_COMPONENTS[s.id] }));

export function AdminPage() {
  const { section } = useParams({ from: "/signed-in/admin/$section" });
  const { data: me } = useSuspenseQuery(meQuery());
  if (me.role !== "admin") {
    return (
      <div className="page">
        <h1>Admin</h1>
        <p role="alert">
          Only admins can open the admin pages. Ask an admin of your workspace if you need something changed
          here.
        </p>
      </div>
    );
  }
  const current = ADMIN_SECTIONS.find((s) => s.id === section);
  const Section = current?.component;
  return (
    <div className="admin">
      <nav aria-label="Admin" className="admin-nav">
        <ul>
          {ADMIN_SECTIONS.map((s) => (
            <li key={s.id}>
              <Link to="/admin/$section" params={{ section: s.id }}>
                {s.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="page admin-page">
        <h1>{current?.label ?? "Admin"}</h1>
        {Section ? <Section /> : <p>There is no admin page called “{section}”.</p>}
      </div>
    </div>
  );
}
