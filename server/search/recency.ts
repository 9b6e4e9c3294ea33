import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/connection.ts";

// Relevance ranks the newest matches of a query (see RELEVANCE_WINDOW). To find them without
// reading every match, the GIN indexes also hold a lexeme naming each row's recency bucket
// (migration 20261123T1710-search-recency): ids >> BUCKET_BITS, written with a leading space so
// no parsed word can equal one. A round asks for "query AND one of these buckets"; GIN answers it
// from its posting lists, so the heap is read only for the matches in those buckets.
const BUCKET_BITS = 14;

// Must stay identical to the index expression of the migration, or the index is not used.
export const indexedVector = (alias: "t" | "m") =>
  sql`(${sql.ref(`${alias}.search_vector`)} || array_to_tsvector(array[' ' || (${sql.ref(`${alias}.id`)} >> 14)::text]))`;

// Buckets per round, newest first: 1, then the next 3, 12 and 48 (64 in all, about a million ids),
// then everything older in one last round without a bucket condition, where a word is rare
// enough (or the caller sees little enough) that reading all of its older matches is the bound.
const ROUND_BUCKETS = [1, 3, 12, 48];

export interface Round {
  // The tsquery to match, as text: the caller's query, narrowed to this round's buckets.
  query: string;
  // Ids in [from, below); null: unbounded on that side.
  from: number | null;
  below: number | null;
}

export function roundsFor(userQuery: string, maxId: number): Round[] {
  const rounds: Round[] = [];
  let top = Math.floor(maxId / 2 ** BUCKET_BITS);
  for (const size of ROUND_BUCKETS) {
    if (top < 0) return rounds;
    const bottom = Math.max(0, top - size + 1);
    const buckets = [];
    for (let b = top; b >= bottom; b--) buckets.push(`' ${b}'`);
    rounds.push({
      query: `( ${userQuery} ) & ( ${buckets.join(" | ")} )`,
      from: bottom * 2 ** BUCKET_BITS,
      below: (top + 1) * 2 ** BUCKET_BITS,
    });
    top = bottom - 1;
  }
  if (top >= 0) rounds.push({ query: userQuery, from: null, below: (top + 1) * 2 ** BUCKET_BITS });
  return rounds;
}

export const idInRound = (column: RawBuilder<unknown>, round: Round) =>
  sql<boolean>`${round.from === null ? sql`true` : sql`${column} >= ${round.from}`} and ${
    round.below === null ? sql`true` : sql`${column} < ${round.below}`
  }`;

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

// Runs rounds until `need` rows are found: each round returns its newest matches (id desc), up to
// the number still needed, so the result is exactly the `need` newest matches overall.
export async function newestMatches<T>(
  rounds: Round[],
  need: number,
  run: (round: Round, limit: number) => Promise<T[]>,
): Promise<T[]> {
  const found: T[] = [];
  for (const round of rounds) {
    if (found.length >= need) break;
    found.push(...(await run(round, need - found.length)));
  }
  return found;
}
