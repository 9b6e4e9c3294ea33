import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client.ts";
import type { User } from "../api/types.ts";

export const meKeys = {
  me: () => ["me"] as const,
};

export const meQuery = () =>
  queryOptions({ queryKey: meKeys.me(), queryFn: () => api<User>("/api/v1/me"), staleTime: 60_000 });

export function useUpdateMe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: Partial<Pick<User, "name" | "timeZone" | "signature" | "availability">>) =>
      api<User>("/api/v1/me", { method: "PATCH", body: changes }),
    onSuccess: (user) => queryClient.setQueryData(meKeys.me(), user),
  });
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>("/api/v1/auth/logout", { method: "POST" }),
    onSettled: () => {
      queryClient.clear();
      window.location.assign("/login");
    },
  });
}
