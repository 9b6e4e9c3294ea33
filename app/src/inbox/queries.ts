import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client.ts";
import type { Page, Ticket, View } from "../api/types.ts";
import type { BulkChanges, BulkResult, InboxView, ListSource, Sort, ViewFilters } from "./types.ts";

export const viewKeys = {
  all: () => ["views"] as const,
  list: () => ["views", "list"] as const,
};

// Under ["tickets", "list"], so realtime ticket events refresh every list on screen.
export const inboxKeys = {
  all: () => ["tickets", "list"] as const,
  viewTickets: (viewId: number, sort: Sort) => ["tickets", "list", "view", viewId, sort] as const,
  preview: (filters: ViewFilters, sort: Sort) => ["tickets", "list", "preview", filters, sort] as const,
};

export const PAGE_SIZE = 50;

export const viewsQuery = () =>
  queryOptions({
    queryKey: viewKeys.list(),
    queryFn: async () => (await api<{ data: View[] }>("/api/v1/views")).data as InboxView[],
    staleTime: 10_000,
  });

// One page at a time by keyset cursor: scrolling a million-ticket view never asks for an offset
// or for everything.
export const ticketListQuery = (source: ListSource, sort: Sort) =>
  infiniteQueryOptions({
    queryKey:
      "viewId" in source
        ? inboxKeys.viewTickets(source.viewId, sort)
        : inboxKeys.preview(source.filters, sort),
    queryFn: ({ pageParam, signal }) =>
      api<Page<Ticket>>(
        "viewId" in source ? `/api/v1/views/${source.viewId}/tickets` : "/api/v1/views/preview/tickets",
        {
          query: {
            ...("filters" in source ? filterQuery(source.filters) : {}),
            sort: sort.field,
            direction: sort.direction,
            limit: PAGE_SIZE,
            cursor: pageParam,
          },
          signal,
        },
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

function filterQuery(filters: ViewFilters) {
  const query: Record<string, string | number | Array<string | number>> = {};
  for (const [key, value] of Object.entries(cleanFilters(filters))) {
    if (Array.isArray(value)) query[key] = value as Array<string | number>;
    else if (typeof value === "string" || typeof value === "number") query[key] = value;
  }
  return query;
}

// Empty choices mean "any": they are left out, so equal filters compare (and cache) as equal.
export function cleanFilters(filters: ViewFilters): ViewFilters {
  const clean: ViewFilters = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value) && value.length === 0) continue;
    clean[key] = value;
  }
  return clean;
}

// A key per action, so a retried request after a dropped connection is not applied twice.
const idempotency = () => ({ "idempotency-key": crypto.randomUUID() });

export function useCreateView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; shared: boolean; filters: ViewFilters; sort: Sort }) =>
      api<View>("/api/v1/views", {
        body: { ...input, filters: cleanFilters(input.filters) },
        headers: idempotency(),
      }) as Promise<InboxView>,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: viewKeys.all() }),
  });
}

export function useDeleteView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<void>(`/api/v1/views/${id}`, { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: viewKeys.all() }),
  });
}

function invalidateTickets(queryClient: ReturnType<typeof useQueryClient>, ids: number[]) {
  for (const id of ids) void queryClient.invalidateQueries({ queryKey: ["tickets", "detail", id] });
  void queryClient.invalidateQueries({ queryKey: inboxKeys.all() });
  void queryClient.invalidateQueries({ queryKey: viewKeys.all() });
}

export function useBulkUpdate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: { ids: number[]; changes: BulkChanges }) =>
      (await api<{ results: BulkResult[] }>("/api/v1/tickets/bulk", { body: input, headers: idempotency() }))
        .results,
    onSuccess: (_results, input) => invalidateTickets(queryClient, input.ids),
  });
}

export function useMergeTickets() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { targetId: number; sourceIds: number[]; comment?: string }) =>
      api<{ target: Ticket; sources: Ticket[] }>(`/api/v1/tickets/${input.targetId}/merge-from`, {
        body: { sourceIds: input.sourceIds, comment: input.comment || undefined },
        headers: idempotency(),
      }),
    onSuccess: (_result, input) => invalidateTickets(queryClient, [input.targetId, ...input.sourceIds]),
  });
}
