import { Readable } from "node:stream";
import type { Db } from "../db/connection.ts";
import { cleanFilename, HEAD_BYTES, storedContentType } from "../files/file-types.ts";
import type { FileStore } from "../files/store.ts";
import type { Address, ParsedEmail } from "./parse.ts";
import { canonicalMessageId } from "./threading.ts";

// How a mail becomes a message: the new text as the body, the full sanitized HTML, and everything
// else a reader may want (quoted history, signature, headers, who it went to) in channel_meta.

// Headers kept on the message for agents and automations; the raw mail keeps the rest.
const KEPT_HEADERS = [
  "date",
  "auto-submitted",
  "precedence",
  "list-id",
  "x-mailer",
  "user-agent",
  "x-priority",
  "importance",
];
const MAX_ATTACHMENTS = 100;
// Every recipient is kept on the message up to this many per field (a mail to 500 addresses keeps
// all 500); past it the count of those left out is stored, and shown, beside the list. The header
// size limit of the parser bounds a field to about 40,000 addresses, which would make one message
// megabytes of JSON.
export const MAX_RECIPIENTS_KEPT = 2000;
const MAX_REFERENCES = 20;

export interface StoredAttachments {
  ids: number[];
  // Content-ID (without brackets) to attachment id, for the cid: URLs of inline images.
  inline: Record<string, number>;
}

const bareContentId = (id: string) => id.trim().replace(/^<+|>+$/g, "");

// Files go to the store before their rows exist: if the transaction then fails, the caller
// deletes the keys it was given in `written`, so no file outlives a rolled-back message.
export async function storeAttachments(
  trx: Db,
  store: FileStore,
  workspaceId: number,
  parsed: ParsedEmail,
  written: string[],
): Promise<StoredAttachments> {
  const result: StoredAttachments = { ids: [], inline: {} };
  for (const part of parsed.attachments.slice(0, MAX_ATTACHMENTS)) {
    const bytes = Buffer.from(part.content.buffer, part.content.byteOffset, part.content.byteLength);
    const stored = await store.put(Readable.from([bytes]));
    written.push(stored.key);
    const row = await trx
      .insertInto("attachments")
      .values({
        workspace_id: workspaceId,
        message_id: null,
        filename: cleanFilename(part.filename),
        content_type: storedContentType(part.contentType, bytes.subarray(0, HEAD_BYTES)),
        size: stored.size,
        sha256: stored.sha256,
        storage_key: stored.key,
        uploaded_by_user_id: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    result.ids.push(row.id);
    if (part.contentId) result.inline[bareContentId(part.contentId)] = row.id;
  }
  return result;
}

// Inline images point at their attachment, which the agent app loads from Parley itself: the
// mail's own cid: URLs mean nothing to a browser.
export function resolveInlineImages(html: string | null, inline: Record<string, number>): string | null {
  if (html === null) return null;
  return html.replace(
    /(\ssrc\s*=\s*["'])cid:([^"']+)(["'])/gi,
    (whole, open: string, id: string, close: string) => {
      let key = id;
      try {
        key = decodeURIComponent(id);
      } catch {
        // a malformed escape: look the id up as written
      }
      const attachmentId = inline[bareContentId(key)];
      return attachmentId === undefined ? whole : `${open}/api/v1/attachments/${attachmentId}${close}`;
    },
  );
}

const presentAddress = (a: Address) => ({ address: a.address.toLowerCase(), name: a.name });

export function messageBody(parsed: ParsedEmail): { body: string; html: string | null } {
  // All of it quoted (a bare forward) or an empty new part: show the whole text rather than nothing.
  const body = parsed.reply.newText.trim() ? parsed.reply.newText : parsed.text;
  return { body, html: parsed.html };
}

export function channelMetaFor(
  parsed: ParsedEmail,
  inbound: { id: number; mailboxId: number },
  attachments: StoredAttachments,
  flagged: string | null,
): Record<string, unknown> {
  const headers: Record<string, string[]> = {};
  for (const name of KEPT_HEADERS) {
    const values = parsed.headers[name];
    if (values?.length) headers[name] = values.slice(0, 5).map((v) => v.slice(0, 1000));
  }
  const omitted = {
    to: Math.max(0, parsed.to.length - MAX_RECIPIENTS_KEPT),
    cc: Math.max(0, parsed.cc.length - MAX_RECIPIENTS_KEPT),
    replyTo: Math.max(0, parsed.replyTo.length - MAX_RECIPIENTS_KEPT),
  };
  return {
    from: parsed.from ? presentAddress(parsed.from) : null,
    replyTo: parsed.replyTo.slice(0, MAX_RECIPIENTS_KEPT).map(presentAddress),
    to: parsed.to.slice(0, MAX_RECIPIENTS_KEPT).map(presentAddress),
    cc: parsed.cc.slice(0, MAX_RECIPIENTS_KEPT).map(presentAddress),
    ...(omitted.to || omitted.cc || omitted.replyTo ? { recipientsOmitted: omitted } : {}),
    subject: parsed.subject,
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : null,
    messageId: parsed.messageId ? canonicalMessageId(parsed.messageId) : null,
    inReplyTo: parsed.inReplyTo.slice(0, 5).map(canonicalMessageId),
    references: parsed.references.slice(-MAX_REFERENCES).map(canonicalMessageId),
    headers,
    // Collapsed under the new text in the agent app; kept so nothing the customer sent is lost.
    quotedText: parsed.reply.quotedText,
    signature: parsed.reply.signature,
    inline: attachments.inline,
    inboundId: inbound.id,
    mailboxId: inbound.mailboxId,
    ...(flagged ? { flagged } : {}),
  };
}
