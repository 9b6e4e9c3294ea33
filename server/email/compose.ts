import type { Readable } from "node:stream";
import type { Selectable } from "kysely";
import type { SendMailOptions } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import type { SecretBox } from "../auth/secret-box.ts";
import type { OutboundEmailTable } from "../db/types.ts";

export type OutboundRow = Selectable<OutboundEmailTable>;

export interface SendingMailbox {
  name: string;
  address: string;
  smtp: Record<string, unknown> | null;
  smtp_secret: string | null;
}

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Readable;
}

// Our own inbound path drops mail carrying its workspace's loop header, so a reply that comes
// straight back (an alias pointing at the mailbox, a forwarding rule) is never answered again.
export const LOOP_HEADER = "X-Parley-Loop";

// The mail as nodemailer builds it: everything comes from the row, fixed when it was queued, so
// a retry repeats the same Message-ID, Date, headers and body and receivers can tell the copies
// apart from new mail.
export function composeMail(
  row: OutboundRow,
  mailbox: Pick<SendingMailbox, "name" | "address">,
  attachments: OutgoingAttachment[],
): SendMailOptions {
  const headers: Record<string, string> = { [LOOP_HEADER]: String(row.workspace_id) };
  if (row.auto_submitted) {
    headers["Auto-Submitted"] = row.auto_submitted;
    // Out-of-office replies to a system mail would only come back as noise.
    headers["X-Auto-Response-Suppress"] = "All";
  }
  return {
    from: { name: row.from_name || mailbox.name, address: mailbox.address },
    replyTo: mailbox.address,
    to: row.recipients.to,
    cc: row.recipients.cc.length ? row.recipients.cc : undefined,
    subject: row.subject,
    messageId: row.message_id_header,
    date: row.created_at,
    inReplyTo: row.in_reply_to ?? undefined,
    references: row.reference_ids.length ? row.reference_ids : undefined,
    text: row.body_text,
    html: row.body_html ?? undefined,
    headers,
    attachments: attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
    })),
    // Bounces come back to the mailbox, where inbound processing reads them.
    envelope: {
      from: mailbox.address,
      to: [...row.recipients.to, ...row.recipients.cc],
    },
  };
}

// Slow servers get a minute per step; the send job's own expiry is longer, so an attempt fails
// on its own terms before pg-boss gives up on it.
const TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

// The mailbox's own SMTP server when it has one, else the installation's relay; null when
// neither is set, which fails the attempt with a reason an admin can act on.
export function transportOptions(
  mailbox: SendingMailbox,
  box: SecretBox,
  relayUrl: string | null,
): SMTPTransport.Options | null {
  const smtp = mailbox.smtp;
  if (smtp && typeof smtp.host === "string") {
    const user = typeof smtp.user === "string" && smtp.user ? smtp.user : null;
    const password = mailbox.smtp_secret ? box.open(mailbox.smtp_secret) : null;
    return {
      host: smtp.host,
      port: Number(smtp.port ?? 587),
      secure: smtp.secure === true,
      auth: user && password ? { user, pass: password } : undefined,
      ...TIMEOUTS,
    };
  }
  if (relayUrl) {
    const url = new URL(relayUrl);
    const secure = url.protocol === "smtps:";
    return {
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      ...TIMEOUTS,
    };
  }
  return null;
}
