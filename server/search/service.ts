import type { Static } from "typebox";
import type { Actor } from "../auth/actor.ts";
import { can } from "../auth/permissions.ts";
import type { Db } from "../db/connection.ts";
import { forbidden } from "../http/errors.ts";
import { contactSource, organizationSource } from "./name-sources.ts";
import { decodeSearchCursor, encodeSearchCursor, mergePage, type Source } from "./pagination.ts";
import type { SearchHit, SearchQuery, SearchType } from "./schemas.ts";
import { messageSource, type SearchContext, ticketSource } from "./text-sources.ts";

const SOURCES: Record<SearchType, (ctx: SearchContext) => Source> = {
  tickets: ticketSource,
  messages: messageSource,
  contacts: contactSource,
  organizations: organizationSource,
};

// Customers search their own tickets (the portal); the customer records are for the team.
function typesFor(actor: Actor, requested: "all" | SearchType): SearchType[] {
  const readsPeople = can(actor, "contact.read");
  if (requested !== "all") {
    if ((requested === "contacts" || requested === "organizations") && !readsPeople) throw forbidden();
    return [requested];
  }
  return readsPeople ? ["tickets", "messages", "contacts", "organizations"] : ["tickets", "messages"];
}

export async function search(db: Db, actor: Actor, query: Static<typeof SearchQuery>) {
  const sort = query.sort ?? "relevance";
  const limit = query.limit ?? 25;
  const types = typesFor(actor, query.type ?? "all");
  const { q, type: _type, sort: _sort, limit: _limit, cursor, ...filters } = query;
  const ctx: SearchContext = { db, actor, q, filters, sort };
  const sources = types.map((t) => SOURCES[t](ctx));
  const state = cursor ? decodeSearchCursor(cursor, sort, types) : {};
  const { merged, next } = await mergePage(sources, state, limit);

  const presented = await Promise.all(
    sources.map((s, i) => s.present(merged.filter((m) => m.source === i).map((m) => m.hit))),
  );
  const offsets = sources.map(() => 0);
  const data = merged.map(({ source, hit }) => {
    const type = sources[source].type;
    const item = presented[source][offsets[source]++];
    return { type, score: hit.score, [SINGULAR[type]]: item } as Static<typeof SearchHit>;
  });
  return { data, nextCursor: next ? encodeSearchCursor(sort, next) : null };
}

const SINGULAR: Record<SearchType, string> = {
  tickets: "ticket",
  messages: "message",
  contacts: "contact",
  organizations: "organization",
};
