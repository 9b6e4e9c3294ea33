import { badRequest } from "../http/errors.ts";
import { SEARCH_TYPES, type SearchType } from "./schemas.ts";

// Where a source stands in its own order: the sort key (a score, or a time in ms) and the id.
export interface Position {
  key: number;
  id: number;
}

export interface Hit extends Position {
  score: number;
}

// One kind of result. fetch returns hits after `after` in (key desc, id desc) order; present
// turns hits into the objects the API returns, in the same order.
export interface Source {
  type: SearchType;
  fetch(after: Position | null, n: number): Promise<Hit[]>;
  present(hits: Hit[]): Promise<unknown[]>;
}

type SourceState = "start" | "end" | [number, number];
export type CursorState = Partial<Record<SearchType, SourceState>>;

export const invalidSearchCursor = () =>
  badRequest("invalid_cursor", "The cursor is not one this search gave out.");

export function encodeSearchCursor(sort: string, state: CursorState): string {
  return Buffer.from(JSON.stringify({ s: sort, p: state })).toString("base64url");
}

// A cursor carries the position reached in every source, so it is only valid for the same sort
// and the same kinds of result.
export function decodeSearchCursor(cursor: string, sort: string, types: SearchType[]): CursorState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidSearchCursor();
  }
  const { s, p } = (parsed ?? {}) as { s?: unknown; p?: Record<string, unknown> };
  if (s !== sort || typeof p !== "object" || p === null) throw invalidSearchCursor();
  const keys = Object.keys(p);
  if (keys.length !== types.length || !types.every((t) => keys.includes(t))) throw invalidSearchCursor();
  const state: CursorState = {};
  for (const type of SEARCH_TYPES) {
    const v = p[type];
    if (v === undefined) continue;
    const valid =
      v === "start" ||
      v === "end" ||
      (Array.isArray(v) && v.length === 2 && Number.isFinite(v[0]) && Number.isSafeInteger(v[1]));
    if (!valid) throw invalidSearchCursor();
    state[type] = v as SourceState;
  }
  return state;
}

// A k-way merge of the sources by key: each source is asked for one page past its own position,
// and what the page takes from each is always a prefix of that source's answer, so the next
// page resumes every source exactly where this one stopped (no skips, no repeats).
export async function mergePage(sources: Source[], state: CursorState, limit: number) {
  const fetched = await Promise.all(
    sources.map((s) => {
      const at = state[s.type] ?? "start";
      if (at === "end") return Promise.resolve([]);
      return s.fetch(at === "start" ? null : { key: at[0], id: at[1] }, limit + 1);
    }),
  );
  const taken = sources.map(() => 0);
  const merged: { source: number; hit: Hit }[] = [];
  while (merged.length < limit) {
    let best = -1;
    for (let i = 0; i < sources.length; i++) {
      const head = fetched[i][taken[i]];
      if (!head) continue;
      if (best < 0 || head.key > fetched[best][taken[best]].key) best = i;
    }
    if (best < 0) break;
    merged.push({ source: best, hit: fetched[best][taken[best]] });
    taken[best]++;
  }
  const next: CursorState = {};
  let more = false;
  sources.forEach((s, i) => {
    const before = state[s.type] ?? "start";
    if (before === "end" || (taken[i] === fetched[i].length && fetched[i].length <= limit)) {
      next[s.type] = "end";
      return;
    }
    more = true;
    const last = taken[i] > 0 ? fetched[i][taken[i] - 1] : null;
    next[s.type] = last ? [last.key, last.id] : before;
  });
  return { merged, next: more ? next : null, fetched };
}
