import type { InfiniteData, UseInfiniteQueryResult } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { errorMessage } from "../api/client.ts";
import type { Page, Ticket } from "../api/types.ts";
import { Button } from "./button.tsx";
import { formatDateTime, formatRelative, humanize } from "./format.ts";

type Pages = { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };

// The next page of a cursor-paged list, shown only while there is one.
export function LoadMoreButton({ list, label }: { list: Pages; label: string }) {
  if (!list.hasNextPage) return null;
  return (
    <Button
      className="load-more"
      onClick={() => void list.fetchNextPage()}
      disabled={list.isFetchingNextPage}
    >
      {list.isFetchingNextPage ? "Loading…" : label}
    </Button>
  );
}

// The columns after the ticket itself; each page picks the ones that tell its tickets apart.
export type TicketColumn = "status" | "channel" | "updated" | "created";

const COLUMN_TITLES: Record<TicketColumn, string> = {
  status: "Status",
  channel: "Channel",
  updated: "Updated",
  created: "Created",
};

interface PagedTicketTableProps {
  title: string;
  titleId: string;
  // Said to screen readers: what the rows are and in which order.
  caption: string;
  tickets: UseInfiniteQueryResult<InfiniteData<Page<Ticket>>>;
  columns: TicketColumn[];
  moreLabel: string;
  empty?: string;
  className?: string;
  // Above the table: a note or an action that belongs to the list.
  children?: ReactNode;
}

// A titled section with a table of tickets a page at a time, each row opening its ticket.
export function PagedTicketTable(props: PagedTicketTableProps) {
  const { tickets, columns } = props;
  const rows = tickets.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <section className={props.className ?? "contact-tickets"} aria-labelledby={props.titleId}>
      <h2 id={props.titleId}>{props.title}</h2>
      {props.children}
      {tickets.error && (
        <p className="form-error" role="alert">
          {errorMessage(tickets.error)}
        </p>
      )}
      {tickets.isPending && <p role="status">Loading tickets…</p>}
      {tickets.data && rows.length === 0 && (
        <p className="muted">{props.empty ?? "No tickets you can see."}</p>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="admin-table">
            <caption className="sr-only">{props.caption}</caption>
            <thead>
              <tr>
                <th scope="col">Ticket</th>
                {columns.map((column) => (
                  <th key={column} scope="col">
                    {COLUMN_TITLES[column]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.id}>
                  <th scope="row">
                    <Link to="/tickets/$ticketId" params={{ ticketId: t.id }}>
                      #{t.number} {t.subject}
                    </Link>
                  </th>
                  {columns.map((column) => (
                    <td key={column}>
                      <TicketCell ticket={t} column={column} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMoreButton list={tickets} label={props.moreLabel} />
    </section>
  );
}

function TicketCell({ ticket, column }: { ticket: Ticket; column: TicketColumn }) {
  if (column === "status")
    return <span className={`status status-${ticket.status}`}>{humanize(ticket.status)}</span>;
  if (column === "channel") return <>{humanize(ticket.channel)}</>;
  const at = column === "updated" ? ticket.updatedAt : ticket.createdAt;
  return (
    <time dateTime={at} title={formatDateTime(at)}>
      {formatRelative(at)}
    </time>
  );
}
