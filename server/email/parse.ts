import PostalMime, { type Email, type Attachment as PostalAttachment } from "postal-mime";
import { type AutoInfo, detectAuto } from "./auto-detect.ts";
import { repairCharsets } from "./charset-repair.ts";
import "./flowed-text.ts";
import { markQuotedHistory } from "./html-quotes.ts";
import { type Address, mailboxes, senderFromHeaders } from "./mail-addresses.ts";
import { nameForPart } from "./part-names.ts";
import { splitReply } from "./reply-split.ts";
import { htmlToPlainText, sanitizeEmailHtml } from "./sanitize-email.ts";

export type { Address };

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
  // Why `from` is null, in words for the failed-mail list.
  fromProblem: string | null;
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

// A file name is the sender's to choose, so only its last path component is kept, without
// control characters; a part without one is named from what it is (part-names.ts).
function safeFilename(name: string | null): string | null {
  const base = (name ?? "")
    .split(/[/\\]/)
    .pop()
    ?.replace(/\p{Cc}/gu, "")
    .trim();
  return base && base !== "." && base !== ".." ? base.slice(0, 255) : null;
}

// postal-mime hands an attachment the very ArrayBuffer of its part, so the part's other headers
// (Content-Location, which it does not expose) are found by that identity.
function contentLocations(parser: PostalMime): WeakMap<ArrayBuffer, string> {
  const found = new WeakMap<ArrayBuffer, string>();
  type Node = {
    headers?: { key: string; value: string }[];
    childNodes?: Node[];
    content?: ArrayBuffer | null;
  };
  const visit = (node: Node | undefined, depth: number) => {
    if (!node || depth > 100) return;
    const location = node.headers?.find((h) => h.key === "content-location")?.value;
    if (location && node.content) found.set(node.content, location);
    for (const child of node.childNodes ?? []) visit(child, depth + 1);
  };
  visit((parser as unknown as { root?: Node }).root, 0);
  return found;
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
  const parser = new PostalMime({ attachmentEncoding: "arraybuffer" });
  const email = await parser.parse(repairCharsets(raw));
  const locations = contentLocations(parser);
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
    const content = bytesOf(a.content);
    const contentType = a.mimeType || "application/octet-stream";
    const contentLocation = a.content instanceof ArrayBuffer ? (locations.get(a.content) ?? null) : null;
    return {
      filename:
        safeFilename(a.filename) ?? nameForPart({ contentType, content, contentId, contentLocation }, i),
      contentType,
      content,
      contentId,
      inline: referenced || (a.related === true && contentId !== null && a.disposition !== "attachment"),
    };
  });
  const { from, problem: fromProblem } = senderFromHeaders(headers.from ?? [], headers.sender ?? []);
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
    fromProblem,
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
