import { Type } from "typebox";
import { readablePattern } from "../http/pattern-messages.ts";
import { Id } from "../tickets/schemas.ts";

// A DNS name with at least one dot ("acme.com", "eu.acme.co.uk"); compared in lower case.
const Domain = Type.String({
  maxLength: 253,
  pattern: readablePattern(
    "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
    "is not a domain name, such as acme.com (no http:// or @)",
  ),
});

const OrganizationFields = {
  name: Type.String({ minLength: 1, maxLength: 200, pattern: readablePattern("\\S", "must not be blank") }),
  domains: Type.Optional(Type.Array(Domain, { maxItems: 50 })),
  notes: Type.Optional(Type.String({ maxLength: 10_000 })),
  attributes: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown())),
  sharedTickets: Type.Optional(Type.Boolean()),
};

export const OrganizationCreate = Type.Object(OrganizationFields, { additionalProperties: false });

export const OrganizationUpdate = Type.Object(
  { ...OrganizationFields, name: Type.Optional(OrganizationFields.name) },
  { additionalProperties: false, minProperties: 1 },
);

export const OrganizationParams = Type.Object({ id: Id });

export const OrganizationList = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 600 })),
  },
  { additionalProperties: false },
);

export const OrganizationView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  domains: Type.Array(Type.String()),
  notes: Type.String(),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  // Its contacts see all of the organization's tickets in the portal, not only their own.
  sharedTickets: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});

export const OrganizationPage = Type.Object({
  data: Type.Array(OrganizationView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
