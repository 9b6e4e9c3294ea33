import { Type } from "typebox";

// What the bell shows, in one request: no per-item lookups of the ticket, the actor or the note.
export const NotificationView = Type.Object({
  id: Type.Integer(),
  // "ticket_assigned" or "mentioned" today; clients should show unknown kinds generically.
  kind: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  readAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  ticket: Type.Object({ id: Type.Integer(), number: Type.Integer(), subject: Type.String() }),
  // Who caused it; null for Parley itself (an automation, an import).
  actor: Type.Union([
    Type.Object({
      type: Type.String(),
      id: Type.Union([Type.Integer(), Type.Null()]),
      name: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  // For mentions: a short piece of the note's plain text around the mention.
  excerpt: Type.Union([Type.String(), Type.Null()]),
});

export const NotificationListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  unread: Type.Optional(Type.Boolean()),
});

export const NotificationPage = Type.Object({
  data: Type.Array(NotificationView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const UnreadCount = Type.Object({ unreadCount: Type.Integer() });

export const MAX_MARK_READ = 100;

export const MarkReadBody = Type.Object(
  {
    ids: Type.Array(Type.Integer({ minimum: 1, maximum: 2 ** 52 }), {
      minItems: 1,
      maxItems: MAX_MARK_READ,
    }),
  },
  { additionalProperties: false },
);

export const MarkReadResult = Type.Object({
  // How many of the given ids were yours and unread until now.
  updated: Type.Integer(),
  unreadCount: Type.Integer(),
});
