import { useSuspenseQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import type { ComponentType } from "react";
import { meQuery } from "../auth/queries.ts";
import { AgentsSection } from "./agents-section.tsx";
import { CannedSection } from "./canned-manager.tsx";
import { FieldsSection } from "./fields-section.tsx";
import { GroupsSection } from "./groups-section.tsx";
import { MailProblemsSection } from "./mail-problems-section.tsx";
import { MailboxesSection } from "./mailboxes-section.tsx";
import { TokensSection } from "./tokens-section.tsx";

export const ADMIN_SECTIONS: { id: string; label: string; component: ComponentType }[] = [
  { id: "agents", label: "Agents", component: AgentsSection },
  { id: "groups", label: "Groups", component: GroupsSection },
  { id: "fields", label: "Custom fields", component: FieldsSection },
  { id: "mailboxes", label: "Mailboxes", component: MailboxesSection },
  { id: "mail-problems", label: "Mail problems", component: MailProblemsSection },
  { id: "tokens", label: "API tokens", component: TokensSection },
  { id: "canned-responses", label: "Canned responses", component: CannedSection },
];

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
