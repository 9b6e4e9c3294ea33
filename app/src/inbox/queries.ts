import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { api } from "../api/client.ts";
import type { Page, Ticket, View } from "../api/types.ts";

export const viewKeys = {
  all: () => ["views"] as const,
  list: () => ["views", "list"] as const,
};

export const inboxKeys = {
  viewTickets: (viewId: number) => ["tickets", "list", "view", viewId] as const,
};

export const viewsQuery = () =>
  queryOptions({
    queryKey: viewKeys.list(),
    queryFn: async () => (await api<{ data: View[] }>("/api/v1/views")).data,
    staleTime: 10_000,
  });

export const viewTicketsQuery = (viewId: number) =>
  infiniteQueryOptions({
    queryKey: inboxKeys.viewTickets(viewId),
    queryFn: ({ pageParam, signal }) =>
      api<Page<Ticket>>(`/api/v1/views/${viewId}/tickets`, {
        query: { limit: 50, cursor: pageParam },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
