// The MIME structure of a raw mail at the byte level: header blocks and the parts of multiparts,
// with offsets into the bytes, for charset-repair.ts to rewrite what postal-mime would misread.
// Parsed as postal-mime parses (the first field of a name decides, a delimiter line may carry
// trailing blanks), so both see the same parts.

export interface Field {
  start: number;
  end: number;
  name: string;
}

export interface Entity {
  fields: Field[];
  bodyStart: number;
  end: number;
}

const ascii = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");

export function lineEnd(buf: Uint8Array, from: number, end: number): number {
  const lf = buf.indexOf(0x0a, from);
  return lf < 0 || lf >= end ? end : lf;
}

// Header fields up to the first empty line (CRLF or bare LF), folded lines joined to their field.
export function readEntity(buf: Uint8Array, start: number, end: number): Entity {
  const fields: Field[] = [];
  let pos = start;
  while (pos < end) {
    const lf = lineEnd(buf, pos, end);
    const contentEnd = lf > pos && buf[lf - 1] === 0x0d ? lf - 1 : lf;
    if (contentEnd === pos) return { fields, bodyStart: Math.min(lf + 1, end), end };
    const last = fields[fields.length - 1];
    if (last && (buf[pos] === 0x20 || buf[pos] === 0x09)) last.end = contentEnd;
    else {
      const colon = buf.subarray(pos, contentEnd).indexOf(0x3a);
      const name =
        colon < 0
          ? ""
          : ascii
              .decode(buf.subarray(pos, pos + colon))
              .trim()
              .toLowerCase();
      fields.push({ start: pos, end: contentEnd, name });
    }
    pos = lf + 1;
  }
  return { fields, bodyStart: end, end };
}

export const fieldValue = (buf: Uint8Array, f: Field) => {
  const text = utf8.decode(buf.subarray(f.start, f.end));
  return text.slice(text.indexOf(":") + 1).replace(/\r?\n[ \t]/g, " ");
};

export interface Structured {
  value: string;
  params: Record<string, string>;
}

export function parseStructured(value: string | null): Structured {
  const [head, ...rest] = (value ?? "").split(";");
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf("=");
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    if (!Object.hasOwn(params, key))
      params[key] = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/s, "$1");
  }
  return { value: head.trim().toLowerCase(), params };
}

// The first field of a name decides, as in postal-mime.
export const firstField = (buf: Uint8Array, e: Entity, name: string) => {
  const f = e.fields.find((x) => x.name === name);
  return f ? fieldValue(buf, f) : null;
};

// The parts of a multipart body: the line break before a delimiter belongs to the delimiter.
// The delimiter is searched for, not every line read: a large attachment is thousands of lines.
export function splitParts(
  buf: Uint8Array,
  start: number,
  end: number,
  boundary: string,
): [number, number][] {
  const delimiter = Buffer.from(`--${boundary}`);
  const haystack = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const parts: [number, number][] = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    const at = haystack.indexOf(delimiter, pos);
    if (at < 0 || at + delimiter.length > end) break;
    const lf = lineEnd(buf, at, end);
    pos = lf + 1;
    if (at !== start && buf[at - 1] !== 0x0a) continue;
    const rest = ascii.decode(buf.subarray(at + delimiter.length, lf));
    const closing = rest.startsWith("--");
    if (!/^[ \t\r]*$/.test(closing ? rest.slice(2) : rest)) continue;
    if (partStart >= 0) {
      const breakStart = at >= 2 && buf[at - 2] === 0x0d ? at - 2 : at - 1;
      parts.push([partStart, Math.max(partStart, breakStart)]);
    }
    if (closing) return parts;
    partStart = Math.min(lf + 1, end);
  }
  if (partStart >= 0) parts.push([partStart, end]);
  return parts;
}

export function decodeQuotedPrintable(text: string): Uint8Array {
  const out: number[] = [];
  const s = text.replace(/=\r?\n/g, "");
  for (let i = 0; i < s.length; i++) {
    const hex = s[i] === "=" ? s.slice(i + 1, i + 3) : "";
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else out.push(s.charCodeAt(i) & 0xff);
  }
  return Uint8Array.from(out);
}
