import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { api, errorMessage } from "../api/client.ts";
import type { Ticket } from "../api/types.ts";
import { TextField } from "../ui/fields.tsx";

// Global search: tickets matching the words, as the agent types.
export function SearchPage() {
  const { q } = useSearch({ from: "/signed-in/search" });
  const navigate = useNavigate();
  const [text, setText] = useState(q ?? "");
  const [term, setTerm] = useState(q ?? "");
  useEffect(() => {
    const timer = setTimeout(() => setTerm(text.trim()), 150);
    return () => clearTimeout(timer);
  }, [text]);
  useEffect(() => {
    void navigate({ to: "/search", search: { q: term || undefined }, replace: true });
  }, [term, navigate]);
  const results = useQuery({
    queryKey: ["search", "tickets", term],
    queryFn: ({ signal }) =>
      api<{ data: Array<{ ticket: Ticket } | Ticket> }>("/api/v1/search", {
        query: { q: term, type: "tickets" },
        signal,
      }),
    enabled: term.length > 0,
  });
  const tickets = (results.data?.data ?? []).map((hit) => ("ticket" in hit ? hit.ticket : hit));
  return (
    <div className="page">
      <h1>Search</h1>
      <TextField
        label="Search tickets"
        type="search"
        autoFocus
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      {results.error && <p role="alert">{errorMessage(results.error)}</p>}
      <ul className="search-results" aria-label="Results">
        {tickets.map((ticket) => (
          <li key={ticket.id}>
            <Link to="/tickets/$ticketId" params={{ ticketId: ticket.id }}>
              #{ticket.number} {ticket.subject}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
