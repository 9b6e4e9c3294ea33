import { sql } from "kysely";
import type { Actor } from "../auth/actor.ts";
import { ticketVisibleTo } from "../auth/permissions.ts";
import type { Db } from "../db/connection.ts";
import { isStorableDate } from "../http/dates.ts";
import { type TicketFilters, ticketFilterConditions } from "../tickets/filters.ts";
import { TICKET_COLUMNS, type TicketRow } from "../tickets/present.ts";
import { presentTicketsFor } from "../tickets/present-customer.ts";
import { type Hit, invalidSearchCursor, type Position, type Source } from "./pagination.ts";
import { idInRound, indexedVector, newestMatches, type ParsedQuery, parseQuery } from "./recency.ts";

export interface SearchContext {
  db: Db;
  actor: Actor;
  q: string;
  filters: TicketFilters;
  sort: "relevance" | "recent";
}

// Relevance ranks the RELEVANCE_WINDOW newest matches (by id: creation order) the caller may see:
// ranking needs every candidate's score, and a common word can match a large share of a million
// tickets. The candidates are found in rounds over recency buckets (recency.ts), so the work is
// bounded by the matches in the newest buckets, whatever the word. The window is a full page at
// the largest limit: an agent who sees a sixth of the tickets reads six matches per candidate,
// and 250 candidates cost such an agent twice as much as 100 (about 90 ms against 45 at p95 with
// a million tickets). sort=recent pages through every match.
export const RELEVANCE_WINDOW = 100;

// The tsvector columns hold subject (weight A) and message body (weight B) under the 'english'
// configuration; websearch_to_tsquery reads what people type: "a phrase", -word, or.
const tsQuery = (q: string) => sql`websearch_to_tsquery('english', ${q})`;

// Subject hits score in [0.5, 1), body hits in [0, 0.5): a subject hit always ranks above a
// body hit; rank/(rank+1) (normalization 32) keeps each within its band. An exact ticket
// number scores 1.
const subjectScore = (q: string) =>
  sql<number>`(0.5 + 0.5 * ts_rank(search_vector, ${tsQuery(q)}, 32)::float8)`;
const subjectRank = (tsquery: string) =>
  sql<number>`(0.5 + 0.5 * ts_rank(search_vector, ${tsquery}::tsquery, 32)::float8)`;
const bodyRank = (tsquery: string) =>
  sql<number>`(0.5 * ts_rank(search_vector, ${tsquery}::tsquery, 32)::float8)`;

const parsedQueries = new WeakMap<SearchContext, Promise<ParsedQuery>>();

// The sources of one search share the parsed query (one round trip).
function parsedQuery(ctx: SearchContext) {
  let parsed = parsedQueries.get(ctx);
  if (!parsed) {
    parsed = parseQuery(ctx.db, ctx.actor.workspaceId, ctx.q);
    parsedQueries.set(ctx, parsed);
  }
  return parsed;
}

interface Keyed {
  id: number;
  key: number;
}

// The ranked candidates after the cursor, best first: the same (key desc, id desc) order and
// keyset the cursor was made from.
function rankedPage(candidates: Keyed[], after: Position | null, n: number): Hit[] {
  return candidates
    .filter((c) => after === null || c.key < after.key || (c.key === after.key && c.id < after.id))
    .sort((a, b) => b.key - a.key || b.id - a.id)
    .slice(0, n)
    .map((c) => ({ id: c.id, key: c.key, score: c.key }));
}

export function ticketNumberIn(q: string): number | null {
  const match = /^#?(\d{1,15})$/.exec(q.trim());
  return match ? Number(match[1]) : null;
}

function visibleTickets(ctx: SearchContext) {
  return ctx.db
    .selectFrom("tickets as t")
    .where("t.workspace_id", "=", ctx.actor.workspaceId)
    .where(ticketVisibleTo(ctx.actor))
    .where(ticketFilterConditions(ctx.actor, ctx.filters));
}

async function rankedTicketHits(ctx: SearchContext, after: Position | null, n: number, exclude: number) {
  const { tsquery, maxTicketId } = await parsedQuery(ctx);
  if (tsquery === null || maxTicketId === null) return [];
  const candidates = await newestMatches(tsquery, maxTicketId, RELEVANCE_WINDOW, async (round, limit) => {
    const newest = visibleTickets(ctx)
      .select(["t.id", "t.search_vector"])
      .where(sql<boolean>`${indexedVector("t")} @@ ${round.query}::tsquery`)
      .where(idInRound(sql.ref("t.id"), round))
      .where("t.id", "<>", exclude)
      .orderBy("t.id", "desc")
      .limit(limit);
    const { rows } = await sql<Keyed>`select id, ${subjectRank(tsquery)} as key from (${newest}) c`.execute(
      ctx.db,
    );
    return rows;
  });
  return rankedPage(candidates, after, n);
}

export function ticketSource(ctx: SearchContext): Source {
  const number = ticketNumberIn(ctx.q);
  const numberHit = async () =>
    number === null
      ? undefined
      : visibleTickets(ctx)
          .select(["t.id", "t.updated_at"])
          .where("t.number", "=", number)
          .executeTakeFirst();

  async function fetchRelevant(after: Position | null, n: number): Promise<Hit[]> {
    const exact = await numberHit();
    const hits: Hit[] = [];
    if (exact && (after === null || after.key > 1 || (after.key === 1 && after.id > exact.id))) {
      hits.push({ id: exact.id, key: 1, score: 1 });
    }
    return [...hits, ...(await rankedTicketHits(ctx, after, n, exact?.id ?? 0))].slice(0, n);
  }

  async function fetchRecent(after: Position | null, n: number): Promise<Hit[]> {
    let q = visibleTickets(ctx)
      .select([
        "t.id",
        "t.updated_at",
        sql<number>`case when t.number = ${number ?? -1} then 1::float8 else ${subjectScore(ctx.q)} end`.as(
          "score",
        ),
      ])
      .where((eb) =>
        eb.or([
          sql<boolean>`${indexedVector("t")} @@ ${tsQuery(ctx.q)}`,
          ...(number === null ? [] : [eb("t.number", "=", number)]),
        ]),
      );
    if (after) {
      const updatedAt = new Date(after.key);
      // A key no page gave out can name an instant PostgreSQL cannot hold.
      if (!isStorableDate(updatedAt)) throw invalidSearchCursor();
      q = q.where((eb) => eb(eb.refTuple("t.updated_at", "t.id"), "<", eb.tuple(updatedAt as any, after.id)));
    }
    const rows = await q.orderBy("t.updated_at", "desc").orderBy("t.id", "desc").limit(n).execute();
    return rows.map((r) => ({ id: r.id, key: r.updated_at.getTime(), score: r.score }));
  }

  return {
    type: "tickets",
    fetch: ctx.sort === "recent" ? fetchRecent : fetchRelevant,
    async present(hits) {
      if (hits.length === 0) return [];
      const rows = (await ctx.db
        .selectFrom("tickets as t")
        .select(TICKET_COLUMNS.map((c) => `t.${c}` as const))
        .where("t.workspace_id", "=", ctx.actor.workspaceId)
        .where(
          "t.id",
          "in",
          hits.map((h) => h.id),
        )
        .execute()) as TicketRow[];
      const byId = new Map(rows.map((r) => [r.id, r]));
      return presentTicketsFor(
        ctx.db,
        ctx.actor,
        hits.map((h) => byId.get(h.id)!),
      );
    },
  };
}

// Messages of tickets the caller may see that match `tsquery` (text) through the GIN index.
function matchingMessages(ctx: SearchContext, tsquery: string) {
  let q = ctx.db
    .selectFrom("messages as m")
    .innerJoin("tickets as t", (j) =>
      j.onRef("t.workspace_id", "=", "m.workspace_id").onRef("t.id", "=", "m.ticket_id"),
    )
    .where("m.workspace_id", "=", ctx.actor.workspaceId)
    .where(sql<boolean>`${indexedVector("m")} @@ ${tsquery}::tsquery`)
    .where(ticketVisibleTo(ctx.actor))
    .where(ticketFilterConditions(ctx.actor, ctx.filters));
  // A customer's search finds public replies only: notes are for the team, and system entries
  // (merge and split notices) name other tickets.
  if (ctx.actor.type === "contact") q = q.where("m.kind", "=", "reply");
  return q;
}

const MARK_OPEN = "\uE000";
const MARK_CLOSE = "\uE001";
// Private-use characters stand in for <mark> while ts_headline runs, so the text around them can
// be HTML-escaped afterwards; they are stripped from the body first so a message cannot forge one.
const HEADLINE_OPTIONS = `StartSel=${MARK_OPEN}, StopSel=${MARK_CLOSE}, MaxWords=35, MinWords=15`;
// ts_headline re-parses the text it is given; a long email is cut so one hit cannot cost seconds.
const HEADLINE_INPUT_CHARS = 20_000;

export function markedSnippet(headline: string): string {
  const escaped = headline
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
  return escaped.replaceAll(MARK_OPEN, "<mark>").replaceAll(MARK_CLOSE, "</mark>");
}

export function messageSource(ctx: SearchContext): Source {
  // The newest `need` visible matches with ids below `below`, newest first, with their scores.
  async function newest(below: number | null, need: number) {
    const { tsquery, maxMessageId } = await parsedQuery(ctx);
    if (tsquery === null || maxMessageId === null) return [];
    const top = below === null ? maxMessageId : below - 1;
    return newestMatches(tsquery, top, need, async (round, limit) => {
      let q = matchingMessages(ctx, round.query)
        .select(["m.id", "m.created_at", "m.search_vector"])
        .where(idInRound(sql.ref("m.id"), round));
      if (below !== null) q = q.where("m.id", "<", below);
      const { rows } = await sql<Keyed & { created_at: Date }>`
        select id, created_at, ${bodyRank(tsquery)} as key
        from (${q.orderBy("m.id", "desc").limit(limit)}) c order by id desc`.execute(ctx.db);
      return rows;
    });
  }

  async function fetchRelevant(after: Position | null, n: number): Promise<Hit[]> {
    return rankedPage(await newest(null, RELEVANCE_WINDOW), after, n);
  }

  // Ids grow with time, so id order is creation order.
  async function fetchRecent(after: Position | null, n: number): Promise<Hit[]> {
    const rows = await newest(after ? after.id : null, n);
    return rows.map((r) => ({ id: r.id, key: r.created_at.getTime(), score: r.key }));
  }

  return {
    type: "messages",
    fetch: ctx.sort === "recent" ? fetchRecent : fetchRelevant,
    async present(hits) {
      if (hits.length === 0) return [];
      const rows = await ctx.db
        .selectFrom("messages as m")
        .innerJoin("tickets as t", (j) =>
          j.onRef("t.workspace_id", "=", "m.workspace_id").onRef("t.id", "=", "m.ticket_id"),
        )
        .select([
          "m.id",
          "m.kind",
          "m.created_at",
          "t.id as ticket_id",
          "t.number",
          "t.subject",
          "t.status",
          sql<string>`ts_headline('english',
            translate(left(m.body_text, ${HEADLINE_INPUT_CHARS}), ${MARK_OPEN + MARK_CLOSE}, ''),
            ${tsQuery(ctx.q)}, ${HEADLINE_OPTIONS})`.as("headline"),
        ])
        .where("m.workspace_id", "=", ctx.actor.workspaceId)
        .where(
          "m.id",
          "in",
          hits.map((h) => h.id),
        )
        .execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      return hits.map((h) => {
        const m = byId.get(h.id)!;
        return {
          id: m.id,
          kind: m.kind,
          createdAt: m.created_at.toISOString(),
          snippet: markedSnippet(m.headline),
          ticket: { id: m.ticket_id, number: m.number, subject: m.subject, status: m.status },
        };
      });
    },
  };
}
