import type { ReplySegment, SegmentKind } from "./reply-split.ts";

// Quote starts that email-reply-parser misses, after talon's rules: Outlook-style header blocks
// ("From: / Sent: / To: / Subject:") in the languages our customers write in, attribution lines
// in any language just above a quoted block ("02.04.2012 14:20 пользователь ... написал:"), and
// the rule line that mail clients put above the history.
const FIELD = String.raw`From|Sent|To|Cc|Subject|Date|От|Отправлено|Кому|Копия|Тема|Дата|Von|Gesendet|An|Betreff|Datum|De|Envoyé|À|A|Objet|Da|Inviato|Oggetto|Data|Van|Verzonden|Aan|Onderwerp|Från|Skickat|Till|Ämne|Fra|Sendt|Til|Emne|Enviado|Para|Assunto|Asunto|Lähettäjä|Lähetetty|Vastaanottaja|Aihe|Od|Wysłano|Do|Temat`;
export const FIRST_FIELD = String.raw`From|Sent|Date|От|Отправлено|Von|Gesendet|De|Envoyé|Da|Inviato|Van|Verzonden|Från|Skickat|Fra|Sendt|Enviado|Lähettäjä|Od|Wysłano`;
export const FIELD_LINE = new RegExp(String.raw`^\s*\*?(?:${FIELD})\s?\*?\s?:\s*\S`, "iu");
export const FIRST_FIELD_LINE = new RegExp(String.raw`^\s*\*?(?:${FIRST_FIELD})\s?\*?\s?:\s*\S`, "iu");
export const RULE = /^\s*[-_=*]{5,}\s*$/;
// Bidirectional marks that Outlook scatters through its headers.
export const visible = (line: string) => line.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "");

interface Line {
  text: string;
  kind: SegmentKind;
  // The parser fragment the line came from; lines that join a quote take the quote's.
  segment: number;
}

const isBlank = (l: Line) => !l.text.trim();

// The first header block of two or more fields in fresh text, with the rule line above it.
function headerBlockStart(lines: Line[]): number {
  for (let i = 0; i + 1 < lines.length; i++) {
    if (lines[i].kind !== "text" && lines[i].kind !== "signature") continue;
    if (!FIRST_FIELD_LINE.test(visible(lines[i].text)) || !FIELD_LINE.test(visible(lines[i + 1].text)))
      continue;
    let start = i;
    let j = i - 1;
    while (j >= 0 && isBlank(lines[j])) j--;
    if (j >= 0 && RULE.test(lines[j].text)) start = j;
    return start;
  }
  return -1;
}

// Lines just above a quoted block that attribute it: a short paragraph ending in a colon, with a
// date or an address in it; and a rule line in the same place.
function attributionAbove(lines: Line[], quoteAt: number): number {
  let end = quoteAt;
  while (end > 0 && end > quoteAt - 2 && isBlank(lines[end - 1])) end--;
  let from = quoteAt;
  for (let start = end - 1; start >= 0 && start >= end - 3; start--) {
    if (isBlank(lines[start]) || lines[start].kind !== "text") break;
    const joined = lines
      .slice(start, end)
      .map((l) => visible(l.text).trim())
      .join(" ");
    if (/:\s*$/.test(joined) && /\d/.test(joined) && /@|\d{1,2}:\d{2}/.test(joined)) {
      from = start;
      break;
    }
  }
  let k = from === quoteAt ? end : from;
  while (k > 0 && isBlank(lines[k - 1])) k--;
  if (k > 0 && RULE.test(lines[k - 1].text) && lines[k - 1].kind === "text") from = k - 1;
  // Never take the whole fresh text: a reply that is only a date and a colon stays a reply.
  return lines.slice(0, from).some((l) => l.kind === "text" && !isBlank(l)) ? from : quoteAt;
}

export function withQuoteHeaders(segments: ReplySegment[]): ReplySegment[] {
  const lines: Line[] = segments.flatMap((s, segment) =>
    s.text.split("\n").map((text) => ({ text, kind: s.kind, segment })),
  );
  let changed = false;
  const block = headerBlockStart(lines);
  if (block > 0 && lines.slice(0, block).some((l) => l.kind === "text" && !isBlank(l))) {
    for (let i = block; i < lines.length; i++) lines[i].kind = "quoted";
    changed = true;
  }
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].kind !== "quoted" || lines[i - 1].kind === "quoted") continue;
    let above = i;
    while (above > 0 && isBlank(lines[above - 1])) above--;
    if (above === 0 || lines[above - 1].kind !== "text") continue;
    const start = attributionAbove(lines, i);
    if (start < i) {
      for (let j = start; j < i; j++) Object.assign(lines[j], { kind: "quoted", segment: lines[i].segment });
      changed = true;
    }
  }
  return changed ? regroup(lines) : segments;
}

function regroup(lines: Line[]): ReplySegment[] {
  const out: { kind: SegmentKind; segment: number; lines: string[] }[] = [];
  for (const line of lines) {
    const last = out[out.length - 1];
    if (last && last.kind === line.kind && last.segment === line.segment) last.lines.push(line.text);
    else out.push({ kind: line.kind, segment: line.segment, lines: [line.text] });
  }
  return out.map((s) => ({ kind: s.kind, text: s.lines.join("\n") }));
}
