import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "../api/client.ts";
import type { Message, Ticket, TicketEvent } from "../api/types.ts";

export const ticketKeys = {
  detail: (id: number) => ["tickets", "detail", id] as const,
  messages: (id: number) => ["tickets", "detail", id, "messages"] as const,
  events: (id: number) => ["tickets", "detail", id, "events"] as const,
};

export const ticketQuery = (id: number) =>
  queryOptions({ queryKey: ticketKeys.detail(id), queryFn: () => api<Ticket>(`/api/v1/tickets/${id}`) });

export const messagesQuery = (id: number) =>
  queryOptions({
    queryKey: ticketKeys.messages(id),
    queryFn: async () => (await api<{ data: Message[] }>(`/api/v1/tickets/${id}/messages`)).data,
  });

export const eventsQuery = (id: number) =>
  queryOptions({
    queryKey: ticketKeys.events(id),
    queryFn: async () =>
      (await api<{ data: TicketEvent[] }>(`/api/v1/tickets/${id}/events`, { query: { limit: 500 } })).data,
  });

export type TicketChanges = Partial<
  Pick<
    Ticket,
    "status" | "priority" | "type" | "assigneeId" | "groupId" | "tags" | "subject" | "customFields"
  >
>;

// Saves with the version the agent saw, so a change made meanwhile by someone else is a 409 the
// page explains instead of a silent overwrite.
export function useUpdateTicket(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ version, changes }: { version: number; changes: TicketChanges }) =>
      api<Ticket>(`/api/v1/tickets/${id}`, { method: "PATCH", body: { version, ...changes } }),
    onSuccess: (ticket) => {
      queryClient.setQueryData(ticketKeys.detail(id), ticket);
      void queryClient.invalidateQueries({ queryKey: ticketKeys.events(id) });
      void queryClient.invalidateQueries({ queryKey: ["tickets", "list"] });
      void queryClient.invalidateQueries({ queryKey: ["views"] });
    },
    onError: (error) => {
      if (isVersionConflict(error) && error.body.current) {
        queryClient.setQueryData(ticketKeys.detail(id), error.body.current as Ticket);
      }
    },
  });
}

export function isVersionConflict(error: unknown): error is ApiError {
  return error instanceof ApiError && error.code === "ticket_version_conflict";
}

export interface NewMessage {
  body: string;
  html?: string;
  kind: "reply" | "note";
  status?: Ticket["status"];
  attachmentIds?: number[];
}

export function useAddMessage(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (message: NewMessage) =>
      api<{ message: Message; ticket: Ticket }>(`/api/v1/tickets/${id}/messages`, { body: message }),
    onSuccess: ({ ticket }) => {
      queryClient.setQueryData(ticketKeys.detail(id), ticket);
      void queryClient.invalidateQueries({ queryKey: ticketKeys.messages(id) });
      void queryClient.invalidateQueries({ queryKey: ticketKeys.events(id) });
      void queryClient.invalidateQueries({ queryKey: ["tickets", "list"] });
      void queryClient.invalidateQueries({ queryKey: ["views"] });
    },
  });
}
