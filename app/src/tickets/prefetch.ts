import type { QueryClient } from "@tanstack/react-query";
import { contactQuery } from "../contacts/queries.ts";
import { eventsQuery, messagesQuery, ticketQuery } from "./queries.ts";

// Called, not awaited, by the ticket route's loader, beside the signed-in route's check of
// /api/v1/me and the page's own code chunk: the ticket, its messages and events at once, then
// the requester as soon as the ticket names them. The page's queries use the same keys, and the
// app's default staleTime keeps them from asking again on mount.
export function prefetchTicket(queryClient: QueryClient, id: number) {
  void queryClient.prefetchQuery(messagesQuery(id));
  void queryClient.prefetchQuery(eventsQuery(id));
  queryClient
    .fetchQuery(ticketQuery(id))
    .then((ticket) => queryClient.prefetchQuery(contactQuery(ticket.requesterId)))
    .catch(() => {});
}
