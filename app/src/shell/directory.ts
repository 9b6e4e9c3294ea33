import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../api/client.ts";
import type { Contact, CustomField, Group, User } from "../api/types.ts";

// Agents and groups are few per workspace: the app loads them once and names ids from them.
export const directoryKeys = {
  users: () => ["users"] as const,
  // Under "users", so whatever refreshes the people refreshes who may be assigned too.
  assignees: (groupIds: number[]) => ["users", "assignees", groupIds] as const,
  groups: () => ["groups"] as const,
  customFields: () => ["custom-fields"] as const,
  contacts: (ids: number[]) => ["contacts", "byIds", ids] as const,
};

export const usersQuery = () =>
  queryOptions({
    queryKey: directoryKeys.users(),
    queryFn: async () => (await api<{ data: User[] }>("/api/v1/users")).data,
    staleTime: 5 * 60_000,
  });

export interface Assignee {
  id: number;
  name: string;
  role: "admin" | "agent";
}

// Who may be assigned a ticket in all of these groups (none: a ticket in no group). The server
// holds the rule (admins any ticket, agents their groups'), so the lists offer exactly whom an
// update accepts.
export const assigneesQuery = (groupIds: number[]) => {
  const ids = [...new Set(groupIds)].sort((a, b) => a - b);
  return queryOptions({
    queryKey: directoryKeys.assignees(ids),
    queryFn: async () =>
      (await api<{ data: Assignee[] }>("/api/v1/assignees", { query: { groupIds: ids } })).data,
    staleTime: 60_000,
  });
};

export function useAssignees(groupIds: number[]): Assignee[] | undefined {
  return useQuery(assigneesQuery(groupIds)).data;
}

export const groupsQuery = () =>
  queryOptions({
    queryKey: directoryKeys.groups(),
    queryFn: async () => (await api<{ data: Group[] }>("/api/v1/groups")).data,
    staleTime: 5 * 60_000,
  });

// Every definition, active or not: the ticket page shows the active ones, the admin page all.
export const customFieldsQuery = () =>
  queryOptions({
    queryKey: directoryKeys.customFields(),
    queryFn: async () => (await api<{ data: CustomField[] }>("/api/v1/custom-fields")).data,
    staleTime: 5 * 60_000,
  });

export function useUsers() {
  return useQuery(usersQuery()).data ?? [];
}

export function useGroups() {
  return useQuery(groupsQuery()).data ?? [];
}

export function useCustomFields() {
  return useQuery(customFieldsQuery()).data ?? [];
}

export function useUserNames(): Map<number, string> {
  const users = useUsers();
  return new Map(users.map((user) => [user.id, user.name]));
}

export function useGroupNames(): Map<number, string> {
  const groups = useGroups();
  return new Map(groups.map((group) => [group.id, group.name]));
}

// Contacts by id, at most 100 (what one request gives). The ids are put in order first, so the
// same set shares one cache entry however it was gathered (and route loaders can prefetch it).
export const contactsByIdQuery = (ids: number[]) => {
  const unique = [...new Set(ids)].sort((a, b) => a - b).slice(0, 100);
  return queryOptions({
    queryKey: directoryKeys.contacts(unique),
    queryFn: async () =>
      (await api<{ data: Contact[] }>("/api/v1/contacts", { query: { ids: unique, limit: 100 } })).data,
    enabled: unique.length > 0,
    staleTime: 60_000,
  });
};

// The requesters of one page of tickets, in one request.
export function useContactsById(ids: number[]): Map<number, Contact> {
  const { data } = useQuery(contactsByIdQuery(ids));
  return new Map((data ?? []).map((contact) => [contact.id, contact]));
}
