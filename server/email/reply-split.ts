import EmailReplyParser from "email-reply-parser";
import { withQuoteHeaders } from "./quote-headers.ts";

export type SegmentKind = "text" | "quoted" | "signature" | "blank";

// One fragment of a message body in document order, holding the body's own lines: the parser's
// fragments drop trailing spaces and join folded quote headers, so each fragment is mapped
// back onto the original lines and nothing the sender wrote is altered or lost.
export interface ReplySegment {
  kind: SegmentKind;
  text: string;
}

export interface ReplyParts {
  newText: string;
  quotedText: string;
  signature: string;
}

// The parser's quote-header patterns backtrack over whole lines; past this size a body is kept
// as new text rather than risk seconds of CPU on one message.
const MAX_SPLIT_CHARS = 512 * 1024;

const squash = (line: string) => line.replace(/\s+/g, " ").trim();

export interface Sender {
  name: string;
  address: string;
}

export function replySegments(body: string, sender?: Sender | null): ReplySegment[] {
  const segments = withQuoteHeaders(parserSegments(body));
  return sender === undefined ? segments : withTrailingSignature(segments, sender);
}

function parserSegments(body: string): ReplySegment[] {
  const text = body.replace(/\r\n?/g, "\n");
  if (!text.trim()) return [];
  if (text.length > MAX_SPLIT_CHARS) return [{ kind: "text", text }];
  let fragments: { content: string; kind: SegmentKind }[];
  try {
    fragments = new EmailReplyParser()
      .read(text)
      .getFragments()
      .map((f) => ({
        content: f.getContent(),
        kind: f.isQuoted() ? "quoted" : f.isSignature() ? "signature" : f.isHidden() ? "blank" : "text",
      }));
  } catch {
    return [{ kind: "text", text }];
  }
  return alignToOriginal(text.split("\n"), fragments) ?? [{ kind: "text", text }];
}

// Walks the parser's fragments and the original lines side by side. Returns null when they
// cannot be matched, and the caller keeps the whole body as new text.
function alignToOriginal(
  lines: string[],
  fragments: { content: string; kind: SegmentKind }[],
): ReplySegment[] | null {
  const segments: { kind: SegmentKind; lines: string[] }[] = [];
  let at = 0;
  for (const fragment of fragments) {
    const taken: string[] = [];
    for (const wanted of fragment.content.split("\n")) {
      const target = squash(wanted);
      // The parser drops one blank line at the start of a fragment: it goes to the end of the
      // fragment before, so this one starts where the parser's does.
      while (at < lines.length && target !== "" && squash(lines[at]) === "") {
        const previous = taken.length === 0 ? segments[segments.length - 1] : undefined;
        (previous ? previous.lines : taken).push(lines[at++]);
      }
      if (at >= lines.length) {
        if (target === "") continue;
        return null;
      }
      let joined = squash(lines[at]);
      if (target === "" && joined !== "") continue;
      taken.push(lines[at++]);
      // A quote header folded over several lines arrives as one line.
      while (joined !== target && at < lines.length && target.startsWith(joined)) {
        joined = squash(`${joined} ${lines[at]}`);
        taken.push(lines[at++]);
      }
      if (joined !== target) return null;
    }
    segments.push({ kind: fragment.kind, lines: taken });
  }
  if (at < lines.length) {
    const rest = lines.slice(at);
    if (segments.length) segments[segments.length - 1].lines.push(...rest);
    else segments.push({ kind: "text", lines: rest });
  }
  return segments.map((s) => ({
    kind: s.kind !== "blank" && s.lines.every((l) => l.trim() === "") ? "blank" : s.kind,
    text: s.lines.join("\n"),
  }));
}

// Signatures the parser's patterns miss: a long rule, or a closing block that names the sender
// ("Gina Smith / gina@example.com / (555) 346-9947", "Thanks,\nNoam"). Looked for only at the
// end of the last fresh fragment, and only when nothing marked a signature already.
const RULE_LINE = /^\s*[-_=*~]{5,}\s*$/;
const MAX_SIGNATURE_LINES = 15;

// The words a closing block may name its sender by: name, first name, address, local part.
function senderWords(sender: Sender | null): string[] {
  if (!sender) return [];
  const words = [
    sender.name.trim(),
    sender.name.trim().split(/\s+/)[0],
    sender.address.trim(),
    sender.address.split("@")[0],
  ];
  return [...new Set(words.filter((w) => w.length >= 3))];
}

const NOT_ASCII = /[^\p{ASCII}]/u;
const isWordCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
// Unicode patterns for lines or words outside ASCII; compiling one costs far more than matching
// (about 0.4 ms each, on every mail), so they are kept, and ASCII is matched without them.
const unicodePatterns = new Map<string, RegExp>();

function unicodePattern(word: string): RegExp {
  let pattern = unicodePatterns.get(word);
  if (!pattern) {
    const literal = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    pattern = new RegExp(`(^|[^\\p{L}\\d])${literal}($|[^\\p{L}\\d])`, "iu");
    if (unicodePatterns.size >= 1000) unicodePatterns.clear();
    unicodePatterns.set(word, pattern);
  }
  return pattern;
}

// Whether `line` holds `word` as a whole word (not inside a longer run of letters or digits),
// ignoring case.
export function namesWord(line: string, word: string): boolean {
  if (NOT_ASCII.test(line) || NOT_ASCII.test(word)) return unicodePattern(word).test(line);
  const haystack = line.toLowerCase();
  const needle = word.toLowerCase();
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    const before = at === 0 || !isWordCode(haystack.charCodeAt(at - 1));
    const end = at + needle.length;
    const after = end === haystack.length || !isWordCode(haystack.charCodeAt(end));
    if (before && after) return true;
  }
  return false;
}

function withTrailingSignature(segments: ReplySegment[], sender: Sender | null): ReplySegment[] {
  if (segments.some((s) => s.kind === "signature")) return segments;
  const index = segments.findLastIndex((s) => s.kind === "text");
  if (index < 0) return segments;
  const lines = segments[index].text.split("\n");
  let end = lines.length;
  while (end > 0 && !lines[end - 1].trim()) end--;
  let floor = end;
  for (let seen = 0; floor > 1 && seen < MAX_SIGNATURE_LINES; floor--) if (lines[floor - 1].trim()) seen++;
  let start = -1;
  for (let i = end - 2; i >= floor; i--) {
    if (RULE_LINE.test(lines[i])) start = i;
  }
  if (start < 0) {
    const words = senderWords(sender);
    let block = end;
    while (block > 0 && lines[block - 1].trim()) block--;
    const closing = lines.slice(block, end);
    const short = closing.length <= 8 && closing.every((l) => l.length <= 80);
    if (block > 0 && short && closing.some((l) => words.some((w) => namesWord(l, w)))) start = block;
  }
  if (start < 0 || !lines.slice(0, start).some((l) => l.trim())) return segments;
  return [
    ...segments.slice(0, index),
    { kind: "text", text: lines.slice(0, start).join("\n") },
    { kind: "signature", text: lines.slice(start).join("\n") },
    ...segments.slice(index + 1),
  ];
}

const joinKind = (segments: ReplySegment[], kind: SegmentKind) =>
  trimBlankLines(
    segments
      .filter((s) => s.kind === kind)
      .map((s) => s.text)
      .join("\n"),
  );

function trimBlankLines(text: string): string {
  return text.replace(/^(?:[ \t]*\n)+/, "").trimEnd();
}

// The fresh part of a reply, the quoted history and the signature. Together they hold every
// non-blank line of the body, so the history can be collapsed but never disappears.
export function splitReply(body: string, sender: Sender | null = null): ReplyParts {
  const segments = replySegments(body, sender);
  return {
    newText: joinKind(segments, "text"),
    quotedText: joinKind(segments, "quoted"),
    signature: joinKind(segments, "signature"),
  };
}

// The reply as its sender would see it: the body less the quoted history, signature included.
export function replyWithoutQuotes(body: string, sender: Sender | null = null): string {
  return trimBlankLines(
    replySegments(body, sender)
      .filter((s) => s.kind !== "quoted")
      .map((s) => s.text)
      .join("\n"),
  );
}
