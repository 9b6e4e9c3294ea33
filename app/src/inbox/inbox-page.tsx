import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { useEffect } from "react";
import { errorMessage } from "../api/client.ts";
import type { View } from "../api/types.ts";
import { viewsQuery, viewTicketsQuery } from "./queries.ts";
import { TicketTable } from "./ticket-table.tsx";

export function InboxPage() {
  const params = useParams({ strict: false }) as { viewId?: number };
  const navigate = useNavigate();
  const views = useQuery(viewsQuery());
  const viewId = params.viewId ?? views.data?.[0]?.id;

  useEffect(() => {
    if (params.viewId === undefined && viewId !== undefined) {
      void navigate({ to: "/views/$viewId", params: { viewId }, replace: true });
    }
  }, [params.viewId, viewId, navigate]);

  return (
    <div className="inbox">
      <ViewList views={views.data ?? []} />
      <section className="inbox-main" aria-labelledby="view-title">
        {views.error && <p role="alert">{errorMessage(views.error)}</p>}
        {viewId !== undefined && (
          <ViewTickets view={views.data?.find((v) => v.id === viewId)} viewId={viewId} />
        )}
      </section>
    </div>
  );
}

function ViewList({ views }: { views: View[] }) {
  return (
    <nav className="view-list" aria-label="Views">
      <h2 className="sidebar-title">Views</h2>
      <ul>
        {views.map((view) => (
          <li key={view.id}>
            <Link to="/views/$viewId" params={{ viewId: view.id }} className="view-link">
              <span>{view.name}</span>
              <span className="count">
                {view.count}
                {view.countCapped ? "+" : ""}
                <span className="sr-only"> tickets</span>
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function ViewTickets({ view, viewId }: { view: View | undefined; viewId: number }) {
  const tickets = useInfiniteQuery(viewTicketsQuery(viewId));
  const rows = tickets.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <>
      <h1 id="view-title" className="view-title">
        {view?.name ?? "Tickets"}
      </h1>
      {tickets.error && <p role="alert">{errorMessage(tickets.error)}</p>}
      <TicketTable
        tickets={rows}
        loading={tickets.isPending}
        hasMore={tickets.hasNextPage}
        loadingMore={tickets.isFetchingNextPage}
        onLoadMore={() => void tickets.fetchNextPage()}
      />
    </>
  );
}
