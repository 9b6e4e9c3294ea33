import { Type } from "typebox";
import type { SecretBox } from "../auth/secret-box.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { MailboxInbound } from "../db/types.ts";
import { invalid, notFound } from "../http/errors.ts";

export const MailboxSettings = Type.Object(
  {
    // A reply whose sender is not on the ticket: open a new ticket, or append it flagged for review.
    nonParticipantReplies: Type.Optional(Type.Enum(["new_ticket", "append_flagged"])),
    // A reply whose subject no longer matches the ticket's starts a new ticket.
    newTicketOnSubjectChange: Type.Optional(Type.Boolean()),
    // Send the "ticket received" mail to customers who open a ticket by email.
    sendReceipt: Type.Optional(Type.Boolean()),
    // Mail with mailing-list headers (List-Id, List-Unsubscribe, Precedence: list) opens tickets
    // like any other, for a support address behind a Google Group or another list. Off: such
    // mail is bulk and ignored.
    acceptListMail: Type.Optional(Type.Boolean()),
    // Mail a machine wrote on its own (a monitoring alert, an ITSM notification, bulk mail; see
    // auto-detect.ts): "ticket" opens tickets marked automated and never answered automatically,
    // "ignore" drops it, with the reason shown in Mail problems.
    automatedMail: Type.Optional(Type.Enum(["ticket", "ignore"])),
  },
  { additionalProperties: false },
);

export const ImapSettings = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 255 }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    secure: Type.Optional(Type.Boolean()),
    user: Type.String({ minLength: 1, maxLength: 320 }),
    auth: Type.Optional(Type.Enum(["password", "oauth2"])),
    folder: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    // Write-only: stored encrypted, never returned.
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    accessToken: Type.Optional(Type.String({ minLength: 1, maxLength: 8192 })),
  },
  { additionalProperties: false },
);

export const SmtpSettings = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 255 }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    secure: Type.Optional(Type.Boolean()),
    user: Type.Optional(Type.String({ maxLength: 320 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  },
  { additionalProperties: false },
);

export const MailboxView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  address: Type.String(),
  groupId: Type.Union([Type.Integer(), Type.Null()]),
  inbound: Type.Enum(["smtp", "imap", "upload"]),
  imap: Type.Union([
    Type.Object({
      host: Type.String(),
      port: Type.Integer(),
      secure: Type.Boolean(),
      user: Type.String(),
      auth: Type.String(),
      folder: Type.String(),
      hasSecret: Type.Boolean(),
    }),
    Type.Null(),
  ]),
  smtp: Type.Union([
    Type.Object({
      host: Type.String(),
      port: Type.Integer(),
      secure: Type.Boolean(),
      user: Type.Union([Type.String(), Type.Null()]),
      hasSecret: Type.Boolean(),
    }),
    Type.Null(),
  ]),
  settings: Type.Object({
    nonParticipantReplies: Type.Enum(["new_ticket", "append_flagged"]),
    newTicketOnSubjectChange: Type.Boolean(),
    sendReceipt: Type.Boolean(),
    acceptListMail: Type.Boolean(),
    automatedMail: Type.Enum(["ticket", "ignore"]),
  }),
  active: Type.Boolean(),
  // The last failure to fetch mail (IMAP sign-in refused, server unreachable); null once it works.
  inboundError: Type.Union([
    Type.Object({ message: Type.String(), at: Type.String({ format: "date-time" }) }),
    Type.Null(),
  ]),
  createdAt: Type.String({ format: "date-time" }),
});

export interface ResolvedSettings {
  nonParticipantReplies: "new_ticket" | "append_flagged";
  newTicketOnSubjectChange: boolean;
  sendReceipt: boolean;
  acceptListMail: boolean;
  automatedMail: "ticket" | "ignore";
}

export function resolveSettings(settings: Record<string, unknown>): ResolvedSettings {
  return {
    nonParticipantReplies: settings.nonParticipantReplies === "new_ticket" ? "new_ticket" : "append_flagged",
    newTicketOnSubjectChange: settings.newTicketOnSubjectChange === true,
    sendReceipt: settings.sendReceipt !== false,
    acceptListMail: settings.acceptListMail === true,
    automatedMail: settings.automatedMail === "ignore" ? "ignore" : "ticket",
  };
}

type MailboxRow = {
  id: number;
  name: string;
  address: string;
  group_id: number | null;
  inbound: MailboxInbound;
  imap: Record<string, unknown> | null;
  imap_secret: string | null;
  smtp: Record<string, unknown> | null;
  smtp_secret: string | null;
  settings: Record<string, unknown>;
  active: boolean;
  inbound_error?: string | null;
  inbound_error_at?: Date | null;
  created_at: Date;
};

export function presentMailbox(m: MailboxRow) {
  const imap = m.imap;
  const smtp = m.smtp;
  return {
    id: m.id,
    name: m.name,
    address: m.address,
    groupId: m.group_id,
    inbound: m.inbound,
    imap: imap
      ? {
          host: String(imap.host),
          port: Number(imap.port),
          secure: imap.secure !== false,
          user: String(imap.user),
          auth: String(imap.auth ?? "password"),
          folder: String(imap.folder ?? "INBOX"),
          hasSecret: m.imap_secret !== null,
        }
      : null,
    smtp: smtp
      ? {
          host: String(smtp.host),
          port: Number(smtp.port),
          secure: smtp.secure === true,
          user: typeof smtp.user === "string" ? smtp.user : null,
          hasSecret: m.smtp_secret !== null,
        }
      : null,
    settings: resolveSettings(m.settings),
    active: m.active,
    inboundError:
      m.inbound_error && m.inbound_error_at
        ? { message: m.inbound_error, at: m.inbound_error_at.toISOString() }
        : null,
    createdAt: m.created_at.toISOString(),
  };
}

export interface MailboxInput {
  name?: string;
  address?: string;
  groupId?: number | null;
  inbound?: MailboxInbound;
  imap?: {
    host: string;
    port?: number;
    secure?: boolean;
    user: string;
    auth?: string;
    folder?: string;
    password?: string;
    accessToken?: string;
  } | null;
  smtp?: { host: string; port?: number; secure?: boolean; user?: string; password?: string } | null;
  settings?: Record<string, unknown>;
  active?: boolean;
}

function imapColumns(box: SecretBox, imap: MailboxInput["imap"]) {
  if (imap === undefined) return {};
  if (imap === null) return { imap: null, imap_secret: null };
  const secure = imap.secure ?? true;
  const auth = imap.auth ?? "password";
  const secret = auth === "oauth2" ? imap.accessToken : imap.password;
  const settings = {
    host: imap.host,
    port: imap.port ?? (secure ? 993 : 143),
    secure,
    user: imap.user,
    auth,
    folder: imap.folder ?? "INBOX",
  };
  return { imap: JSON.stringify(settings), ...(secret ? { imap_secret: box.seal(secret) } : {}) };
}

function smtpColumns(box: SecretBox, smtp: MailboxInput["smtp"]) {
  if (smtp === undefined) return {};
  if (smtp === null) return { smtp: null, smtp_secret: null };
  const secure = smtp.secure ?? false;
  const settings = {
    host: smtp.host,
    port: smtp.port ?? (secure ? 465 : 587),
    secure,
    user: smtp.user ?? null,
  };
  return {
    smtp: JSON.stringify(settings),
    ...(smtp.password ? { smtp_secret: box.seal(smtp.password) } : {}),
  };
}

async function checkGroup(db: Db, workspaceId: number, groupId: number | null | undefined) {
  if (groupId === null || groupId === undefined) return;
  const group = await db
    .selectFrom("groups")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", groupId)
    .executeTakeFirst();
  if (!group)
    throw invalid([{ path: "groupId", message: `There is no group with id ${groupId} in this workspace.` }]);
}

export async function createMailbox(
  db: Db,
  box: SecretBox,
  workspaceId: number,
  input: MailboxInput & { name: string; address: string },
) {
  if (input.inbound === "imap" && !input.imap)
    throw invalid([{ path: "imap", message: "An IMAP mailbox needs its IMAP server settings." }]);
  return inTransaction(db, async (trx) => {
    await checkGroup(trx, workspaceId, input.groupId);
    return trx
      .insertInto("mailboxes")
      .values({
        workspace_id: workspaceId,
        name: input.name,
        address: input.address.trim().toLowerCase(),
        group_id: input.groupId ?? null,
        inbound: input.inbound ?? "smtp",
        settings: JSON.stringify(input.settings ?? {}),
        ...imapColumns(box, input.imap),
        ...smtpColumns(box, input.smtp),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export async function updateMailbox(
  db: Db,
  box: SecretBox,
  workspaceId: number,
  id: number,
  input: MailboxInput,
) {
  return inTransaction(db, async (trx) => {
    const current = await trx
      .selectFrom("mailboxes")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound("mailbox");
    await checkGroup(trx, workspaceId, input.groupId);
    const inbound = input.inbound ?? current.inbound;
    const hasImap = input.imap !== undefined ? input.imap !== null : current.imap !== null;
    if (inbound === "imap" && !hasImap)
      throw invalid([{ path: "imap", message: "An IMAP mailbox needs its IMAP server settings." }]);
    return trx
      .updateTable("mailboxes")
      .set({
        name: input.name,
        address: input.address?.trim().toLowerCase(),
        group_id: input.groupId,
        inbound: input.inbound,
        settings: input.settings ? JSON.stringify({ ...current.settings, ...input.settings }) : undefined,
        active: input.active,
        updated_at: new Date(),
        ...imapColumns(box, input.imap),
        ...smtpColumns(box, input.smtp),
      })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}
