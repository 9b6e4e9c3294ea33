import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { api } from "../api/client.ts";
import type { Page } from "../api/types.ts";
import type { PersonResult, SearchHit, TicketResult } from "./types.ts";

// Under ["search"], which realtime ticket events invalidate.
export const searchKeys = {
  all: () => ["search"] as const,
  results: (q: string) => ["search", "all", q] as const,
};

export const searchQuery = (q: string) =>
  queryOptions({
    queryKey: searchKeys.results(q),
    // Reading the signal lets TanStack Query abort a request once a newer term replaced it.
    queryFn: async ({ signal }) =>
      groupHits((await api<Page<SearchHit>>("/api/v1/search", { query: { q, limit: 30 }, signal })).data),
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });

// Tickets (their subject or a message matched) in the order of their best hit, and people.
export function groupHits(hits: SearchHit[]): { tickets: TicketResult[]; people: PersonResult[] } {
  const tickets = new Map<number, TicketResult>();
  const people: PersonResult[] = [];
  for (const hit of hits) {
    if (hit.ticket) {
      const existing = tickets.get(hit.ticket.id);
      const { id, number, subject, status } = hit.ticket;
      if (existing) existing.status = status;
      else tickets.set(id, { id, number, subject, status, snippets: [] });
    } else if (hit.message) {
      const { ticket, id, kind, snippet } = hit.message;
      let result = tickets.get(ticket.id);
      if (!result) {
        result = { ...ticket, snippets: [] };
        tickets.set(ticket.id, result);
      }
      if (result.snippets.length < 2) result.snippets.push({ id, kind, html: snippet });
    } else if (hit.contact) {
      const { id, name, emails } = hit.contact;
      people.push({ kind: "contact", id, name: name || emails[0] || "Unnamed", detail: emails.join(", ") });
    } else if (hit.organization) {
      const { id, name, domains } = hit.organization;
      people.push({ kind: "organization", id, name, detail: domains.join(", ") });
    }
  }
  return { tickets: [...tickets.values()], people };
}
