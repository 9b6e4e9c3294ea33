import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "../api/client.ts";
import type { ApiToken, CustomField, Invitation, Mailbox, User } from "../api/types.ts";
import { meKeys } from "../auth/queries.ts";
import { directoryKeys } from "../shell/directory.ts";

// Agents, groups and custom fields are read through the directory (shell/directory.ts), which
// the rest of the app shares; mailboxes and tokens only the admin pages read.
export const adminKeys = {
  mailboxes: () => ["mailboxes"] as const,
  tokens: () => ["api-tokens"] as const,
  // Every mailbox's list sits under this key, so a retry refreshes whichever is on screen.
  failedInbound: () => ["inbound-emails", "failed"] as const,
  failedInboundOf: (mailboxId: number | undefined) =>
    [...adminKeys.failedInbound(), mailboxId ?? "all"] as const,
  failedInboundCounts: () => ["inbound-emails", "counts"] as const,
  ignoredInbound: () => ["inbound-emails", "ignored"] as const,
  ignoredInboundOf: (mailboxId: number | undefined) =>
    [...adminKeys.ignoredInbound(), mailboxId ?? "all"] as const,
  failedOutbound: () => ["outbound-emails", "failed"] as const,
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
  useAdminWrite(directoryKeys.users(), (body: UserInput) =>
    api<User & { invitation?: Invitation }>("/api/v1/users", { body }),
  );
export const useInviteUser = () =>
  useAdminWrite(directoryKeys.users(), (id: number) =>
    api<Invitation>(`/api/v1/users/${id}/invitation`, { body: {} }),
  );
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

// Mail Parley could not handle (the Mail problems section). The lists page by cursor, newest
// first, and look again now and then: the inbound sweep retries failed mail by itself, so rows
// leave (or come back) without anyone here doing anything.
interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

// GET /api/v1/inbound-emails (server/email/inbound-list.ts): headers only, never the body.
export interface InboundMail {
  id: number;
  mailboxId: number;
  status: "received" | "processed" | "ignored" | "failed";
  reason: string | null;
  attempts: number;
  // When Parley tries again by itself; null once it has given up.
  retryAt: string | null;
  from: { address: string; name: string } | null;
  subject: string;
  receivedAt: string;
}

// GET /api/v1/outbound-emails (server/email/outbound-failures.ts).
export interface OutboundMail {
  id: number;
  ticketId: number | null;
  mailboxId: number;
  status: "queued" | "sending" | "sent" | "failed" | "bounced";
  attempts: number;
  lastError: string | null;
  to: string[];
  cc: string[];
  subject: string;
  bounce: { recipient: string | null; status: string | null } | null;
  updatedAt: string;
}

const RECHECK_MS = 30_000;
const PAGE_SIZE = 25;

// One mailbox's, or every mailbox's without one.
export const failedInboundQuery = (mailboxId?: number) =>
  infiniteQueryOptions({
    queryKey: adminKeys.failedInboundOf(mailboxId),
    queryFn: ({ pageParam }) =>
      api<Page<InboundMail>>("/api/v1/inbound-emails", {
        query: { status: "failed", mailboxId, limit: PAGE_SIZE, cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: RECHECK_MS,
  });

// Mail deliberately not made a ticket (bounces, auto-replies, automated mail a mailbox drops),
// with the reason: the admin's answer to "why did this mail not become a ticket?".
export const ignoredInboundQuery = (mailboxId?: number) =>
  infiniteQueryOptions({
    queryKey: adminKeys.ignoredInboundOf(mailboxId),
    queryFn: ({ pageParam }) =>
      api<Page<InboundMail>>("/api/v1/inbound-emails", {
        query: { status: "ignored", mailboxId, limit: PAGE_SIZE, cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: RECHECK_MS,
  });

export const failedInboundCountsQuery = () =>
  queryOptions({
    queryKey: adminKeys.failedInboundCounts(),
    queryFn: () =>
      api<{ failed: number; mailboxes: { mailboxId: number; failed: number }[] }>(
        "/api/v1/inbound-emails/counts",
      ),
  });

export const failedOutboundQuery = () =>
  infiniteQueryOptions({
    queryKey: adminKeys.failedOutbound(),
    // Without a status the API lists the failures: failed and bounced.
    queryFn: ({ pageParam }) =>
      api<Page<OutboundMail>>("/api/v1/outbound-emails", { query: { limit: PAGE_SIZE, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: RECHECK_MS,
  });

// "retried", or "already" when the API says the mail is no longer failed: someone else, or
// Parley's own retry, got there first, which is what the admin wanted.
export type RetryResult = "retried" | "already";
async function retry(path: string, alreadyCode: string): Promise<RetryResult> {
  try {
    await api(path, { method: "POST" });
    return "retried";
  } catch (error) {
    if (error instanceof ApiError && error.code === alreadyCode) return "already";
    throw error;
  }
}

export const useRetryInbound = () =>
  useAdminWrite(
    adminKeys.failedInbound(),
    (mail: Pick<InboundMail, "id" | "mailboxId">) =>
      retry(`/api/v1/mailboxes/${mail.mailboxId}/inbound/${mail.id}/retry`, "inbound_processed"),
    [adminKeys.failedInboundCounts(), adminKeys.ignoredInbound()],
  );

export const useRetryOutbound = () =>
  useAdminWrite(adminKeys.failedOutbound(), (mail: Pick<OutboundMail, "id">) =>
    retry(`/api/v1/outbound-emails/${mail.id}/retry`, "outbound_not_failed"),
  );

// The stored message as it arrived, for an admin to inspect in a mail client.
export const rawInboundUrl = (mail: Pick<InboundMail, "id" | "mailboxId">) =>
  `/api/v1/mailboxes/${mail.mailboxId}/inbound/${mail.id}/raw`;
