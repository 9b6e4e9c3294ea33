import type { Ticket, TicketPriority, TicketStatus, View } from "../api/types.ts";

// The inbox's own shapes: what GET /api/v1/views/:id/tickets sorts by (server/views/sorted-tickets.ts)
// and what the bulk and merge routes answer (server/tickets/operation-routes.ts).
export type SortField =
  | "number"
  | "subject"
  | "requester"
  | "status"
  | "priority"
  | "assignee"
  | "group"
  | "updated_at"
  | "created_at";

export interface Sort {
  field: SortField;
  direction: "asc" | "desc";
}

export interface ViewFilters {
  status?: TicketStatus[];
  priority?: TicketPriority[];
  assigneeId?: number | "me" | "none";
  groupId?: number | "none";
  tag?: string[];
  // Saved views may hold more (requesterId, date windows); the inbox keeps them as they are.
  [key: string]: unknown;
}

export type InboxView = Omit<View, "sort" | "filters"> & { sort: Sort; filters: ViewFilters };

export interface BulkChanges {
  status?: TicketStatus;
  priority?: TicketPriority;
  assigneeId?: number | null;
  groupId?: number | null;
  addTags?: string[];
  removeTags?: string[];
}

export type BulkResult =
  | { id: number; ok: true; ticket: Ticket }
  | {
      id: number;
      ok: false;
      error: { code: string; message: string; errors?: { path: string; message: string }[] };
    };

// Where the rows come from: a saved view, or filters being edited that are not saved yet.
export type ListSource = { viewId: number } | { filters: ViewFilters };
