import EmailReplyParser from "email-reply-parser";

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

export function replySegments(body: string): ReplySegment[] {
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
      // The parser drops one blank line at the start of a fragment; it belongs here.
      while (at < lines.length && target !== "" && squash(lines[at]) === "") taken.push(lines[at++]);
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
export function splitReply(body: string): ReplyParts {
  const segments = replySegments(body);
  return {
    newText: joinKind(segments, "text"),
    quotedText: joinKind(segments, "quoted"),
    signature: joinKind(segments, "signature"),
  };
}

// The reply as its sender would see it: the body less the quoted history, signature included.
export function replyWithoutQuotes(body: string): string {
  return trimBlankLines(
    replySegments(body)
      .filter((s) => s.kind !== "quoted")
      .map((s) => s.text)
      .join("\n"),
  );
}
