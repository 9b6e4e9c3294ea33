import { useSuspenseQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { meQuery } from "../auth/queries.ts";

const SECTIONS = [
  { id: "agents", label: "Agents" },
  { id: "groups", label: "Groups" },
  { id: "fields", label: "Custom fields" },
  { id: "mailboxes", label: "Mailboxes" },
  { id: "tokens", label: "API tokens" },
] as const;

export function AdminPage() {
  const { section } = useParams({ from: "/signed-in/admin/$section" });
  const { data: me } = useSuspenseQuery(meQuery());
  if (me.role !== "admin") return <p role="alert">Only admins can open the admin pages.</p>;
  return (
    <div className="admin">
      <nav aria-label="Admin" className="admin-nav">
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <Link to="/admin/$section" params={{ section: s.id }}>
                {s.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <section className="page">
        <h1>{SECTIONS.find((s) => s.id === section)?.label ?? "Admin"}</h1>
      </section>
    </div>
  );
}
