import {
  type InfiniteData,
  type QueryClient,
  type QueryKey,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { useRef } from "react";
import type { Page, Ticket } from "../api/types.ts";
import { neighbourQuery } from "./queries.ts";

type ListData = InfiniteData<Page<Ticket>> | Page<Ticket> | undefined;

function rowsOf(data: ListData): Ticket[] {
  if (!data) return [];
  return "pages" in data ? data.pages.flatMap((p) => p.data) : (data.data ?? []);
}

// The ticket list the agent opened this ticket from: the most recently fetched list in the cache
// that holds it (the inbox keeps its views' pages under ["tickets", "list", ...]). Chosen when the
// ticket opens, before the page's own lists (the requester's other tickets) load.
function pickOrigin(queryClient: QueryClient, ticketId: number): QueryKey | null {
  const lists = queryClient
    .getQueryCache()
    .findAll({ queryKey: ["tickets", "list"] })
    .sort((a, b) => b.state.dataUpdatedAt - a.state.dataUpdatedAt);
  const hit = lists.find((q) => rowsOf(q.state.data as ListData).some((t) => t.id === ticketId));
  return hit?.queryKey ?? null;
}

// j/k keep walking the same list: set just before stepping to its next or previous ticket.
let stepping: QueryKey | null = null;

// Where j and k go: the next and previous ticket of the list the agent came from, or, when the
// page was opened directly, the tickets created just after and before this one.
export function useTicketNeighbours(ticket: Ticket | undefined) {
  const queryClient = useQueryClient();
  const origin = useRef<{ ticketId: number; key: QueryKey | null } | null>(null);
  if (ticket && origin.current?.ticketId !== ticket.id) {
    const kept = stepping && rowsOf(queryClient.getQueryData(stepping)).some((t) => t.id === ticket.id);
    origin.current = { ticketId: ticket.id, key: kept ? stepping : pickOrigin(queryClient, ticket.id) };
    stepping = null;
  }
  const key = origin.current?.key ?? null;
  const rows = key ? rowsOf(queryClient.getQueryData(key)) : [];
  const index = ticket ? rows.findIndex((t) => t.id === ticket.id) : -1;
  const fallback = ticket !== undefined && index === -1;
  const next = useQuery({ ...neighbourQuery(ticket, "next"), enabled: fallback });
  const previous = useQuery({ ...neighbourQuery(ticket, "previous"), enabled: fallback });
  const viewId = key && key[2] === "view" ? Number(key[3]) : null;
  const step = () => {
    stepping = key;
  };
  if (index !== -1) {
    return { next: rows[index + 1]?.id ?? null, previous: rows[index - 1]?.id ?? null, viewId, step };
  }
  return { next: next.data?.id ?? null, previous: previous.data?.id ?? null, viewId, step };
}
