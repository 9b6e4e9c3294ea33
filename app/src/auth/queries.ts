import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, leaveForSignIn } from "../api/client.ts";
import type { User } from "../api/types.ts";

export const meKeys = {
  me: () => ["me"] as const,
};

export const meQuery = () =>
  queryOptions({ queryKey: meKeys.me(), queryFn: () => api<User>("/api/v1/me"), staleTime: 60_000 });

type MeChanges = Partial<Pick<User, "name" | "timeZone" | "signature" | "availability">>;

// Shown at once (a picker that lags behind the click reads as broken) and put back if the
// server refuses.
export function useUpdateMe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: MeChanges) => api<User>("/api/v1/me", { method: "PATCH", body: changes }),
    onMutate: async (changes) => {
      await queryClient.cancelQueries({ queryKey: meKeys.me() });
      const before = queryClient.getQueryData<User>(meKeys.me());
      if (before) queryClient.setQueryData(meKeys.me(), { ...before, ...changes });
      return { before };
    },
    onError: (_error, _changes, context) => {
      if (context?.before) queryClient.setQueryData(meKeys.me(), context.before);
    },
    onSuccess: (user) => queryClient.setQueryData(meKeys.me(), user),
  });
}

// Availability pickers are controlled inputs: they must show the new choice in the render of the
// click itself. The cache's optimistic update above lands a tick later, and meanwhile React puts
// the input back, so a radio would flicker (and read as not taken) under load.
export function useAvailability(current: User["availability"]) {
  const update = useUpdateMe();
  const [chosen, setChosen] = useState<User["availability"] | null>(null);
  const choose = (availability: User["availability"]) => {
    setChosen(availability);
    update.mutate({ availability }, { onSettled: () => setChosen(null) });
  };
  return { value: chosen ?? current, choose, error: update.error };
}

// A full page load to the sign-in page drops every cached answer with the page. Clearing the cache
// first would make the mounted pages ask again, get 401s and start a second navigation (to
// /login?next=...) that races this one.
export function useSignOut() {
  return useMutation({
    mutationFn: () => api<void>("/api/v1/auth/logout", { method: "POST" }),
    onSettled: () => leaveForSignIn("/login"),
  });
}
