import { infiniteQueryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client.ts";
import type { Contact, Organization, Page, Ticket } from "../api/types.ts";
import { organizationKeys } from "../contacts/queries.ts";

// The organization page's lists. The detail itself is contacts/queries.ts's organizationQuery, so
// the requester panel's card and this page share one cache entry and an edit shows in both.
export const organizationListKeys = {
  people: (id: number) => ["contacts", "organization", id] as const,
  // Under ["tickets", "list"], so realtime ticket events refresh it like every other list.
  tickets: (id: number) => ["tickets", "list", "organization", id] as const,
};

export const organizationPeopleQuery = (id: number) =>
  infiniteQueryOptions({
    queryKey: organizationListKeys.people(id),
    queryFn: ({ pageParam }) =>
      api<Page<Contact>>("/api/v1/contacts", { query: { organizationId: id, limit: 25, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

// Newest first by creation, a page at a time by the API's keyset cursor; the API leaves out
// tickets of groups the agent may not see.
export const organizationTicketsQuery = (id: number) =>
  infiniteQueryOptions({
    queryKey: organizationListKeys.tickets(id),
    queryFn: ({ pageParam }) =>
      api<Page<Ticket>>(`/api/v1/organizations/${id}/tickets`, {
        query: { limit: 25, sort: "created_at", direction: "desc", cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

export type OrganizationChanges = Partial<Pick<Organization, "name" | "domains" | "notes" | "attributes">>;

export function useUpdateOrganization(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: OrganizationChanges) =>
      api<Organization>(`/api/v1/organizations/${id}`, { method: "PATCH", body: changes }),
    onSuccess: (org) => queryClient.setQueryData(organizationKeys.detail(id), org),
  });
}
