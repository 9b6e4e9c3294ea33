import { useInfiniteQuery, useQueries } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import type { Contact, Ticket } from "../api/types.ts";
import { contactsByIdQuery } from "../shell/directory.ts";
import { ticketListQuery } from "./queries.ts";
import type { ListSource, Sort } from "./types.ts";

// The rows of a view (or of unsaved filters) in the chosen order, a page at a time. A refetch
// after a realtime event re-reads the loaded pages from the first cursor on, so a new ticket
// slots in without a gap and the rows keep their keys (selection and focus are kept by id).
export function useTicketList(source: ListSource, sort: Sort) {
  const query = useInfiniteQuery(ticketListQuery(source, sort));
  const pages = query.data?.pages;
  const rows = useMemo(() => {
    const seen = new Set<number>();
    const all: Ticket[] = [];
    // A ticket that moved between pages while they were re-read is shown once.
    for (const page of pages ?? []) {
      for (const ticket of page.data) {
        if (!seen.has(ticket.id)) all.push(ticket);
        seen.add(ticket.id);
      }
    }
    return all;
  }, [pages]);
  const requesters = useRequesters(pages?.map((page) => page.data) ?? []);
  return { query, rows, requesters };
}

// Requesters are named one page at a time (at most 50 ids a request), so a long scroll never
// asks for more than the contacts API gives at once, and earlier pages stay cached.
function useRequesters(pages: Ticket[][]): Map<number, Contact> {
  const results = useQueries({
    queries: pages.map((page) => contactsByIdQuery(page.map((ticket) => ticket.requesterId))),
  });
  // Every requester read for this list is kept, so names do not blink to "…" when a new ticket
  // shifts the pages and their id sets are read again.
  const known = useRef(new Map<number, Contact>());
  for (const result of results)
    for (const contact of result.data ?? []) known.current.set(contact.id, contact);
  return known.current;
}

// Calls `load` when the sentinel scrolls within reach of the list's scrolling container. The
// observer is renewed when a page arrives, so a page too short to fill the screen loads the next.
export function useLoadOnScroll(load: () => void, enabled: boolean, pageCount: number) {
  const sentinel = useRef<HTMLDivElement | null>(null);
  const latest = useRef(load);
  latest.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new observer re-checks a sentinel that stayed in view.
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !enabled || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) latest.current();
      },
      { root: scrollParent(target), rootMargin: "0px 0px 600px 0px" },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [enabled, pageCount]);
  return sentinel;
}

// The element that scrolls the list: the inbox pane when it has a height of its own, else the
// page (null, the viewport).
export function scrollParent(element: HTMLElement): HTMLElement | null {
  for (let node = element.parentElement; node; node = node.parentElement) {
    const { overflowY } = getComputedStyle(node);
    if ((overflowY === "auto" || overflowY === "scroll") && node.scrollHeight > node.clientHeight)
      return node;
  }
  return null;
}
