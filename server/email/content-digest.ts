import { createHash } from "node:crypto";

// What makes two deliveries the same mail. A Message-ID alone does not: broken mailers, and
// ticketing and monitoring tools, give different mails the same one. So a mail is known by its
// Message-ID together with a digest of what its author wrote, taken over what stays the same
// whichever way the mail travelled:
// - these header fields, unfolded, runs of white space made one space;
// - the body, every part of it as it was sent, with line ends made LF and the white space at the
//   end of each line, and the empty lines at the end, dropped (relays rewrite both).
// Every other header is left out: those that each hop adds (Received, DKIM-Signature, ARC-*,
// Authentication-Results, Return-Path, Delivered-To, X-* of relays and filters) and the envelope.
// The digest is read from the bytes, not from the parsed mail, so that a better parser (a
// charset decoded differently) never turns a redelivery of an old mail into a new one.
// Not the same by this rule: a mail a relay re-encoded (8bit made quoted-printable) or to which a
// list added a footer. Such a copy becomes a second message, not a lost one.
const DIGESTED_HEADERS = ["from", "date", "subject", "content-type", "content-transfer-encoding"];

// The header block ends at the first empty line.
function splitMessage(raw: Buffer): { head: string; body: Buffer } {
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  let end = -1;
  let gap = 0;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) [end, gap] = [crlf, 4];
  else if (lf >= 0) [end, gap] = [lf, 2];
  if (end < 0) return { head: raw.toString("latin1"), body: Buffer.alloc(0) };
  return { head: raw.subarray(0, end).toString("latin1"), body: raw.subarray(end + gap) };
}

// Header fields by lower-case name, unfolded, in the order they appear. latin1 keeps every byte.
function headerFields(head: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const line of head.replace(/\r?\n(?=[ \t])/g, "").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line
      .slice(colon + 1)
      .replace(/\s+/g, " ")
      .trim();
    fields.set(name, [...(fields.get(name) ?? []), value]);
  }
  return fields;
}

function normalizedBody(body: Buffer): string {
  const lines = body.toString("latin1").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) lines[i] = lines[i].replace(/[ \t]+$/, "");
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.join("\n");
}

export interface MailIdentity {
  // The Message-ID as written between its angle brackets, or null when the mail has none.
  messageId: string | null;
  // Hex SHA-256 over the fields above and the body.
  digest: string;
  // Whether the mail has a Date: without Message-ID and Date, nothing tells two mails of the
  // same text apart, and the digest alone must not make them one.
  dated: boolean;
}

export function mailIdentity(raw: Buffer): MailIdentity {
  const { head, body } = splitMessage(raw);
  const fields = headerFields(head.length > 256 * 1024 ? head.slice(0, 256 * 1024) : head);
  const hash = createHash("sha256");
  for (const name of DIGESTED_HEADERS) {
    for (const value of fields.get(name) ?? []) hash.update(`${name}:${value}\n`, "latin1");
  }
  hash.update("\n");
  hash.update(normalizedBody(body), "latin1");
  const header = fields.get("message-id")?.[0] ?? null;
  const messageId = header ? (/<[^<>\s]+>/.exec(header)?.[0] ?? header).slice(0, 998) || null : null;
  return { messageId, digest: hash.digest("hex"), dated: (fields.get("date")?.[0] ?? "") !== "" };
}
