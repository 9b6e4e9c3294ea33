import type { SortField } from "./types.ts";

// The list's columns. `optional` columns give way first on a narrow screen (inbox.css), so a
// tablet keeps number, subject, requester, status and assignee.
export interface Column {
  field: SortField;
  label: string;
  // The direction of a first click: newest, highest and A to Z first.
  firstDirection: "asc" | "desc";
  optional?: "tablet" | "phone";
}

export const COLUMNS: Column[] = [
  { field: "number", label: "Number", firstDirection: "desc" },
  { field: "subject", label: "Subject", firstDirection: "asc" },
  { field: "requester", label: "Requester", firstDirection: "asc", optional: "phone" },
  { field: "status", label: "Status", firstDirection: "asc" },
  { field: "priority", label: "Priority", firstDirection: "desc", optional: "tablet" },
  { field: "assignee", label: "Assignee", firstDirection: "asc", optional: "phone" },
  { field: "group", label: "Group", firstDirection: "asc", optional: "tablet" },
  { field: "updated_at", label: "Updated", firstDirection: "desc", optional: "tablet" },
];
