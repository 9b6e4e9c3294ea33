import { Type } from "typebox";
import { ContactView } from "../contacts/present.ts";
import { OrganizationView } from "../organizations/schemas.ts";
import { TicketFilterFields } from "../tickets/filters.ts";
import { TicketViewFor } from "../tickets/schemas.ts";

export const SEARCH_TYPES = ["tickets", "messages", "contacts", "organizations"] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.Optional(Type.Enum(["all", ...SEARCH_TYPES], { default: "all" })),
    sort: Type.Optional(Type.Enum(["relevance", "recent"], { default: "relevance" })),
    status: TicketFilterFields.status,
    assigneeId: TicketFilterFields.assigneeId,
    groupId: TicketFilterFields.groupId,
    requesterId: TicketFilterFields.requesterId,
    tag: TicketFilterFields.tag,
    createdAfter: TicketFilterFields.createdAfter,
    createdBefore: TicketFilterFields.createdBefore,
    updatedAfter: TicketFilterFields.updatedAfter,
    updatedBefore: TicketFilterFields.updatedBefore,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    cursor: Type.Optional(Type.String({ maxLength: 600 })),
  },
  { additionalProperties: false },
);

export const MessageHit = Type.Object({
  id: Type.Integer(),
  kind: Type.Enum(["reply", "note", "system"]),
  createdAt: Type.String({ format: "date-time" }),
  // HTML: the text is escaped; only the <mark> tags around matched words are markup.
  snippet: Type.String(),
  // The ticket's status, so a result list can say which hits are still open.
  ticket: Type.Object({
    id: Type.Integer(),
    number: Type.Integer(),
    subject: Type.String(),
    status: Type.Enum(["new", "open", "pending", "on_hold", "solved", "closed"]),
  }),
});

export const SearchHit = Type.Object({
  type: Type.Enum(SEARCH_TYPES),
  score: Type.Number(),
  // A customer gets the customer's view of the ticket (tickets/present-customer.ts).
  ticket: Type.Optional(TicketViewFor),
  message: Type.Optional(MessageHit),
  contact: Type.Optional(ContactView),
  organization: Type.Optional(OrganizationView),
});

export const SearchPage = Type.Object({
  data: Type.Array(SearchHit),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
