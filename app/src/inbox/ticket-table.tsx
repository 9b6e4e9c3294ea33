import { Link } from "@tanstack/react-router";
import { useEffect, useRef } from "react";
import type { Contact, Ticket } from "../api/types.ts";
import { useGroupNames, useUserNames } from "../shell/directory.ts";
import { formatRelative, humanize } from "../ui/format.ts";
import { COLUMNS, type Column } from "./columns.ts";
import { useKeepRowsInPlace } from "./keep-rows-in-place.ts";
import type { Sort } from "./types.ts";

interface TicketTableProps {
  tickets: Ticket[];
  requesters: Map<number, Contact>;
  sort: Sort;
  onSort: (sort: Sort) => void;
  selected: Set<number>;
  onSelect: (ids: number[], selected: boolean) => void;
  focusedId: number | null;
  onFocus: (id: number) => void;
}

export function TicketTable({
  tickets,
  requesters,
  sort,
  onSort,
  selected,
  onSelect,
  focusedId,
  onFocus,
}: TicketTableProps) {
  const table = useRef<HTMLTableElement>(null);
  useKeepRowsInPlace(table, tickets);
  const users = useUserNames();
  const groups = useGroupNames();
  const ids = tickets.map((ticket) => ticket.id);
  const selectedHere = ids.filter((id) => selected.has(id)).length;
  return (
    <table className="ticket-table" ref={table}>
      <caption className="sr-only">
        Tickets, sorted by {COLUMNS.find((c) => c.field === sort.field)?.label ?? "number"},{" "}
        {sort.direction === "asc" ? "ascending" : "descending"}
      </caption>
      <thead>
        <tr>
          <th scope="col" className="col-select">
            <SelectAll
              checked={selectedHere > 0 && selectedHere === ids.length}
              mixed={selectedHere > 0 && selectedHere < ids.length}
              onChange={(checked) => onSelect(ids, checked)}
            />
          </th>
          {COLUMNS.map((column) => (
            <SortHeader key={column.field} column={column} sort={sort} onSort={onSort} />
          ))}
        </tr>
      </thead>
      <tbody>
        {tickets.map((ticket) => (
          <tr
            key={ticket.id}
            data-ticket-id={ticket.id}
            aria-current={focusedId === ticket.id ? "true" : undefined}
            className={`${focusedId === ticket.id ? "row-focused" : ""} ${selected.has(ticket.id) ? "row-selected" : ""}`}
            onClick={(event) => {
              // A click on the row itself highlights it; its checkbox and link do their own thing.
              if (!(event.target as HTMLElement).closest("a, input, button")) onFocus(ticket.id);
            }}
          >
            <td className="col-select">
              <input
                type="checkbox"
                aria-label={`Select ticket #${ticket.number} ${ticket.subject}`}
                checked={selected.has(ticket.id)}
                onChange={(event) => onSelect([ticket.id], event.target.checked)}
              />
            </td>
            <td className="col-number">{ticket.number}</td>
            <td className="col-subject">
              <Link to="/tickets/$ticketId" params={{ ticketId: ticket.id }}>
                {ticket.subject}
              </Link>
            </td>
            <td className="col-requester optional-phone" data-label="From">
              {requesters.get(ticket.requesterId)?.name ?? "…"}
            </td>
            <td className="col-status">
              <span className={`status status-${ticket.status}`}>{humanize(ticket.status)}</span>
            </td>
            <td className="col-priority optional-tablet" data-label="Priority">
              <span className={`priority priority-${ticket.priority}`}>{humanize(ticket.priority)}</span>
            </td>
            <td className="col-assignee optional-phone" data-label="Assignee">
              {ticket.assigneeId ? (users.get(ticket.assigneeId) ?? "…") : "Unassigned"}
            </td>
            <td className="col-group optional-tablet" data-label="Group">
              {ticket.groupId ? (groups.get(ticket.groupId) ?? "…") : "—"}
            </td>
            <td className="col-updated optional-tablet">
              <time dateTime={ticket.updatedAt}>{formatRelative(ticket.updatedAt)}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// A header is a button that sorts by its column; aria-sort tells a screen reader the order.
function SortHeader({ column, sort, onSort }: { column: Column; sort: Sort; onSort: (sort: Sort) => void }) {
  const active = sort.field === column.field;
  const next: Sort = active
    ? { field: column.field, direction: sort.direction === "asc" ? "desc" : "asc" }
    : { field: column.field, direction: column.firstDirection };
  return (
    <th
      scope="col"
      className={`col-${column.field === "updated_at" ? "updated" : column.field} ${column.optional ? `optional-${column.optional}` : ""}`}
      aria-sort={active ? (sort.direction === "asc" ? "ascending" : "descending") : undefined}
    >
      <button type="button" className="sort-button" onClick={() => onSort(next)}>
        {column.label}
        <span aria-hidden="true" className="sort-arrow">
          {active ? (sort.direction === "asc" ? "▲" : "▼") : ""}
        </span>
      </button>
    </th>
  );
}

function SelectAll({
  checked,
  mixed,
  onChange,
}: {
  checked: boolean;
  mixed: boolean;
  onChange: (checked: boolean) => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = mixed;
  }, [mixed]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label="Select all shown tickets"
      checked={checked}
      onChange={(event) => onChange(event.target.checked)}
    />
  );
}
