import { decodeAs, decodeLabelled, decodesCleanly, whatwgCharset } from "./legacy-charset.ts";

// RFC 2231 parameters (filename*=gb2312''%B7%A2%C6%B1.pdf, or split as filename*0*=...;
// filename*1*=...) name their charset like an encoded word does, and postal-mime decodes them by
// that label alone: an alias it does not know (iso-gb2312) or a wrong label turned a file name
// into mojibake. Such a parameter is rewritten as one UTF-8 section; a parameter that reads
// cleanly under its label is left as it is.

const SECTION = /;\s*([A-Za-z0-9_.!#$&+^`{|}~-]+)\*(\d+)?(\*)?\s*=\s*("[^"]*"|[^;]*)/g;

interface Section {
  whole: string;
  nr: number;
  encoded: boolean;
  value: string;
}

function percentBytes(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === "%" ? text.slice(i + 1, i + 3) : "";
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else out.push(...Buffer.from(text[i], "utf8"));
  }
  return out;
}

// Everything but RFC 2231's attr-chars is escaped, as Content-Disposition does for downloads.
const encodeValue = (text: string) =>
  encodeURIComponent(text).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function mendExtendedParams(value: string, hints: string[]): string | null {
  const byName = new Map<string, Section[]>();
  for (const m of value.matchAll(SECTION)) {
    const name = m[1].toLowerCase();
    const encoded = m[2] === undefined || m[3] === "*";
    const section = { whole: m[0], nr: Number(m[2] ?? 0), encoded, value: m[4].replace(/^"(.*)"$/s, "$1") };
    byName.set(name, [...(byName.get(name) ?? []), section]);
  }
  let out = value;
  let changed = false;
  for (const [name, sections] of byName) {
    sections.sort((a, b) => a.nr - b.nr);
    const first = sections[0];
    const tagged = first.encoded ? /^([^']*)'[^']*'(.*)$/s.exec(first.value) : null;
    if (!tagged) continue;
    const label = tagged[1] || "utf-8";
    const bytes = Uint8Array.from(
      sections.flatMap((s, i) => {
        const text = i === 0 ? tagged[2] : s.value;
        return s.encoded ? percentBytes(text) : [...Buffer.from(text, "utf8")];
      }),
    );
    const asLabelled = whatwgCharset(label) ? decodeAs(bytes, label) : null;
    if (asLabelled !== null && decodesCleanly(asLabelled)) continue;
    const found = decodeLabelled(bytes, label, hints);
    if (!found) continue;
    for (const s of sections) out = out.replace(s.whole, "");
    out = `${out.trimEnd()}; ${name}*=utf-8''${encodeValue(found.text)}`;
    changed = true;
  }
  return changed ? out : null;
}
