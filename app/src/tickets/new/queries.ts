import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client.ts";
import type { Contact, Page, Ticket } from "../../api/types.ts";

export const contactSearchKeys = {
  // Under ["contacts"], so a contact edited elsewhere refreshes the suggestions too.
  search: (term: string) => ["contacts", "search", term] as const,
};

// The requester picker's suggestions: contacts whose name or an address contains the term.
export const contactSearchQuery = (term: string) =>
  queryOptions({
    queryKey: contactSearchKeys.search(term),
    queryFn: async () =>
      (await api<Page<Contact>>("/api/v1/contacts", { query: { q: term, limit: 8 } })).data,
    enabled: term.length >= 2,
    staleTime: 30_000,
  });

export type NewRequester = { id: number } | { email: string; name?: string };

export interface NewTicket {
  requester: NewRequester | undefined;
  subject: string;
  body: string;
  public: boolean;
  groupId: number | null;
  priority: Ticket["priority"];
}

// One Idempotency-Key per opened form: a retried submit (double click, flaky network) gives back
// the ticket the first one made instead of a second ticket.
export function useCreateTicket(idempotencyKey: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NewTicket) =>
      api<Ticket>("/api/v1/tickets", {
        method: "POST",
        headers: { "idempotency-key": idempotencyKey },
        body: {
          subject: input.subject,
          ...(input.requester ? { requester: input.requester } : {}),
          comment: { body: input.body, public: input.public },
          priority: input.priority,
          ...(input.groupId !== null ? { groupId: input.groupId } : {}),
        },
      }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["tickets", "list"] });
      void queryClient.invalidateQueries({ queryKey: ["views"] });
    },
  });
}
