import { Type } from "typebox";
import { readablePattern } from "../http/pattern-messages.ts";

export const TICKET_STATUSES = ["new", "open", "pending", "on_hold", "solved", "closed"] as const;
export const TICKET_PRIORITIES = ["low", "normal", "high", "urgent"] as const;
export const TICKET_TYPES = ["question", "incident", "problem", "task", "feature_request"] as const;

export const Status = Type.Enum(TICKET_STATUSES);
export const Priority = Type.Enum(TICKET_PRIORITIES);
export const TicketType = Type.Enum(TICKET_TYPES);
export const Id = Type.Integer({ minimum: 1, maximum: 2 ** 52 });
export const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 });
export const CustomFieldValues = Type.Record(
  Type.String({
    pattern: readablePattern(
      "^[a-z][a-z0-9_]{0,63}$",
      "must start with a lower-case letter and hold only a-z, 0-9 and _ (at most 64)",
    ),
  }),
  Type.Unknown(),
);

export const TicketParams = Type.Object({ id: Id });

export const TicketView = Type.Object({
  id: Type.Integer(),
  number: Type.Integer(),
  subject: Type.String(),
  status: Status,
  priority: Priority,
  type: TicketType,
  requesterId: Type.Integer(),
  organizationId: Type.Union([Type.Integer(), Type.Null()]),
  assigneeId: Type.Union([Type.Integer(), Type.Null()]),
  groupId: Type.Union([Type.Integer(), Type.Null()]),
  channel: Type.String(),
  tags: Type.Array(Type.String()),
  customFields: Type.Record(Type.String(), Type.Unknown()),
  problemId: Type.Union([Type.Integer(), Type.Null()]),
  mergedIntoId: Type.Union([Type.Integer(), Type.Null()]),
  followUpOfId: Type.Union([Type.Integer(), Type.Null()]),
  version: Type.Integer(),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  firstRespondedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  solvedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  closedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});

export const Requester = Type.Union([
  Type.Object({ id: Id }, { additionalProperties: false }),
  Type.Object(
    {
      email: Type.String({ format: "email", maxLength: 320 }),
      name: Type.Optional(Type.String({ maxLength: 200 })),
    },
    { additionalProperties: false },
  ),
]);

export const MessageBody = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: 1_000_000 }),
    html: Type.Optional(Type.String({ maxLength: 2_000_000 })),
    public: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

export const TicketCreate = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 500 }),
    requester: Type.Optional(Requester),
    status: Type.Optional(Status),
    priority: Type.Optional(Priority),
    type: Type.Optional(TicketType),
    assigneeId: Type.Optional(Type.Union([Id, Type.Null()])),
    groupId: Type.Optional(Type.Union([Id, Type.Null()])),
    tags: Type.Optional(Tags),
    customFields: Type.Optional(CustomFieldValues),
    channel: Type.Optional(
      Type.String({ pattern: readablePattern("^[a-z_]{1,32}$", "must hold only a-z and _ (at most 32)") }),
    ),
    comment: MessageBody,
  },
  { additionalProperties: false },
);

export const TicketUpdate = Type.Object(
  {
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    status: Type.Optional(Status),
    priority: Type.Optional(Priority),
    type: Type.Optional(TicketType),
    requesterId: Type.Optional(Id),
    assigneeId: Type.Optional(Type.Union([Id, Type.Null()])),
    groupId: Type.Optional(Type.Union([Id, Type.Null()])),
    tags: Type.Optional(Tags),
    addTags: Type.Optional(Tags),
    removeTags: Type.Optional(Tags),
    customFields: Type.Optional(CustomFieldValues),
    problemId: Type.Optional(Type.Union([Id, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const TicketListQuery = Type.Object(
  {
    status: Type.Optional(Type.Array(Status)),
    assigneeId: Type.Optional(Type.Union([Id, Type.Literal("me"), Type.Literal("none")])),
    groupId: Type.Optional(Type.Union([Id, Type.Literal("none")])),
    requesterId: Type.Optional(Id),
    organizationId: Type.Optional(Id),
    tag: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
    priority: Type.Optional(Type.Array(Priority)),
    createdAfter: Type.Optional(Type.String({ format: "date-time" })),
    createdBefore: Type.Optional(Type.String({ format: "date-time" })),
    updatedAfter: Type.Optional(Type.String({ format: "date-time" })),
    updatedBefore: Type.Optional(Type.String({ format: "date-time" })),
    sort: Type.Optional(
      Type.Union([Type.Literal("updated_at"), Type.Literal("created_at"), Type.Literal("number")], {
        default: "updated_at",
      }),
    ),
    direction: Type.Optional(Type.Union([Type.Literal("asc"), Type.Literal("desc")], { default: "desc" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const TicketPage = Type.Object({
  data: Type.Array(TicketView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const AttachmentView = Type.Object({
  id: Type.Integer(),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  url: Type.String(),
});

const EmailAddress = Type.Object({ address: Type.String(), name: Type.String() });

export const MessageView = Type.Object({
  id: Type.Integer(),
  ticketId: Type.Integer(),
  kind: Type.Union([Type.Literal("reply"), Type.Literal("note"), Type.Literal("system")]),
  direction: Type.Union([Type.Literal("in"), Type.Literal("out"), Type.Null()]),
  author: Type.Object({
    type: Type.Union([Type.Literal("contact"), Type.Literal("user"), Type.Literal("system")]),
    id: Type.Union([Type.Integer(), Type.Null()]),
  }),
  body: Type.String(),
  html: Type.Union([Type.String(), Type.Null()]),
  channel: Type.String(),
  attachments: Type.Array(AttachmentView),
  delivery: Type.Union([
    Type.Object({
      // The outbound mail's id, for POST /api/v1/outbound-emails/:id/retry.
      outboundId: Type.Integer(),
      status: Type.Enum(["queued", "sending", "sent", "failed", "bounced"]),
      attempts: Type.Integer(),
      lastError: Type.Union([Type.String(), Type.Null()]),
      sentAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
      // The addresses the mail went from and to (every recipient when sent to several apart).
      from: EmailAddress,
      to: Type.Array(Type.String()),
      cc: Type.Array(Type.String()),
    }),
    Type.Null(),
  ]),
  // Set for a mail that came in: who it was from and to, and the quoted history and signature
  // split off the body (for the agent app to show collapsed). `flagged` is "non_participant" for a
  // reply from someone not on the ticket. `replyTo` is where the mail asked replies to go: when
  // set, the requester is that address rather than From. `recipientsOmitted` counts addresses
  // past the 2,000 kept per field (0 almost always). `automated` is the sign that a machine wrote
  // the mail on its own (a monitoring alert, an ITSM notification): "auto-submitted: auto-generated".
  email: Type.Union([
    Type.Object({
      from: Type.Union([EmailAddress, Type.Null()]),
      replyTo: Type.Array(EmailAddress),
      to: Type.Array(EmailAddress),
      cc: Type.Array(EmailAddress),
      recipientsOmitted: Type.Object({
        to: Type.Integer({ minimum: 0 }),
        cc: Type.Integer({ minimum: 0 }),
        replyTo: Type.Integer({ minimum: 0 }),
      }),
      subject: Type.String(),
      quotedText: Type.String(),
      signature: Type.String(),
      flagged: Type.Union([Type.String(), Type.Null()]),
      automated: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  createdAt: Type.String({ format: "date-time" }),
});

export const MessageCreate = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: 1_000_000 }),
    html: Type.Optional(Type.String({ maxLength: 2_000_000 })),
    kind: Type.Optional(Type.Union([Type.Literal("reply"), Type.Literal("note")], { default: "reply" })),
    status: Type.Optional(Status),
    attachmentIds: Type.Optional(Type.Array(Id, { maxItems: 50 })),
  },
  { additionalProperties: false },
);

// What a customer (a contact) is shown of a ticket and its messages: see present-customer.ts.
export const CustomerTicketView = Type.Object(
  {
    id: Type.Integer(),
    number: Type.Integer(),
    subject: Type.String(),
    status: Status,
    requester: Type.Object({ name: Type.String() }),
    organization: Type.Union([Type.Object({ name: Type.String() }), Type.Null()]),
    // Only the fields an admin marked visibleToCustomers.
    customFields: Type.Record(Type.String(), Type.Unknown()),
    createdAt: Type.String({ format: "date-time" }),
    updatedAt: Type.String({ format: "date-time" }),
    solvedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
    closedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  },
  { title: "CustomerTicketView" },
);

export const CustomerMessageView = Type.Object(
  {
    id: Type.Integer(),
    ticketId: Type.Integer(),
    // An agent is shown by display name only; a system author has no name.
    author: Type.Object({
      type: Type.Union([Type.Literal("contact"), Type.Literal("user"), Type.Literal("system")]),
      name: Type.Union([Type.String(), Type.Null()]),
    }),
    body: Type.String(),
    html: Type.Union([Type.String(), Type.Null()]),
    attachments: Type.Array(AttachmentView),
    createdAt: Type.String({ format: "date-time" }),
  },
  { title: "CustomerMessageView" },
);

// Routes that customers call too answer agents with the full view and customers with theirs.
// The full view comes first: the serializer takes the first schema a value matches.
export const TicketViewFor = Type.Union([TicketView, CustomerTicketView]);
export const MessageViewFor = Type.Union([MessageView, CustomerMessageView]);

export const TicketPageFor = Type.Object({
  data: Type.Array(TicketViewFor),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const MessageCreated = Type.Object({ message: MessageViewFor, ticket: TicketViewFor });
