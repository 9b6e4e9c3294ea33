import { Type } from "typebox";
import { readablePattern } from "../http/pattern-messages.ts";
import { TicketFilterFields } from "../tickets/filters.ts";
import { Id } from "../tickets/schemas.ts";
import { VIEW_SORT_FIELDS } from "./sort-query.ts";

// The same filters as GET /api/v1/tickets, plus relative windows that keep "solved in the last
// 7 days" meaning the last 7 days whenever the view runs.
export const ViewFilters = Type.Object(
  {
    ...TicketFilterFields,
    createdWithinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    updatedWithinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);

export const ViewSort = Type.Object(
  {
    field: Type.Enum(VIEW_SORT_FIELDS),
    direction: Type.Enum(["asc", "desc"]),
  },
  { additionalProperties: false },
);

export const VIEW_COLUMNS = [
  "number",
  "subject",
  "requester",
  "organization",
  "status",
  "priority",
  "type",
  "assignee",
  "group",
  "channel",
  "tags",
  "created_at",
  "updated_at",
  "first_responded_at",
  "solved_at",
] as const;

export const DEFAULT_COLUMNS = [
  "number",
  "subject",
  "requester",
  "status",
  "priority",
  "assignee",
  "updated_at",
];

const ViewColumns = Type.Array(Type.Enum(VIEW_COLUMNS), { minItems: 1, maxItems: 20, uniqueItems: true });
const Name = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: readablePattern("\\S", "must not be blank"),
});

export const ViewCreate = Type.Object(
  {
    name: Name,
    // Shared views belong to the workspace (admins only); others are the creator's own.
    shared: Type.Optional(Type.Boolean({ default: false })),
    filters: Type.Optional(ViewFilters),
    sort: Type.Optional(ViewSort),
    columns: Type.Optional(ViewColumns),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  },
  { additionalProperties: false },
);

export const ViewUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    filters: Type.Optional(ViewFilters),
    sort: Type.Optional(ViewSort),
    columns: Type.Optional(ViewColumns),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ViewParams = Type.Object({ id: Id });

export const ViewView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  shared: Type.Boolean(),
  ownerId: Type.Union([Type.Integer(), Type.Null()]),
  filters: Type.Record(Type.String(), Type.Unknown()),
  sort: ViewSort,
  columns: Type.Array(Type.String()),
  position: Type.Integer(),
  // Tickets the viewer may see that match, counted up to COUNT_CAP; countCapped means "or more".
  count: Type.Integer(),
  countCapped: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});

const PageFields = {
  // Override the view's own sort for this run (a column header clicked in the app).
  sort: Type.Optional(Type.Enum(VIEW_SORT_FIELDS)),
  direction: Type.Optional(Type.Enum(["asc", "desc"])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 400 })),
};

export const ViewTicketsQuery = Type.Object(PageFields, { additionalProperties: false });

// Filters not saved yet: the app lists them while an agent edits a view, before "Save as view".
export const ViewPreviewQuery = Type.Object(
  {
    ...TicketFilterFields,
    createdWithinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    updatedWithinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    ...PageFields,
  },
  { additionalProperties: false },
);
