import { Link } from "@tanstack/react-router";
import type { Ticket } from "../api/types.ts";
import { useContactsById, useGroupNames, useUserNames } from "../shell/directory.ts";
import { formatRelative, humanize } from "../ui/format.ts";

interface TicketTableProps {
  tickets: Ticket[];
  loading: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}

export function TicketTable({ tickets, loading, hasMore, loadingMore, onLoadMore }: TicketTableProps) {
  const users = useUserNames();
  const groups = useGroupNames();
  const requesters = useContactsById(tickets.map((ticket) => ticket.requesterId));
  if (loading) return <p role="status">Loading tickets…</p>;
  if (tickets.length === 0) return <p className="empty-state">No tickets in this view.</p>;
  return (
    <>
      <table className="ticket-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Subject</th>
            <th scope="col">Requester</th>
            <th scope="col">Status</th>
            <th scope="col">Priority</th>
            <th scope="col">Assignee</th>
            <th scope="col">Group</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {tickets.map((ticket) => (
            <tr key={ticket.id} data-ticket-id={ticket.id}>
              <td>{ticket.number}</td>
              <td>
                <Link to="/tickets/$ticketId" params={{ ticketId: ticket.id }}>
                  {ticket.subject}
                </Link>
              </td>
              <td>{requesters.get(ticket.requesterId)?.name ?? "…"}</td>
              <td>
                <span className={`status status-${ticket.status}`}>{humanize(ticket.status)}</span>
              </td>
              <td>{humanize(ticket.priority)}</td>
              <td>{ticket.assigneeId ? (users.get(ticket.assigneeId) ?? "…") : "Unassigned"}</td>
              <td>{ticket.groupId ? (groups.get(ticket.groupId) ?? "…") : "—"}</td>
              <td>
                <time dateTime={ticket.updatedAt}>{formatRelative(ticket.updatedAt)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {hasMore && (
        <button
          type="button"
          className="btn btn-secondary load-more"
          onClick={onLoadMore}
          disabled={loadingMore}
        >
          {loadingMore ? "Loading…" : "Load more"}
        </button>
      )}
    </>
  );
}
