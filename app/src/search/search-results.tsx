import { Link } from "@tanstack/react-router";
import { humanize } from "../ui/format.ts";
import { Snippet } from "./snippet.tsx";
import type { PersonResult, TicketResult } from "./types.ts";

export function SearchResults({ tickets, people }: { tickets: TicketResult[]; people: PersonResult[] }) {
  return (
    <>
      {tickets.length > 0 && (
        <section aria-labelledby="search-tickets">
          <h2 id="search-tickets">Tickets</h2>
          <ul className="search-results">
            {tickets.map((ticket) => (
              <li key={ticket.id}>
                <Link
                  to="/tickets/$ticketId"
                  params={{ ticketId: ticket.id }}
                  className="search-hit"
                  aria-describedby={`search-snippets-${ticket.id}`}
                >
                  <span className="search-number">#{ticket.number}</span>
                  <span className="search-subject">{ticket.subject}</span>
                  <span className={`status status-${ticket.status}`}>{humanize(ticket.status)}</span>
                </Link>
                {ticket.snippets.length > 0 && (
                  <div id={`search-snippets-${ticket.id}`} className="search-snippets">
                    {ticket.snippets.map((snippet) => (
                      <p key={snippet.id} className={snippet.kind === "note" ? "snippet-note" : undefined}>
                        {snippet.kind === "note" && <span className="badge">Internal note</span>}{" "}
                        <Snippet html={snippet.html} />
                      </p>
                    ))}
                  </div>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {people.length > 0 && (
        <section aria-labelledby="search-people">
          <h2 id="search-people">People and organizations</h2>
          <ul className="search-results">
            {people.map((person) => (
              <li key={`${person.kind}-${person.id}`}>
                <PersonHit person={person} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

// A contact opens their contact page; an organization opens its organization page.
function PersonHit({ person }: { person: PersonResult }) {
  if (person.kind === "contact") {
    return (
      <Link to="/contacts/$contactId" params={{ contactId: person.id }} className="search-hit search-person">
        <span className="search-subject">{person.name}</span>
        <span className="search-detail">Contact{person.detail ? ` · ${person.detail}` : ""}</span>
      </Link>
    );
  }
  return (
    <Link
      to="/organizations/$organizationId"
      params={{ organizationId: person.id }}
      className="search-hit search-person"
    >
      <span className="search-subject">{person.name}</span>
      <span className="search-detail">Organization{person.detail ? ` · ${person.detail}` : ""}</span>
    </Link>
  );
}
