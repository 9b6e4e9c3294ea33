import { useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { errorMessage } from "../api/client.ts";
import { searchQuery } from "./queries.ts";
import { SearchResults } from "./search-results.tsx";
import "./search.css";

// How long typing must pause before a search: fast enough to feel instant, slow enough that a
// word typed at speed is one request.
const DEBOUNCE_MS = 150;

// Global search ("/" from anywhere): tickets by subject, number or any message, and people, as
// the agent types. Arrow keys walk the results; Enter opens one.
export function SearchPage() {
  const { q } = useSearch({ from: "/signed-in/search" });
  const navigate = useNavigate();
  const [text, setText] = useState(q ?? "");
  const [term, setTerm] = useState((q ?? "").trim());
  const inputId = useId();
  const resultsRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const timer = setTimeout(() => setTerm(text.trim()), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  useEffect(() => {
    void navigate({ to: "/search", search: { q: term || undefined }, replace: true });
  }, [term, navigate]);

  const results = useQuery(searchQuery(term));
  const hits = () => [...(resultsRef.current?.querySelectorAll<HTMLElement>(".search-hit") ?? [])];

  const onInputKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      hits()[0]?.focus();
    } else if (event.key === "Enter") {
      event.preventDefault();
      // Enter right after typing: wait for nothing, open the best result on screen.
      hits()[0]?.click();
    }
  };
  const onResultsKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const all = hits();
    const at = all.indexOf(document.activeElement as HTMLElement);
    if (at < 0) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = at + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0) inputRef.current?.focus();
      else all[Math.min(next, all.length - 1)].focus();
    } else if (event.key === "Escape") {
      inputRef.current?.focus();
    }
  };

  const data = results.data;
  const empty = data && data.tickets.length === 0 && data.people.length === 0;
  return (
    <div className="page search-page">
      <h1>Search</h1>
      <div className="field">
        <label htmlFor={inputId} className="field-label">
          Search tickets and people
        </label>
        <input
          ref={inputRef}
          id={inputId}
          type="search"
          // biome-ignore lint/a11y/noAutofocus: the page exists to type a search; "/" brings the agent here.
          autoFocus
          autoComplete="off"
          placeholder="Words, a #number, a name or an email"
          aria-describedby={`${inputId}-hint`}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onInputKey}
        />
        <p id={`${inputId}-hint`} className="field-hint">
          Down arrow to walk the results, Enter to open.
        </p>
      </div>
      <p className="search-state" role="status">
        {term && results.isFetching ? "Searching…" : empty ? `Nothing found for “${term}”.` : ""}
      </p>
      {results.error && <p role="alert">{errorMessage(results.error)}</p>}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: arrow keys here move between the links inside. */}
      <div ref={resultsRef} onKeyDown={onResultsKey}>
        {data && term && <SearchResults tickets={data.tickets} people={data.people} />}
      </div>
    </div>
  );
}
