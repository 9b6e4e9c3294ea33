import { type RefObject, useEffect, useLayoutEffect, useRef } from "react";
import type { Ticket } from "../api/types.ts";
import { scrollParent } from "./use-ticket-list.ts";

interface Anchor {
  id: number;
  top: number;
}

const viewportTop = (scroller: HTMLElement | null) => (scroller ? scroller.getBoundingClientRect().top : 0);

function firstVisibleRow(table: HTMLElement, scroller: HTMLElement | null): Anchor | null {
  const top = viewportTop(scroller);
  for (const row of table.querySelectorAll<HTMLElement>("tbody tr[data-ticket-id]")) {
    const box = row.getBoundingClientRect();
    if (box.bottom > top) return { id: Number(row.dataset.ticketId), top: box.top };
  }
  return null;
}

// When rows arrive above the ones in view (a new ticket at the top of a live list), the rows the
// agent is reading stay where they are. Browsers' own scroll anchoring skips table rows, so the
// first visible row is remembered on every scroll and put back after each change. At the very
// top nothing is held: new tickets are meant to be seen there.
export function useKeepRowsInPlace(table: RefObject<HTMLTableElement | null>, rows: Ticket[]) {
  const anchor = useRef<Anchor | null>(null);
  useEffect(() => {
    // Scroll events do not bubble; listening in the capture phase hears the page and any pane.
    const remember = () => {
      const element = table.current;
      if (!element) return;
      const scroller = scrollParent(element);
      const scrolled = scroller ? scroller.scrollTop : window.scrollY;
      anchor.current = scrolled > 0 ? firstVisibleRow(element, scroller) : null;
    };
    document.addEventListener("scroll", remember, { capture: true, passive: true });
    return () => document.removeEventListener("scroll", remember, { capture: true });
  }, [table]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after each change of the rows.
  useLayoutEffect(() => {
    const element = table.current;
    const held = anchor.current;
    if (!element || !held) return;
    const row = element.querySelector<HTMLElement>(`tbody tr[data-ticket-id="${held.id}"]`);
    if (!row) return;
    const shift = row.getBoundingClientRect().top - held.top;
    if (Math.abs(shift) < 1) return;
    const scroller = scrollParent(element);
    (scroller ?? window).scrollBy({ top: shift, behavior: "instant" });
  }, [rows, table]);
}
