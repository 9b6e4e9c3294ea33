import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client.ts";

export interface AppNotification {
  id: number;
  kind: string;
  createdAt: string;
  readAt: string | null;
  ticket: { id: number; number: number; subject: string };
  actor: { type: string; id: number | null; name: string | null } | null;
  excerpt: string | null;
}

interface ReadResult {
  updated: number;
  unreadCount: number;
}

export const notificationKeys = {
  all: () => ["notifications"] as const,
  unreadCount: () => ["notifications", "unread-count"] as const,
  recent: () => ["notifications", "recent"] as const,
};

export const unreadCountQuery = () =>
  queryOptions({
    queryKey: notificationKeys.unreadCount(),
    queryFn: async () =>
      (await api<{ unreadCount: number }>("/api/v1/notifications/unread-count")).unreadCount,
  });

// The bell shows the latest page only; older ones are a scroll through the API away.
export const recentNotificationsQuery = () =>
  queryOptions({
    queryKey: notificationKeys.recent(),
    queryFn: async () =>
      (await api<{ data: AppNotification[] }>("/api/v1/notifications", { query: { limit: 20 } })).data,
  });

export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (ids: number[]) => api<ReadResult>("/api/v1/notifications/read", { body: { ids } }),
    onSuccess: (result) => {
      queryClient.setQueryData(notificationKeys.unreadCount(), result.unreadCount);
      void queryClient.invalidateQueries({ queryKey: notificationKeys.recent() });
    },
  });
}

export function useMarkAllRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<ReadResult>("/api/v1/notifications/read-all", { method: "POST", body: {} }),
    onSuccess: (result) => {
      queryClient.setQueryData(notificationKeys.unreadCount(), result.unreadCount);
      void queryClient.invalidateQueries({ queryKey: notificationKeys.recent() });
    },
  });
}
