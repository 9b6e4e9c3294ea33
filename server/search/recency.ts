import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/connection.ts";

// Relevance ranks the newest matches of a query (see RELEVANCE_WINDOW). To find them without
// reading every match, the GIN indexes also hold two lexemes naming each row's recency buckets
// (migration 20261123T1710-search-recency): ' <id >> 14>' (16,384 ids) and ' c<id >> 18>'
// (262,144 ids), with a leading space so that no parsed word can equal one. A round asks for
// "the query AND one of these buckets"; GIN answers it from its posting lists, driven by the
// shorter of them (the query's rarest word, or the buckets'), so the heap is read only for the
// matches in those buckets.
const FINE = 2 ** 14;
const COARSE = 2 ** 18;

// Must stay identical to the index expression of the migration, or the index is not used.
export const indexedVector = (alias: "t" | "m") => {
  const id = sql.ref(`${alias}.id`);
  return sql`(${sql.ref(`${alias}.search_vector`)} || array_to_tsvector(array[' ' || (${id} >> 14)::text, ' c' || (${id} >> 18)::text]))`;
};

export interface Round {
  // The tsquery to match, as text: the caller's query, narrowed to this round's buckets.
  query: string;
  // Ids in [from, below); from null: unbounded below.
  from: number | null;
  below: number;
}

// After this many ids the last round takes everything older at once, excluding what was read:
// by then the word is rare among what the caller may see, so its remaining matches are few (or
// the caller sees few tickets), and reading them is the bound.
const LAST_ROUND_AFTER_IDS = 16 * COARSE;

function buckets(prefix: string, size: number, from: number, below: number) {
  const terms = [];
  for (let b = below / size - 1; b >= from / size; b--) terms.push(`' ${prefix}${b}'`);
  return terms.join(" | ");
}

// The round after the ids in [below, start) were read and `found` of `need` rows found there:
// sized from the density seen so far (with a margin), at least one bucket, at most four times
// what was read. Fine buckets for less than a coarse bucket's worth and down to a coarse
// boundary, coarse ones for more (fewer terms, and a long posting list lets the query's own
// rarest word drive the index scan). A GIN scan reads its whole range, so a round that needs a
// few more rows must not be given a coarse bucket.
export function nextRound(
  userQuery: string,
  start: number,
  below: number,
  found: number,
  need: number,
): Round | null {
  if (below <= 0) return null;
  const read = start - below;
  if (read >= LAST_ROUND_AFTER_IDS && below % COARSE === 0) {
    const seen = buckets("c", COARSE, below, Math.ceil(start / COARSE) * COARSE);
    return { query: `( ${userQuery} ) & !( ${seen} )`, from: null, below };
  }
  const wanted = read === 0 ? FINE : found === 0 ? 4 * read : Math.ceil((read * need * 1.25) / found) - read;
  const size = Math.min(Math.max(wanted, FINE), read === 0 ? FINE : 4 * read);
  const fineFloor = Math.floor((below - 1) / COARSE) * COARSE;
  if (below % COARSE !== 0 || size < COARSE) {
    const from = Math.max(below - Math.ceil(size / FINE) * FINE, fineFloor);
    return { query: `( ${userQuery} ) & ( ${buckets("", FINE, from, below)} )`, from, below };
  }
  const from = Math.max(0, below - Math.ceil(size / COARSE) * COARSE);
  return { query: `( ${userQuery} ) & ( ${buckets("c", COARSE, from, below)} )`, from, below };
}

export const idInRound = (column: RawBuilder<unknown>, round: Round) =>
  round.from === null
    ? sql<boolean>`${column} < ${round.below}`
    : sql<boolean>`${column} >= ${round.from} and ${column} < ${round.below}`;

export interface ParsedQuery {
  // websearch_to_tsquery's result as tsquery text; null when it has no lexeme (only stop words),
  // which matches nothing.
  tsquery: string | null;
  maxTicketId: number | null;
  maxMessageId: number | null;
}

// One round trip for what every text source needs before its rounds.
export async function parseQuery(db: Db, workspaceId: number, q: string): Promise<ParsedQuery> {
  const { rows } = await sql<{
    tq: string;
    nodes: number;
    max_ticket: number | null;
    max_message: number | null;
  }>`
    select q::text as tq, numnode(q) as nodes,
      (select max(id) from tickets where workspace_id = ${workspaceId}) as max_ticket,
      (select max(id) from messages where workspace_id = ${workspaceId}) as max_message
    from websearch_to_tsquery('english', ${q}) as q`.execute(db);
  const row = rows[0];
  return {
    tsquery: row.nodes > 0 ? row.tq : null,
    maxTicketId: row.max_ticket,
    maxMessageId: row.max_message,
  };
}

// Runs rounds over older and older buckets until `need` rows are found: each round returns its
// newest matches (id desc), up to the number still needed, so the result is exactly the `need`
// newest matches with ids up to maxId.
export async function newestMatches<T>(
  userQuery: string,
  maxId: number,
  need: number,
  run: (round: Round, limit: number) => Promise<T[]>,
): Promise<T[]> {
  const found: T[] = [];
  const start = (Math.floor(maxId / FINE) + 1) * FINE;
  let below = start;
  for (;;) {
    if (found.length >= need) return found;
    const round = nextRound(userQuery, start, below, found.length, need);
    if (round === null) return found;
    found.push(...(await run(round, need - found.length)));
    below = round.from ?? 0;
  }
}
