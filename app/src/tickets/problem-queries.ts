import {
  infiniteQueryOptions,
  keepPreviousData,
  queryOptions,
  useMutation,
  useQueryClient,
} from "@tanstack/react-query";
import { api } from "../api/client.ts";
import type { Page, Ticket } from "../api/types.ts";
import { ticketKeys } from "./queries.ts";

// Under the problem's detail key, with its version: solving the problem (a new version) solves
// its incidents, so their statuses are read again.
export const incidentKeys = {
  all: (problemId: number) => [...ticketKeys.detail(problemId), "incidents"] as const,
  pages: (problemId: number, version: number) =>
    [...ticketKeys.detail(problemId), "incidents", version] as const,
};

export const incidentPagesQuery = (problem: Ticket) =>
  infiniteQueryOptions({
    queryKey: incidentKeys.pages(problem.id, problem.version),
    queryFn: ({ pageParam, signal }) =>
      api<Page<Ticket>>(`/api/v1/tickets/${problem.id}/incidents`, {
        query: { limit: 25, cursor: pageParam },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });

// Tickets whose number or subject matches, for picking one to link. Under ["search"], which
// realtime ticket events invalidate.
export const ticketSearchQuery = (q: string) =>
  queryOptions({
    queryKey: ["search", "tickets", q] as const,
    queryFn: async ({ signal }) =>
      (
        await api<{ data: { ticket?: Ticket }[] }>("/api/v1/search", {
          query: { q, type: "tickets", limit: 20 },
          signal,
        })
      ).data.flatMap((hit) => (hit.ticket ? [hit.ticket] : [])),
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });

// Links an incident to a problem (or lets it go, with null): a PATCH of the incident, which the
// API allows only from incident to problem.
export function useLinkProblem(problemIdToRefresh: number | null) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ incidentId, problemId }: { incidentId: number; problemId: number | null }) =>
      api<Ticket>(`/api/v1/tickets/${incidentId}`, { method: "PATCH", body: { problemId } }),
    onSuccess: (incident, { problemId }) => {
      queryClient.setQueryData(ticketKeys.detail(incident.id), incident);
      void queryClient.invalidateQueries({ queryKey: ticketKeys.events(incident.id) });
      for (const id of [problemId, problemIdToRefresh]) {
        if (id !== null) void queryClient.invalidateQueries({ queryKey: incidentKeys.all(id) });
      }
    },
  });
}
