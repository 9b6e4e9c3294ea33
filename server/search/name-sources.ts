import { type RawBuilder, sql } from "kysely";
import { presentContacts } from "../contacts/present.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import { ORGANIZATION_COLUMNS, presentOrganization } from "../organizations/present.ts";
import type { Hit, Position, Source } from "./pagination.ts";
import type { SearchContext } from "./text-sources.ts";

// Names and email addresses are matched by trigrams (pg_trgm GIN indexes on contacts.name,
// contact_identities.value and organizations.name): a part of a word ("ackm" in "Packman") or a
// small typo ("Jonh") finds a name, a part of an address finds the address. pg_trgm's default word
// similarity threshold (0.6) misses most one-letter typos in short names; 0.4 catches them and
// the ranking puts the closest first.
const WORD_SIMILARITY_THRESHOLD = "0.4";

// Below three characters a pattern has no trigram to look up, and ILIKE '%ab%' would read every
// row: short queries rely on word similarity alone.
const MIN_SUBSTRING_CHARS = 3;

const score = (q: string, column: RawBuilder<unknown>) =>
  sql<number>`(0.7::float8 * word_similarity(${q}, ${column}) + 0.3::float8 * similarity(${q}, ${column}))`;

// A query that matches more than this many names (or addresses) ranks the first this many the
// index returns: past that, similarity scores no longer tell the hits apart.
const CANDIDATE_CAP = 1000;

// Contact names and addresses: each branch reads at most this many candidates, the fuzzy one
// closest first (a KNN scan of the GiST trigram index, `<<->` = 1 - word_similarity), so the
// best names are found without scoring every contact that shares a trigram with the query.
const CONTACT_CANDIDATES = 200;

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

function nameMatch(q: string, column: RawBuilder<unknown>) {
  const similar = sql<boolean>`${column} %> ${q}`;
  if (q.length < MIN_SUBSTRING_CHARS) return similar;
  return sql<boolean>`(${column} ilike ${likePattern(q)} or ${similar})`;
}

const keysetAfter = (after: Position | null, recent: boolean) => {
  if (!after) return sql`true`;
  return recent
    ? sql`id < ${after.id}::bigint`
    : sql`(key, id) < (${after.key}::float8, ${after.id}::bigint)`;
};

async function withTrigramThreshold<T>(db: Db, fn: (trx: Db) => Promise<T>) {
  return inTransaction(db, async (trx) => {
    await sql`select set_config('pg_trgm.word_similarity_threshold', ${WORD_SIMILARITY_THRESHOLD}, true)`.execute(
      trx,
    );
    return fn(trx);
  });
}

interface ScoredRow {
  id: number;
  key: number;
  score: number;
}

// `scored` yields (id, score) for every match; relevance orders by score, recent by id (newest
// first, through the primary key), both with keyset pagination.
async function pageOf(ctx: SearchContext, scored: RawBuilder<unknown>, after: Position | null, n: number) {
  const recent = ctx.sort === "recent";
  return withTrigramThreshold(ctx.db, async (trx) => {
    const { rows } = await sql<ScoredRow>`
      with s as (${scored}),
      k as (select id, score, ${recent ? sql`created_ms` : sql`score`} as key from s)
      select id, key, score from k where ${keysetAfter(after, recent)}
      order by ${recent ? sql`id desc` : sql`key desc, id desc`} limit ${n}`.execute(trx);
    return rows.map((r): Hit => ({ id: r.id, key: r.key, score: r.score }));
  });
}

const epochMs = (column: RawBuilder<unknown>) => sql<number>`(extract(epoch from ${column}) * 1000)::float8`;

export function contactSource(ctx: SearchContext): Source {
  const ws = ctx.actor.workspaceId;
  const q = ctx.q.trim();
  // Addresses match by substring only: fuzzy matching would find every address of a common
  // domain ("gmail.com") for any query that ends in it.
  const distance = (column: RawBuilder<unknown>) => sql`${q} <<-> ${column}`;
  const byAddress =
    q.length < MIN_SUBSTRING_CHARS
      ? sql``
      : sql`union all (
          select i.contact_id, ${score(q, sql`i.value`)} from contact_identities i
          where i.workspace_id = ${ws} and i.value ilike ${likePattern(q)}
          order by ${distance(sql`i.value`)} limit ${CONTACT_CANDIDATES})`;
  const bySubstring =
    q.length < MIN_SUBSTRING_CHARS
      ? sql``
      : sql`union all (
          select c.id, ${score(q, sql`c.name`)} from contacts c
          where c.workspace_id = ${ws} and c.name ilike ${likePattern(q)}
          order by ${distance(sql`c.name`)} limit ${CONTACT_CANDIDATES})`;
  const scored = sql`
    select h.id, max(h.score)::float8 as score, ${epochMs(sql`c.created_at`)} as created_ms
    from (
      (select c.id, ${score(q, sql`c.name`)} as score from contacts c
       where c.workspace_id = ${ws} and c.name %> ${q}
       order by ${distance(sql`c.name`)} limit ${CONTACT_CANDIDATES})
      ${bySubstring}
      ${byAddress}
    ) h
    join contacts c on c.workspace_id = ${ws} and c.id = h.id
    group by h.id, c.created_at`;
  return {
    type: "contacts",
    fetch: (after, n) => pageOf(ctx, scored, after, n),
    present: (hits) =>
      presentContacts(
        ctx.db,
        ws,
        hits.map((h) => h.id),
      ),
  };
}

export function organizationSource(ctx: SearchContext): Source {
  const ws = ctx.actor.workspaceId;
  const q = ctx.q.trim();
  const domain = sql`${[q.toLowerCase()]}::text[]`;
  const scored = sql`
    select o.id,
      greatest(${score(q, sql`o.name`)}, case when o.domains @> ${domain} then 1::float8 else 0 end) as score,
      ${epochMs(sql`o.created_at`)} as created_ms
    from organizations o
    where o.workspace_id = ${ws} and (${nameMatch(q, sql`o.name`)} or o.domains @> ${domain})
    limit ${CANDIDATE_CAP}`;
  return {
    type: "organizations",
    fetch: (after, n) => pageOf(ctx, scored, after, n),
    async present(hits) {
      if (hits.length === 0) return [];
      const rows = await ctx.db
        .selectFrom("organizations")
        .select(ORGANIZATION_COLUMNS)
        .where("workspace_id", "=", ws)
        .where(
          "id",
          "in",
          hits.map((h) => h.id),
        )
        .execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      return hits.map((h) => presentOrganization(byId.get(h.id)!));
    },
  };
}
