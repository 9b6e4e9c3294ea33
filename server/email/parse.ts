import PostalMime, {
  type Email,
  type Address as PostalAddress,
  type Attachment as PostalAttachment,
} from "postal-mime";
import { type AutoInfo, detectAuto } from "./auto-detect.ts";
import "./flowed-text.ts";
import { markQuotedHistory } from "./html-quotes.ts";
import { splitReply } from "./reply-split.ts";
import { htmlToPlainText, sanitizeEmailHtml } from "./sanitize-email.ts";

export interface Address {
  address: string;
  name: string;
}

export interface ParsedAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
  // Without angle brackets: <img src="cid:X"> in the HTML refers to the attachment whose
  // contentId is X.
  contentId: string | null;
  // Shown in the body (an image the HTML refers to) rather than listed as a file.
  inline: boolean;
}

export interface ParsedEmail {
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  subject: string;
  from: Address | null;
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  date: Date | null;
  headers: Record<string, string[]>;
  text: string;
  html: string | null;
  reply: { newText: string; quotedText: string; signature: string };
  attachments: ParsedAttachment[];
  auto: AutoInfo;
  // The same verdict for a mailbox that takes list mail as normal mail (its acceptListMail
  // setting): mailing-list headers do not count.
  autoIgnoringLists: AutoInfo;
}

// Mailbox lists flattened: a group ("Team: a@x, b@y;") contributes its members, and entries
// without an address (undisclosed-recipients:;) are dropped.
function mailboxes(list: PostalAddress[] | PostalAddress | undefined): Address[] {
  const out: Address[] = [];
  for (const entry of Array.isArray(list) ? list : list ? [list] : []) {
    const members = entry.group ?? [entry];
    for (const m of members) {
      const address = (m.address ?? "").trim();
      if (address) out.push({ address, name: (m.name ?? "").trim() });
    }
  }
  return out;
}

// Message-IDs in In-Reply-To/References. Some clients omit the angle brackets; a bare token
// with an @ is taken as an id and bracketed so it compares equal to the stored form.
export function messageIds(values: string[]): string[] {
  const ids: string[] = [];
  for (const value of values) {
    const bracketed = value.match(/<[^<>\s]+>/g);
    const found =
      bracketed ??
      value
        .split(/[\s,]+/)
        .filter((t) => /^[^<>\s@]+@[^<>\s@]+$/.test(t))
        .map((t) => `<${t}>`);
    for (const id of found) if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

// Same rule as the dedupe key in accept.ts, so a message's id reads the same everywhere.
function messageIdOf(value: string | undefined): string | null {
  const header = value?.trim();
  if (!header) return null;
  return (/<[^<>\s]+>/.exec(header)?.[0] ?? header).slice(0, 998);
}

const EXTENSIONS: Record<string, string> = {
  "message/rfc822": ".eml",
  "message/delivery-status": ".txt",
  "text/rfc822-headers": ".txt",
  "text/plain": ".txt",
  "text/html": ".html",
  "text/calendar": ".ics",
  "application/pdf": ".pdf",
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/gif": ".gif",
};

// A file name is the sender's to choose, so only its last path component is kept, without
// control characters; a part without one gets a name from its type.
function safeFilename(name: string | null, contentType: string, index: number): string {
  const base = (name ?? "")
    .split(/[/\\]/)
    .pop()
    ?.replace(/\p{Cc}/gu, "")
    .trim();
  if (base && base !== "." && base !== "..") return base.slice(0, 255);
  const stem = contentType === "message/rfc822" ? "message" : "attachment";
  return `${stem}-${index + 1}${EXTENSIONS[contentType] ?? ".bin"}`;
}

const bytesOf = (content: PostalAttachment["content"]): Uint8Array =>
  typeof content === "string"
    ? new TextEncoder().encode(content)
    : content instanceof Uint8Array
      ? content
      : new Uint8Array(content);

function headerMap(email: Email): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const h of email.headers) {
    if (!h.key || !/^[\x21-\x7e]+$/.test(h.key)) continue;
    if (!Object.hasOwn(headers, h.key)) headers[h.key] = [];
    headers[h.key].push(h.value);
  }
  return headers;
}

function dateOf(value: string | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

// Parses a stored raw message. Malformed input yields what can be read (a message with no
// header block parses as an empty-headed text message); only a failure of the MIME library
// itself rejects, and processing records its message as the reason.
export async function parseEmail(raw: Buffer | Uint8Array): Promise<ParsedEmail> {
  const email = await PostalMime.parse(raw, { attachmentEncoding: "arraybuffer" });
  const headers = headerMap(email);
  const subject = (email.subject ?? "").replace(/[\r\n]+/g, " ").trim();
  const rawHtml = email.html ?? null;
  // The quoted history is wrapped before sanitizing, while the client's ids and classes that
  // mark it are still there. The text of an HTML-only mail comes from the HTML as sent: the
  // text split finds the same history by its own rules, without a "> " on every line of it.
  const html = rawHtml?.trim() ? sanitizeEmailHtml(markQuotedHistory(rawHtml, subject)) : null;
  const text = (email.text ?? (rawHtml ? htmlToPlainText(rawHtml) : "")).replace(/\r\n?/g, "\n");
  const attachments = email.attachments.map((a, i): ParsedAttachment => {
    const contentId = a.contentId ? a.contentId.trim().replace(/^<|>$/g, "") || null : null;
    const referenced = contentId !== null && (html?.includes(`cid:${contentId}`) ?? false);
    return {
      filename: safeFilename(a.filename, a.mimeType, i),
      contentType: a.mimeType || "application/octet-stream",
      content: bytesOf(a.content),
      contentId,
      inline: referenced || (a.related === true && contentId !== null && a.disposition !== "attachment"),
    };
  });
  const from = mailboxes(email.from)[0] ?? null;
  const autoInput = {
    headers,
    fromAddress: from?.address ?? null,
    subject,
    text,
    parts: attachments.map((a) => ({ contentType: a.contentType, content: a.content })),
  };
  return {
    messageId: messageIdOf(headers["message-id"]?.[0]),
    inReplyTo: messageIds(headers["in-reply-to"] ?? []),
    references: messageIds(headers.references ?? []),
    subject,
    from,
    replyTo: mailboxes(email.replyTo),
    to: mailboxes(email.to),
    cc: mailboxes(email.cc),
    date: dateOf(headers.date?.[0]),
    headers,
    text,
    html,
    reply: splitReply(text, from),
    attachments,
    auto: detectAuto(autoInput),
    autoIgnoringLists: detectAuto(autoInput, { listMail: "normal" }),
  };
}
