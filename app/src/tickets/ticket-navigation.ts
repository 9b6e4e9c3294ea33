import { type InfiniteData, type QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Page, Ticket } from "../api/types.ts";
import { neighbourQuery } from "./queries.ts";

// The list the agent came from: the most recently loaded ticket list in the cache that holds
// this ticket (the inbox keeps its view's pages under ["tickets", "list", ...]).
function listHolding(queryClient: QueryClient, ticketId: number) {
  const lists = queryClient
    .getQueryCache()
    .findAll({ queryKey: ["tickets", "list"] })
    .sort((a, b) => b.state.dataUpdatedAt - a.state.dataUpdatedAt);
  for (const query of lists) {
    const data = query.state.data as InfiniteData<Page<Ticket>> | Page<Ticket> | undefined;
    const rows = data && "pages" in data ? data.pages.flatMap((p) => p.data) : (data?.data ?? []);
    const index = rows.findIndex((t) => t.id === ticketId);
    if (index !== -1) return { rows, index, key: query.queryKey };
  }
  return null;
}

// Where j and k go: the next and previous ticket of the list the agent came from, or, when the
// page was opened directly, the tickets created just after and before this one.
export function useTicketNeighbours(ticket: Ticket | undefined) {
  const queryClient = useQueryClient();
  const list = ticket ? listHolding(queryClient, ticket.id) : null;
  const fallback = ticket !== undefined && list === null;
  const next = useQuery({ ...neighbourQuery(ticket, "next"), enabled: fallback });
  const previous = useQuery({ ...neighbourQuery(ticket, "previous"), enabled: fallback });
  const viewId = list && list.key[2] === "view" ? Number(list.key[3]) : null;
  if (list) {
    return {
      next: list.rows[list.index + 1]?.id ?? null,
      previous: list.rows[list.index - 1]?.id ?? null,
      viewId,
    };
  }
  return { next: next.data?.id ?? null, previous: previous.data?.id ?? null, viewId: null };
}
