import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "../api/client.ts";
import type { Attachment, Message, Page, Ticket, TicketEvent } from "../api/types.ts";
import type { CannedResponse, OutboundEmail } from "./types.ts";

export const ticketKeys = {
  detail: (id: number) => ["tickets", "detail", id] as const,
  messages: (id: number) => ["tickets", "detail", id, "messages"] as const,
  events: (id: number) => ["tickets", "detail", id, "events"] as const,
  // The tickets before and after one, in creation order, for j/k when no list is known.
  neighbour: (id: number, direction: "next" | "previous") =>
    ["tickets", "detail", id, "neighbour", direction] as const,
};

export const cannedKeys = {
  all: () => ["canned-responses"] as const,
  list: (q: string) => ["canned-responses", "list", q] as const,
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

// Sends a failed or bounced mail again. The answer (the mail, now queued) shows on its message at
// once; the thread is refetched too, and the send job's email.sent or email.failed event refetches
// it again over realtime. A refusal refetches as well (409: someone sent it again already), so the
// line shows where the mail really is.
export function useRetryDelivery(ticketId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (outboundId: number) =>
      api<OutboundEmail>(`/api/v1/outbound-emails/${outboundId}/retry`, { method: "POST" }),
    onSuccess: (mail) => {
      queryClient.setQueryData<Message[]>(ticketKeys.messages(ticketId), (messages) =>
        messages?.map((m) =>
          m.delivery?.outboundId === mail.id
            ? {
                ...m,
                delivery: {
                  ...m.delivery,
                  status: mail.status,
                  attempts: mail.attempts,
                  lastError: mail.lastError,
                  sentAt: mail.sentAt,
                },
              }
            : m,
        ),
      );
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ticketKeys.messages(ticketId) }),
  });
}

export const cannedResponsesQuery = (q: string) =>
  queryOptions({
    queryKey: cannedKeys.list(q),
    queryFn: async ({ signal }) =>
      (await api<{ data: CannedResponse[] }>("/api/v1/canned-responses", { query: { q, limit: 50 }, signal }))
        .data,
    staleTime: 60_000,
  });

// Files go up one by one as soon as they are picked, so sending waits only for the message.
export function useUploadAttachment() {
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append("file", file, file.name);
      return api<Attachment>("/api/v1/attachments", { method: "POST", body: form });
    },
  });
}

// The ticket created just after (or before) this one that the agent may see: j/k's fallback
// when the page was not opened from a list.
export const neighbourQuery = (ticket: Ticket | undefined, direction: "next" | "previous") =>
  queryOptions({
    queryKey: ticketKeys.neighbour(ticket?.id ?? 0, direction),
    queryFn: async () => {
      if (!ticket) return null;
      const page = await api<Page<Ticket>>("/api/v1/tickets", {
        query:
          direction === "next"
            ? { sort: "created_at", direction: "asc", createdAfter: ticket.createdAt, limit: 5 }
            : { sort: "created_at", direction: "desc", createdBefore: ticket.createdAt, limit: 5 },
      });
      return page.data.find((t) => t.id !== ticket.id) ?? null;
    },
    staleTime: 30_000,
  });

// Admins write canned responses; every open picker refetches its list afterwards.
export function useSaveCannedResponse() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, title, body }: { id: number | null; title: string; body: string }) =>
      id === null
        ? api<CannedResponse>("/api/v1/canned-responses", { body: { title, body } })
        : api<CannedResponse>(`/api/v1/canned-responses/${id}`, { method: "PATCH", body: { title, body } }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: cannedKeys.all() }),
  });
}

export function useDeleteCannedResponse() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<void>(`/api/v1/canned-responses/${id}`, { method: "DELETE" }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: cannedKeys.all() }),
  });
}
