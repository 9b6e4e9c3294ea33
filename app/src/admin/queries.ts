import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client.ts";
import type { ApiToken, CustomField, Mailbox, User } from "../api/types.ts";
import { meKeys } from "../auth/queries.ts";
import { directoryKeys } from "../shell/directory.ts";

// Agents, groups and custom fields are read through the directory (shell/directory.ts), which
// the rest of the app shares; mailboxes and tokens only the admin pages read.
export const adminKeys = {
  mailboxes: () => ["mailboxes"] as const,
  tokens: () => ["api-tokens"] as const,
};

export const mailboxesQuery = () =>
  queryOptions({
    queryKey: adminKeys.mailboxes(),
    queryFn: async () => (await api<{ data: Mailbox[] }>("/api/v1/mailboxes")).data,
  });

export const tokensQuery = () =>
  queryOptions({
    queryKey: adminKeys.tokens(),
    queryFn: async () => (await api<{ data: ApiToken[] }>("/api/v1/api-tokens")).data,
  });

type Key = readonly unknown[];

// A write to one admin resource, refreshing that resource's list (and any other it changes)
// when it succeeds.
function useAdminWrite<Input, Output>(key: Key, write: (input: Input) => Promise<Output>, also: Key[] = []) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: write,
    onSuccess: () =>
      Promise.all([key, ...also].map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}

const patch = (path: string, body: unknown) => api(path, { method: "PATCH", body });

export interface UserInput {
  name: string;
  email: string;
  role: User["role"];
  ticketAccess: User["ticketAccess"];
  groupIds: number[];
  password?: string;
}
export const useCreateUser = () =>
  useAdminWrite(directoryKeys.users(), (body: UserInput) => api<User>("/api/v1/users", { body }));
export const useUpdateUser = () =>
  useAdminWrite(
    directoryKeys.users(),
    ({
      id,
      ...body
    }: { id: number } & Partial<Omit<UserInput, "email" | "password"> & { active: boolean }>) =>
      patch(`/api/v1/users/${id}`, body),
    [meKeys.me()],
  );

export interface GroupInput {
  name: string;
  description: string;
}
export const useCreateGroup = () =>
  useAdminWrite(directoryKeys.groups(), (body: GroupInput) => api("/api/v1/groups", { body }));
export const useUpdateGroup = () =>
  useAdminWrite(directoryKeys.groups(), ({ id, ...body }: { id: number } & GroupInput) =>
    patch(`/api/v1/groups/${id}`, body),
  );
export const useDeleteGroup = () =>
  useAdminWrite(
    directoryKeys.groups(),
    (id: number) => api(`/api/v1/groups/${id}`, { method: "DELETE" }),
    // Its members lose the membership.
    [directoryKeys.users()],
  );

export type FieldInput = Pick<CustomField, "label" | "options" | "requiredOnSolve" | "position"> &
  Partial<Pick<CustomField, "key" | "kind" | "active">>;
export const useCreateField = () =>
  useAdminWrite(directoryKeys.customFields(), (body: FieldInput) => api("/api/v1/custom-fields", { body }));
export const useUpdateField = () =>
  useAdminWrite(directoryKeys.customFields(), ({ id, ...body }: { id: number } & Partial<FieldInput>) =>
    patch(`/api/v1/custom-fields/${id}`, body),
  );

// The body as the API takes it (server/email/mailbox-routes.ts); secrets only when typed.
export type MailboxInput = Record<string, unknown>;
export const useCreateMailbox = () =>
  useAdminWrite(adminKeys.mailboxes(), (body: MailboxInput) => api("/api/v1/mailboxes", { body }));
export const useUpdateMailbox = () =>
  useAdminWrite(adminKeys.mailboxes(), ({ id, ...body }: { id: number } & MailboxInput) =>
    patch(`/api/v1/mailboxes/${id}`, body),
  );

export interface TokenInput {
  name: string;
  scopes: ApiToken["scopes"];
  expiresAt?: string;
}
export const useCreateToken = () =>
  useAdminWrite(adminKeys.tokens(), (body: TokenInput) =>
    api<ApiToken & { token: string }>("/api/v1/api-tokens", { body }),
  );
export const useRevokeToken = () =>
  useAdminWrite(adminKeys.tokens(), (id: number) => api(`/api/v1/api-tokens/${id}`, { method: "DELETE" }));
