import type { Selectable } from "kysely";
import type { Db } from "../db/connection.ts";
import type { AttachmentTable, MessageTable, TicketTable } from "../db/types.ts";
import { type Delivery, deliveryByMessage } from "../email/outbox.ts";

export type TicketRow = Omit<Selectable<TicketTable>, "search_vector">;
export type MessageRow = Omit<Selectable<MessageTable>, "search_vector">;

export const TICKET_COLUMNS = [
  "workspace_id",
  "id",
  "number",
  "subject",
  "status",
  "priority",
  "type",
  "requester_id",
  "organization_id",
  "assignee_id",
  "group_id",
  "channel",
  "tags",
  "custom_fields",
  "problem_id",
  "merged_into_id",
  "follow_up_of_id",
  "version",
  "created_at",
  "updated_at",
  "first_responded_at",
  "solved_at",
  "closed_at",
] as const;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentTicket(t: TicketRow) {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    type: t.type,
    requesterId: t.requester_id,
    organizationId: t.organization_id,
    assigneeId: t.assignee_id,
    groupId: t.group_id,
    channel: t.channel,
    tags: t.tags,
    customFields: t.custom_fields,
    problemId: t.problem_id,
    mergedIntoId: t.merged_into_id,
    followUpOfId: t.follow_up_of_id,
    version: t.version,
    createdAt: t.created_at.toISOString(),
    updatedAt: t.updated_at.toISOString(),
    firstRespondedAt: iso(t.first_responded_at),
    solvedAt: iso(t.solved_at),
    closedAt: iso(t.closed_at),
  };
}

type AttachmentRow = Pick<
  Selectable<AttachmentTable>,
  "id" | "message_id" | "filename" | "content_type" | "size"
>;

export const presentAttachment = (a: AttachmentRow) => ({
  id: a.id,
  filename: a.filename,
  contentType: a.content_type,
  size: a.size,
  url: `/api/v1/attachments/${a.id}`,
});

// The attachments of these messages, oldest first.
export async function messageAttachments(db: Db, workspaceId: number, messageIds: number[]) {
  if (messageIds.length === 0) return [];
  return db
    .selectFrom("attachments")
    .select(["id", "message_id", "filename", "content_type", "size"])
    .where("workspace_id", "=", workspaceId)
    .where("message_id", "in", messageIds)
    .orderBy("id")
    .execute();
}

export function presentMessage(
  m: MessageRow,
  attachments: AttachmentRow[] = [],
  delivery: Delivery | null = null,
) {
  return {
    id: m.id,
    ticketId: m.ticket_id,
    kind: m.kind,
    direction: m.direction,
    author: {
      type: m.author_type,
      id:
        m.author_type === "user"
          ? m.author_user_id
          : m.author_type === "contact"
            ? m.author_contact_id
            : null,
    },
    body: m.body_text,
    html: m.body_html,
    channel: m.channel,
    attachments: attachments.filter((a) => a.message_id === m.id).map(presentAttachment),
    // Set for a message that went out by email: where that mail is (queued, sent, failed...).
    delivery: delivery
      ? {
          outboundId: delivery.outboundId,
          status: delivery.status,
          attempts: delivery.attempts,
          lastError: delivery.lastError,
          sentAt: delivery.sentAt,
          from: delivery.from,
          to: delivery.to,
          cc: delivery.cc,
        }
      : null,
    email: m.channel === "email" && m.direction === "in" ? inboundEmail(m.channel_meta) : null,
    createdAt: m.created_at.toISOString(),
  };
}

// channel_meta as inbound processing writes it (server/email/inbound-content.ts); read defensively,
// since it is stored JSON.
function inboundEmail(meta: Record<string, unknown>) {
  const address = (a: unknown) => {
    const v = a as { address?: unknown; name?: unknown } | null;
    return v && typeof v.address === "string"
      ? { address: v.address, name: typeof v.name === "string" ? v.name : "" }
      : null;
  };
  const list = (v: unknown) => (Array.isArray(v) ? v.map(address).filter((a) => a !== null) : []);
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  const count = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v > 0 ? v : 0);
  const omitted = (meta.recipientsOmitted ?? {}) as Record<string, unknown>;
  return {
    from: address(meta.from),
    replyTo: list(meta.replyTo),
    to: list(meta.to),
    cc: list(meta.cc),
    recipientsOmitted: { to: count(omitted.to), cc: count(omitted.cc), replyTo: count(omitted.replyTo) },
    subject: text(meta.subject),
    quotedText: text(meta.quotedText),
    signature: text(meta.signature),
    flagged: typeof meta.flagged === "string" ? meta.flagged : null,
    automated: typeof meta.automated === "string" ? meta.automated : null,
  };
}

export async function presentMessages(db: Db, workspaceId: number, messages: MessageRow[]) {
  const attachments = await messageAttachments(
    db,
    workspaceId,
    messages.map((m) => m.id),
  );
  const outbound = messages.some((m) => m.direction === "out")
    ? await deliveryByMessage(
        db,
        workspaceId,
        messages.filter((m) => m.direction === "out").map((m) => m.id),
      )
    : new Map<number, Delivery>();
  return messages.map((m) => presentMessage(m, attachments, outbound.get(m.id) ?? null));
}
