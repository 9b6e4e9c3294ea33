import type { QueryClient } from "@tanstack/react-query";
import { api } from "../api/client.ts";
import type { Page, Ticket } from "../api/types.ts";
import { contactsByIdQuery } from "../shell/directory.ts";
import { PAGE_SIZE, ticketListQuery, viewKeys, viewsQuery } from "./queries.ts";

// Called, not awaited, by the inbox routes' loaders, which run beside the signed-in route's check
// of /api/v1/me: on a first load the views, the view's first page of tickets and then its
// requesters are on their way before the page renders, under the keys the components read.
export function prefetchInbox(queryClient: QueryClient, viewId: number | undefined) {
  // Only a first load (no views yet) waits on a chain of requests. Later, the views are cached and
  // the list's own query starts as soon as the view is shown, as before.
  if (queryClient.getQueryState(viewKeys.list())) return;
  const views = queryClient.fetchQuery(viewsQuery());
  // Without a sort the server lists a view in its own order, so the first page need not wait for
  // the views to say which order that is; it is filed under that order's key once they do.
  const firstPage =
    viewId === undefined
      ? undefined
      : api<Page<Ticket>>(`/api/v1/views/${viewId}/tickets`, { query: { limit: PAGE_SIZE } });
  // Failures are the components' to show when they ask again; nothing here may go unhandled.
  firstPage?.catch(() => {});
  views
    .then(async (list) => {
      const view = viewId === undefined ? list[0] : list.find((v) => v.id === viewId);
      if (!view) return;
      const options = ticketListQuery({ viewId: view.id }, view.sort);
      await queryClient.prefetchInfiniteQuery(firstPage ? { ...options, queryFn: () => firstPage } : options);
      const tickets = queryClient.getQueryData(options.queryKey)?.pages[0]?.data ?? [];
      if (tickets.length > 0)
        await queryClient.prefetchQuery(contactsByIdQuery(tickets.map((ticket) => ticket.requesterId)));
    })
    .catch(() => {});
}
