import { Link } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { Ticket } from "../api/types.ts";
import { Button } from "../ui/button.tsx";
import { BulkBar, type BulkOutcome, BulkOutcomeNotice } from "./bulk-bar.tsx";
import { FilterPanel } from "./filter-panel.tsx";
import { useListKeyboard } from "./list-keyboard.ts";
import { MergeDialog } from "./merge-dialog.tsx";
import { cleanFilters } from "./queries.ts";
import { SaveViewDialog } from "./save-view-dialog.tsx";
import { rememberListOrder } from "./ticket-order.ts";
import { TicketTable } from "./ticket-table.tsx";
import type { InboxView, ListSource, Sort, ViewFilters } from "./types.ts";
import { scrollParent, useLoadOnScroll, useTicketList } from "./use-ticket-list.ts";

// Filters compare by content, whatever order their keys were written in.
function sameFilters(a: ViewFilters, b: ViewFilters) {
  const canonical = (f: ViewFilters) =>
    JSON.stringify(Object.entries(cleanFilters(f)).sort(([x], [y]) => x.localeCompare(y)));
  return canonical(a) === canonical(b);
}

// One view on screen: its header, filters, the bulk bar while tickets are selected, and the list.
export function ViewWorkspace({ view }: { view: InboxView }) {
  const [sort, setSort] = useState<Sort>(view.sort);
  const [draft, setDraft] = useState<ViewFilters | null>(null);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [selected, setSelected] = useState<Set<number>>(() => new Set());
  const [focusedId, setFocusedId] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const [merged, setMerged] = useState<{ target: Ticket; sources: Ticket[] } | null>(null);
  const [mergeOpen, setMergeOpen] = useState(false);

  const filters = draft ?? view.filters;
  const edited = draft !== null && !sameFilters(draft, view.filters);
  const source: ListSource = edited ? { filters: cleanFilters(filters) } : { viewId: view.id };
  const { query, rows, requesters } = useTicketList(source, sort);
  const selectedTickets = rows.filter((ticket) => selected.has(ticket.id));

  // A selected ticket that left the list (solved elsewhere, merged) is no longer acted on.
  useEffect(() => {
    const present = new Set(rows.map((ticket) => ticket.id));
    setSelected((current) => {
      const kept = [...current].filter((id) => present.has(id));
      return kept.length === current.size ? current : new Set(kept);
    });
    rememberListOrder(rows.map((ticket) => ticket.id));
  }, [rows]);

  const select = (ids: number[], on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  // "Load more" hands focus to the first new row, so focus never drops to the page when the
  // button goes away. While the button has focus, scrolling does not load by itself: the
  // keyboard user decides, and their next Enter cannot land on a row they did not see arrive.
  const focusFrom = useRef<number | null>(null);
  const buttonFocused = () => document.activeElement?.classList.contains("load-more") ?? false;
  const loadMore = () => {
    if (!query.hasNextPage || query.isFetchingNextPage) return;
    if (buttonFocused()) focusFrom.current = rows.length;
    void query.fetchNextPage();
  };
  useEffect(() => {
    const from = focusFrom.current;
    if (from === null || rows.length <= from) return;
    focusFrom.current = null;
    document.querySelector<HTMLElement>(`tr[data-ticket-id="${rows[from].id}"] .col-subject a`)?.focus();
  }, [rows]);
  useListKeyboard({
    rows,
    focusedId,
    setFocusedId,
    toggle: (id) => select([id], !selected.has(id)),
    loadMore,
  });
  const sentinel = useLoadOnScroll(
    () => !buttonFocused() && loadMore(),
    query.hasNextPage && !query.isFetchingNextPage && !query.isError,
    // Per page, not per row: a page can come back short (docs/views.md), and the next is still due.
    query.data?.pages.length ?? 0,
  );

  return (
    <>
      <header className="view-header">
        <h1 id="view-title" className="view-title">
          {view.name}
          {edited && <span className="badge view-edited">filters changed</span>}
        </h1>
        <p className="view-summary" aria-live="polite">
          {query.isPending ? "" : summary(rows.length, edited ? null : view, query.hasNextPage)}
        </p>
        <div className="view-actions">
          <Button
            aria-expanded={filtersOpen}
            aria-controls="view-filters"
            onClick={() => setFiltersOpen(!filtersOpen)}
          >
            {filtersOpen ? "Hide filters" : "Filter"}
          </Button>
          {edited && <Button onClick={() => setDraft(null)}>Reset filters</Button>}
          <SaveViewDialog filters={filters} sort={sort} suggestedName={edited ? "" : `${view.name} (copy)`} />
        </div>
      </header>
      {filtersOpen && <FilterPanel id="view-filters" filters={filters} onChange={setDraft} />}
      {outcome && <BulkOutcomeNotice outcome={outcome} onDismiss={() => setOutcome(null)} />}
      {merged && (
        <div className="notice notice-ok" role="status">
          Merged {merged.sources.map((t) => `#${t.number}`).join(", ")} into{" "}
          <Link to="/tickets/$ticketId" params={{ ticketId: merged.target.id }}>
            #{merged.target.number} {merged.target.subject}
          </Link>
          .{" "}
          <Button variant="ghost" onClick={() => setMerged(null)}>
            Dismiss
          </Button>
        </div>
      )}
      {selectedTickets.length > 0 && (
        <BulkBar
          selected={selectedTickets}
          onDone={(result, succeeded) => {
            setMerged(null);
            setOutcome(result);
            select(succeeded, false);
          }}
          onMerge={() => setMergeOpen(true)}
          onClear={() => setSelected(new Set())}
        />
      )}
      <MergeDialog
        tickets={selectedTickets}
        open={mergeOpen && selectedTickets.length >= 2}
        onOpenChange={setMergeOpen}
        onMerged={(target, sources) => {
          setMergeOpen(false);
          setOutcome(null);
          setMerged({ target, sources });
          setSelected(new Set());
        }}
      />
      {query.error && <p role="alert">{errorMessage(query.error)}</p>}
      {query.isPending ? (
        <p role="status">Loading tickets…</p>
      ) : rows.length === 0 && !query.hasNextPage ? (
        <p className="empty-state">No tickets match this view.</p>
      ) : (
        <TicketTable
          tickets={rows}
          requesters={requesters}
          sort={sort}
          onSort={(next) => {
            setSort(next);
            const table = document.querySelector<HTMLElement>(".ticket-table");
            (table ? (scrollParent(table) ?? window) : window).scrollTo({ top: 0 });
          }}
          selected={selected}
          onSelect={select}
          focusedId={focusedId}
          onFocus={setFocusedId}
        />
      )}
      <div ref={sentinel} className="list-sentinel" aria-hidden="true" />
      {query.hasNextPage && (
        <Button className="load-more" onClick={loadMore} aria-disabled={query.isFetchingNextPage}>
          {query.isFetchingNextPage ? "Loading…" : "Load more tickets"}
        </Button>
      )}
    </>
  );
}

function summary(shown: number, view: InboxView | null, more: boolean) {
  const tickets = shown === 1 ? "1 ticket" : `${shown} tickets`;
  if (view && more) return `${tickets} shown of ${view.count}${view.countCapped ? "+" : ""}`;
  return more ? `${tickets} shown, more below` : tickets;
}
