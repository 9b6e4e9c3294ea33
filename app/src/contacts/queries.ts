import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client.ts";
import type { Contact, Organization, Page, Ticket } from "../api/types.ts";

// The requester side panel's and the contact page's data: one contact, their organization, their tickets.
export const contactKeys = {
  all: () => ["contacts"] as const,
  detail: (id: number) => ["contacts", "detail", id] as const,
};

export const organizationKeys = {
  detail: (id: number) => ["organizations", "detail", id] as const,
};

export const requesterTicketKeys = {
  // Under ["tickets", "list"], so realtime ticket events refresh it like every other list.
  list: (requesterId: number) => ["tickets", "list", "requester", requesterId] as const,
  pages: (requesterId: number) => ["tickets", "list", "requester", requesterId, "pages"] as const,
};

export const contactQuery = (id: number) =>
  queryOptions({
    queryKey: contactKeys.detail(id),
    queryFn: () => api<Contact>(`/api/v1/contacts/${id}`),
    staleTime: 60_000,
  });

export const organizationQuery = (id: number) =>
  queryOptions({
    queryKey: organizationKeys.detail(id),
    queryFn: () => api<Organization>(`/api/v1/organizations/${id}`),
    staleTime: 5 * 60_000,
  });

export const requesterTicketsQuery = (requesterId: number) =>
  queryOptions({
    queryKey: requesterTicketKeys.list(requesterId),
    queryFn: () =>
      api<Page<Ticket>>("/api/v1/tickets", {
        query: { requesterId, limit: 20, sort: "updated_at", direction: "desc" },
      }),
  });

// The contact page's list: every ticket of the contact, newest activity first, a page at a time
// by the API's keyset cursor, so "Load more" never repeats or skips a ticket that moved.
export const contactTicketPagesQuery = (requesterId: number) =>
  infiniteQueryOptions({
    queryKey: requesterTicketKeys.pages(requesterId),
    queryFn: ({ pageParam }) =>
      api<Page<Ticket>>("/api/v1/tickets", {
        query: { requesterId, limit: 25, sort: "updated_at", direction: "desc", cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

export type ContactChanges = Partial<
  Pick<Contact, "name" | "emails" | "phones" | "timeZone" | "locale" | "attributes" | "blocked">
>;

export function useUpdateContact(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: ContactChanges) =>
      api<Contact>(`/api/v1/contacts/${id}`, { method: "PATCH", body: changes }),
    onSuccess: (contact) => {
      queryClient.setQueryData(contactKeys.detail(id), contact);
      // Names shown in ticket lists and threads come from the contacts-by-id lookups.
      void queryClient.invalidateQueries({ queryKey: contactKeys.all() });
    },
  });
}
