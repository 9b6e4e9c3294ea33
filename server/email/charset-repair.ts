import { mendExtendedParams } from "./extended-params.ts";
import {
  decodeLabelled,
  decodesCleanly,
  decodeUnlabelled,
  hasHighBytes,
  hasIso2022JpEscape,
  isUtf8,
  knownCharset,
  whatwgCharset,
} from "./legacy-charset.ts";
import {
  decodeQuotedPrintable,
  type Entity,
  type Field,
  firstField,
  parseStructured,
  readEntity,
  type Structured,
  splitParts,
} from "./raw-mime.ts";

// postal-mime reads every header line as UTF-8 and every body by its label alone, so a subject in
// raw GB2312 bytes, a body with no charset, or Shift_JIS labelled ISO-2022-JP came out as U+FFFD
// or mojibake. The bytes are only lost inside the parser, so they are mended before it: this walks
// the MIME structure of the raw mail and rewrites what it would misread into what it reads right.
//   - a header field in raw 8-bit bytes that are not UTF-8 becomes UTF-8 (RFC 6532 style);
//   - an encoded word with an unknown label, or whose bytes do not fit its label, becomes a UTF-8
//     encoded word; a malformed one (=?utf-8?B?!!notbase64!!?=) becomes an encoded word of its
//     own literal text, so it reads as written instead of as decoded garbage;
//   - in address fields, a Q-encoded word that carries a bare comma or bracket has them escaped,
//     so the address parser does not split a name ("Bürling, Andreas") into two addresses;
//   - a text body with no charset, an unknown label or a wrong one is re-encoded as UTF-8 base64.
// Everything else keeps its bytes, and a mail with nothing to mend is returned as it came.

interface Edit {
  start: number;
  end: number;
  bytes: Uint8Array;
}

const MAX_DEPTH = 50;
const ascii = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");
const ADDRESS_FIELDS = new Set(["from", "to", "cc", "bcc", "reply-to", "sender"]);
// Fields whose file names may come as RFC 2231 parameters.
const PARAMETER_FIELDS = new Set(["content-type", "content-disposition"]);
const encode = (s: string) => new TextEncoder().encode(s);

const base64Lines = (bytes: Uint8Array) =>
  (
    Buffer.from(bytes)
      .toString("base64")
      .match(/.{1,76}/g) ?? []
  ).join("\r\n");

// Charsets the mail names anywhere (part labels, HTML meta tags): the likeliest reading of its
// unlabelled bytes, since one mailer writes one charset.
function declaredCharsets(buf: Uint8Array): string[] {
  const found = new Set<string>();
  const text = ascii.decode(buf.subarray(0, 4 * 1024 * 1024));
  for (const m of text.matchAll(/charset\s*=\s*["']?([A-Za-z0-9_.:-]+)/gi)) {
    const name = knownCharset(m[1]);
    if (name && !/^(utf-?8|us-ascii|ascii)$/i.test(name) && found.size < 8) found.add(name);
  }
  return [...found];
}

const ENCODED_WORD = /=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=/g;

function wordBytes(encoding: string, text: string): Uint8Array | null {
  if (encoding.toUpperCase() === "B") {
    const data = text.replace(/=+$/, "");
    if (!/^[A-Za-z0-9+/]*$/.test(data) || data.length % 4 === 1) return null;
    return Buffer.from(data, "base64");
  }
  return decodeQuotedPrintable(text.replace(/_/g, " "));
}

const utf8Word = (text: string) => `=?UTF-8?B?${Buffer.from(text, "utf8").toString("base64")}?=`;

// Encoded words of one field value rewritten where postal-mime would misread them; null when none
// needs it.
function mendEncodedWords(value: string, field: string, hints: string[]): string | null {
  const words = [...value.matchAll(ENCODED_WORD)];
  if (words.length === 0) return null;
  const malformed = words.map((w) => wordBytes(w[2], w[3]) === null);
  // The whitespace between word k and the next, when nothing else stands between them.
  const gapAfter = (k: number) => {
    const gap = value.slice(words[k].index + words[k][0].length, words[k + 1].index);
    return /^[ \t\r\n]*$/.test(gap) ? gap.replace(/[\r\n]+/g, "") : "";
  };
  let out = "";
  let pos = 0;
  let changed = false;
  for (let i = 0; i < words.length; ) {
    const start = i;
    // A run: adjacent words of one charset and encoding, whose bytes decode together (a character
    // may be split across two words).
    const first = words[i];
    let j = i + 1;
    while (
      j < words.length &&
      words[j][1] === first[1] &&
      words[j][2].toUpperCase() === first[2].toUpperCase() &&
      /^[ \t\r\n]*$/.test(value.slice(words[j - 1].index + words[j - 1][0].length, words[j].index))
    )
      j++;
    const run = words.slice(i, j);
    const runEnd = run[run.length - 1].index + run[run.length - 1][0].length;
    const parts = run.map((w) => wordBytes(w[2], w[3]));
    out += value.slice(pos, first.index);
    pos = runEnd;
    i = j;
    if (parts.some((p) => p === null)) {
      // Malformed: each bad word stands as its literal text, the good ones as they were. The
      // space between a literal and an encoded word is text too (between two encoded words a
      // decoder drops it), so it goes inside the literal's own word.
      out += run
        .map((w, k) => {
          if (parts[k] !== null) return w[0];
          const at = start + k;
          const before = at > 0 && !malformed[at - 1] ? gapAfter(at - 1) : "";
          return utf8Word(`${before}${w[0]}${at < words.length - 1 ? gapAfter(at) : ""}`);
        })
        .join(" ");
      changed = true;
      continue;
    }
    const bytes = Buffer.concat(parts as Uint8Array[]);
    const label = first[1].replace(/\*.*$/, "");
    const asLabelled = whatwgCharset(label) ? new TextDecoder(label.trim()).decode(bytes) : null;
    if (asLabelled !== null && decodesCleanly(asLabelled)) {
      const raw = value.slice(first.index, runEnd);
      if (ADDRESS_FIELDS.has(field) && first[2].toUpperCase() === "Q" && /[,;:<>"()[\]\\@]/.test(raw)) {
        out += run
          .map(
            (w) =>
              `=?${w[1]}?Q?${w[3].replace(/[,;:<>"()[\]\\@]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase()}`)}?=`,
          )
          .join(" ");
        changed = true;
      } else out += raw;
      continue;
    }
    const found = decodeLabelled(bytes, label, hints);
    if (found) {
      out += utf8Word(found.text);
      changed = true;
    } else out += value.slice(first.index, runEnd);
  }
  out += value.slice(pos);
  return changed ? out : null;
}

// A field's text as mended so far.
function fieldText(buf: Uint8Array, f: Field, edits: Edit[]): string {
  const edit = edits.find((e) => e.start === f.start && e.end === f.end);
  return utf8.decode(edit ? edit.bytes : buf.subarray(f.start, f.end));
}

function setField(edits: Edit[], f: Field, text: string) {
  const i = edits.findIndex((e) => e.start === f.start && e.end === f.end);
  if (i >= 0) edits.splice(i, 1);
  edits.push({ start: f.start, end: f.end, bytes: encode(text) });
}

function mendHeaders(buf: Uint8Array, entity: Entity, hints: string[], edits: Edit[]) {
  const legacy = entity.fields.filter((f) => {
    const bytes = buf.subarray(f.start, f.end);
    return hasHighBytes(bytes) && !isUtf8(bytes);
  });
  // One block of raw headers is one mailer's charset: all of it together gives the detector more
  // to go on than one short name.
  const sample = Buffer.concat(legacy.map((f) => buf.subarray(f.start, f.end)));
  const blockCharset = legacy.length ? decodeUnlabelled(sample, hints)?.charset : undefined;
  for (const f of entity.fields) {
    const bytes = buf.subarray(f.start, f.end);
    let text: string | null = null;
    if (legacy.includes(f)) {
      const whole = blockCharset ? decodeLabelled(bytes, blockCharset, hints) : null;
      text = whole?.text ?? decodeUnlabelled(bytes, hints)?.text ?? null;
      if (text === null) continue;
    }
    const original = text ?? utf8.decode(bytes);
    const colon = original.indexOf(":");
    const words = colon < 0 ? null : mendEncodedWords(original.slice(colon + 1), f.name, hints);
    if (words !== null) text = original.slice(0, colon + 1) + words;
    if (PARAMETER_FIELDS.has(f.name)) {
      const current = text ?? original;
      const params = mendExtendedParams(current.slice(colon + 1).replace(/\r?\n[ \t]/g, " "), hints);
      if (params !== null) text = `${current.slice(0, colon + 1)}${params}`;
    }
    if (text !== null) setField(edits, f, text);
  }
}

// A text body the parser would misread, re-encoded as UTF-8 base64 under headers that say so.
function mendBody(buf: Uint8Array, entity: Entity, type: Structured, hints: string[], edits: Edit[]) {
  const cte = (firstField(buf, entity, "content-transfer-encoding") ?? "").trim().toLowerCase();
  const raw = buf.subarray(entity.bodyStart, entity.end);
  const bytes = cte.startsWith("base64")
    ? Buffer.from(ascii.decode(raw), "base64")
    : cte.startsWith("quoted-printable")
      ? decodeQuotedPrintable(ascii.decode(raw))
      : raw;
  let label: string | null = type.params.charset?.trim() || null;
  // An 8-bit body labelled ASCII has no label worth the name.
  if (label && /^(us-)?ascii$/i.test(label) && hasHighBytes(bytes)) label = null;
  if (label === null && !hasIso2022JpEscape(bytes) && (!hasHighBytes(bytes) || isUtf8(bytes))) return;
  if (label !== null && whatwgCharset(label) && !hasHighBytes(bytes) && !/2022/.test(label)) return;
  const found = label === null ? decodeUnlabelled(bytes, hints) : decodeLabelled(bytes, label, hints);
  // A known label that reads cleanly is left to the parser.
  if (!found || (found as { relabelled?: boolean }).relabelled === false) return;
  const typeField = entity.fields.find((f) => f.name === "content-type");
  const cteField = entity.fields.find((f) => f.name === "content-transfer-encoding");
  if (typeField) {
    const current = fieldText(buf, typeField, edits);
    const relabelled = /;\s*charset\s*=/i.test(current)
      ? current.replace(/(;\s*charset\s*=\s*)("[^"]*"|[^;\s]*)/i, "$1utf-8")
      : `${current}; charset=utf-8`;
    setField(edits, typeField, relabelled);
  }
  if (cteField) setField(edits, cteField, "Content-Transfer-Encoding: base64");
  const extra = [
    typeField ? "" : `Content-Type: ${type.value}; charset=utf-8\r\n`,
    cteField ? "" : "Content-Transfer-Encoding: base64\r\n",
  ].join("");
  // New fields go before the blank line that ends the header block.
  const blank = entity.bodyStart - (buf[entity.bodyStart - 2] === 0x0d ? 2 : 1);
  if (extra) edits.push({ start: blank, end: blank, bytes: encode(extra) });
  const body = encode(`${base64Lines(encode(found.text))}\r\n`);
  edits.push({ start: entity.bodyStart, end: entity.end, bytes: body });
}

function walk(buf: Uint8Array, start: number, end: number, defaultType: string, depth: number, ctx: Context) {
  const entity = readEntity(buf, start, end);
  if (ctx.headers) mendHeaders(buf, entity, ctx.hints(), ctx.edits);
  const type = parseStructured(firstField(buf, entity, "content-type"));
  if (!type.value) type.value = defaultType;
  const disposition = parseStructured(firstField(buf, entity, "content-disposition")).value;
  if (depth >= MAX_DEPTH) return;
  if (type.value.startsWith("multipart/") && type.params.boundary) {
    const childType = type.value === "multipart/digest" ? "message/rfc822" : "text/plain";
    for (const [s, e] of splitParts(buf, entity.bodyStart, end, type.params.boundary))
      walk(buf, s, e, childType, depth + 1, ctx);
    return;
  }
  if (disposition === "attachment") return;
  const cte = (firstField(buf, entity, "content-transfer-encoding") ?? "").trim().toLowerCase();
  if (type.value === "message/rfc822" && !/base64|quoted-printable/.test(cte))
    walk(buf, entity.bodyStart, end, "text/plain", depth + 1, ctx);
  else if (ctx.bodies && (type.value === "text/plain" || type.value === "text/html"))
    mendBody(buf, entity, type, ctx.hints(), ctx.edits);
}

interface Context {
  edits: Edit[];
  headers: boolean;
  bodies: boolean;
  hints: () => string[];
}

// The raw mail with its legacy charsets mended (see the top of this file). `bodies: false` mends
// header fields only, for a reader that measures the bodies as sent (mime-tree.ts).
export function repairCharsets(raw: Uint8Array, options: { bodies?: boolean } = {}): Uint8Array {
  let hints: string[] | null = null;
  const ctx: Context = {
    edits: [],
    headers: true,
    bodies: options.bodies ?? true,
    hints: () => {
      hints ??= declaredCharsets(raw);
      return hints;
    },
  };
  walk(raw, 0, raw.byteLength, "text/plain", 0, ctx);
  if (ctx.edits.length === 0) return raw;
  ctx.edits.sort((a, b) => a.start - b.start || a.end - b.end);
  const chunks: Uint8Array[] = [];
  let pos = 0;
  for (const edit of ctx.edits) {
    if (edit.start < pos) continue;
    chunks.push(raw.subarray(pos, edit.start), edit.bytes);
    pos = edit.end;
  }
  chunks.push(raw.subarray(pos));
  return Buffer.concat(chunks);
}

// The first `name` field of a mail's top header block, unfolded, with legacy bytes and broken
// encoded words mended (encoded words are left for the caller to decode).
export function headerOf(raw: Uint8Array, name: string): string | null {
  const entity = readEntity(raw, 0, raw.byteLength);
  const field = entity.fields.find((f) => f.name === name);
  if (!field) return null;
  const edits: Edit[] = [];
  mendHeaders(raw, { ...entity, fields: [field] }, declaredCharsets(raw), edits);
  const text = fieldText(raw, field, edits);
  return text
    .slice(text.indexOf(":") + 1)
    .replace(/\r?\n[ \t]/g, " ")
    .trim();
}
