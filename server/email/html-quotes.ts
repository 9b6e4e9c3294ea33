import { type AnyNode, type ChildNode, cloneNode, Element, isTag, isText, type ParentNode } from "domhandler";
import { DomUtils, parseDocument } from "htmlparser2";
import { FIELD_LINE, FIRST_FIELD, FIRST_FIELD_LINE, RULE, visible } from "./quote-headers.ts";

// Quoted history in an HTML mail, found where the client left it and wrapped in one container
// from its start to the end of the body, so the agent app can collapse it in place the way it
// collapses a <blockquote>. Nothing is removed: the history only moves into the container.
//
// Clients that quote in a <blockquote> (Apple Mail, Thunderbird, Gmail) are already collapsible;
// the markers here matter for those that do not (Outlook, Outlook on the web, Hotmail, Yahoo,
// Windows Mail, Zimbra), and for the attribution lines that sit outside the blockquote.

// The container's data-parley-quote value says which marker found it; the sanitizer keeps only
// these values.
export const QUOTE_STYLES = [
  "outlook",
  "gmail",
  "yahoo",
  "thunderbird",
  "protonmail",
  "zimbra",
  "original-message",
  "header",
] as const;
export type QuoteStyle = (typeof QUOTE_STYLES)[number];

// A forwarded mail is the content the agent has to read, as Zendesk also shows it: it is
// wrapped in a visible <div data-parley-quote="forward">, never collapsed.
export const FORWARD = "forward";

interface Marker {
  node: ChildNode;
  style: QuoteStyle | typeof FORWARD;
  // Clients that quote in a blockquote also use their marker for inline ("interleaved")
  // answers; then the history is not one block and only the blockquotes collapse.
  quotesInBlockquote: boolean;
}

// Past this size the mail is kept as sent: one more parse of several megabytes is not worth it.
const MAX_MARK_CHARS = 2 * 1024 * 1024;
// A cheap test before parsing: HTML without any of these cannot hold a marker, and most mail
// (new conversations, newsletters, notifications) is then left unparsed.
const MAYBE_MARKED = new RegExp(
  String.raw`divRplyFwdMsg|appendonsend|stopSpelling|OLK_SRC_BODY_SECTION|OutlookMessageHeader|gmail_quote|yahoo_quoted|moz-cite-prefix|moz-forward-container|protonmail_quote|zwchr|-{3}|forward|(?:${FIRST_FIELD})\s?\*?\s?:`,
  "iu",
);

const ID_MARKERS: [RegExp, QuoteStyle][] = [
  [/(?:^|_)(?:divRplyFwdMsg|appendonsend|OLK_SRC_BODY_SECTION|stopSpelling)$/i, "outlook"],
  [/^zwchr$/i, "zimbra"],
];
const CLASS_MARKERS: [RegExp, QuoteStyle | typeof FORWARD, boolean][] = [
  [/^(?:gmail_quote|gmail_quote_container)$/, "gmail", true],
  [/yahoo_quoted$/, "yahoo", false],
  [/^moz-cite-prefix$/, "thunderbird", true],
  [/^moz-forward-container$/, FORWARD, false],
  [/^protonmail_quote$/, "protonmail", true],
  [/^OutlookMessageHeader$/, "outlook", false],
];
const ORIGINAL_MESSAGE =
  /^-{3,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht|Mensagem original|Originalmeddelande|Oprindelig meddelelse|Opprinnelig melding|Alkuperäinen viesti|Wiadomość oryginalna|Исходное сообщение)\s*-{3,}$/i;
const FORWARD_LINE =
  /^[\s-]*(?:Forwarded message|Begin forwarded message|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado|Messaggio inoltrato|Doorgestuurd bericht|Mensagem encaminhada|Vidarebefordrat meddelande|Пересылаемое сообщение)\b/i;
const FORWARD_SUBJECT = /^\s*(?:fwd?|wg|tr|rv|enc|vs|i)\s*:/i;

const BLANK_TEXT = /^[\s\u00a0\u200b-\u200f\u2060\ufeff]*$/;
const SKIPPED = new Set(["blockquote", "head", "style", "script", "title", "xml"]);
const CONTENT_TAGS = new Set(["img", "video", "audio", "object", "embed", "svg", "iframe", "input"]);
const BREAKS = new Set([
  "br",
  "p",
  "div",
  "hr",
  "tr",
  "li",
  "table",
  "blockquote",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
]);

// Whether a node shows nothing a reader would miss: whitespace, rules, line breaks, empty
// wrappers. Walked with a stack: mail HTML can nest deeper than the call stack allows.
function isBlank(node: AnyNode): boolean {
  const stack: AnyNode[] = [node];
  while (stack.length) {
    const n = stack.pop() as AnyNode;
    if (isText(n)) {
      if (!BLANK_TEXT.test(n.data) && !RULE.test(n.data)) return false;
    } else if (isTag(n)) {
      if (CONTENT_TAGS.has(n.name)) return false;
      if (n.name !== "style" && n.name !== "script" && n.name !== "head") stack.push(...n.children);
    }
  }
  return true;
}

// The text from `node` on, in document order, with a line break at each <br> and block, up to
// `limit` characters: enough to read a header block.
function textFrom(node: AnyNode, limit: number): string {
  let out = "";
  let n: AnyNode | null = node;
  const descend = (x: AnyNode) => isTag(x) && !SKIPPED.has(x.name) && x.children.length > 0;
  while (n && out.length < limit) {
    // Line breaks in the source are spaces in HTML; only <br> and blocks end a line.
    if (isText(n)) out += n.data.replace(/\s+/g, " ");
    else if (isTag(n) && BREAKS.has(n.name)) out += "\n";
    if (descend(n)) n = (n as Element).children[0];
    else {
      while (n && !n.next) {
        n = n.parent;
        if (n && isTag(n) && BREAKS.has(n.name)) out += "\n";
      }
      n = n ? n.next : null;
    }
  }
  return out;
}

const lines = (text: string) =>
  text
    .split("\n")
    .map((l) =>
      visible(l)
        .replace(/[\s\u00a0]+/g, " ")
        .trim(),
    )
    .filter(Boolean);

// "From: ... / Sent: ... / To: ..." starting at this text node, as Outlook, Hotmail, Windows
// Mail and most webmails write the history's header.
function startsHeaderBlock(text: AnyNode): boolean {
  const [first, second] = lines(textFrom(text, 600));
  return (
    first !== undefined && second !== undefined && FIRST_FIELD_LINE.test(first) && FIELD_LINE.test(second)
  );
}

function elementMarker(el: Element): Marker | null {
  const id = el.attribs.id ?? "";
  for (const [pattern, style] of ID_MARKERS)
    if (id && pattern.test(id)) return { node: el, style, quotesInBlockquote: false };
  const classes = (el.attribs.class ?? "").split(/\s+/).filter(Boolean);
  for (const [pattern, style, quotesInBlockquote] of CLASS_MARKERS)
    if (classes.some((c) => pattern.test(c))) return { node: el, style, quotesInBlockquote };
  return null;
}

function textMarker(node: AnyNode & { data: string }): Marker | null {
  const text = visible(node.data).trim();
  if (!text) return null;
  if (FORWARD_LINE.test(text)) return { node: node as ChildNode, style: FORWARD, quotesInBlockquote: false };
  if (ORIGINAL_MESSAGE.test(text))
    return { node: node as ChildNode, style: "original-message", quotesInBlockquote: false };
  if (/^\*?\s*[\p{L}]+\s?\*?\s?:/u.test(text) && startsHeaderBlock(node))
    return { node: node as ChildNode, style: "header", quotesInBlockquote: false };
  return null;
}

// The first marker in document order outside any blockquote (what a blockquote holds is
// collapsed already, and a marker in it belongs to older history).
function firstMarker(root: ParentNode): Marker | null {
  const stack: ChildNode[] = [...root.children].reverse();
  while (stack.length) {
    const n = stack.pop() as ChildNode;
    if (isTag(n)) {
      if (SKIPPED.has(n.name)) continue;
      const found = elementMarker(n);
      if (found) return found;
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    } else if (isText(n)) {
      const found = textMarker(n);
      if (found) return found;
    }
  }
  return null;
}

const precededByBlanks = (node: ChildNode) => {
  for (let p = node.prev; p; p = p.prev) if (!isBlank(p)) return false;
  return true;
};

// Where the history starts: the marker, raised to the outermost element it opens (Outlook puts
// "From:" in a <b> in a <p> in a bordered <div>), then back over the blank lines and rules just
// above it, which belong to the history's header.
function historyStart(marker: ChildNode, root: ParentNode): ChildNode {
  let start = marker;
  while (start.parent && start.parent !== root && isTag(start.parent) && precededByBlanks(start))
    start = start.parent as ChildNode;
  while (start.prev && isBlank(start.prev)) start = start.prev as ChildNode;
  return start;
}

// Whether a reader sees anything above `start`.
function hasContentBefore(start: ChildNode, root: ParentNode): boolean {
  for (let n: AnyNode | null = start; n && n !== root; n = n.parent) {
    for (let p = (n as ChildNode).prev; p; p = p.prev) if (!isBlank(p)) return true;
  }
  return false;
}

// Answers written between quoted blocks: something shown after the first blockquote that is
// not itself in a blockquote.
function interleaved(nodes: ChildNode[]): boolean {
  let seenQuote = false;
  const stack = [...nodes].reverse();
  while (stack.length) {
    const n = stack.pop() as ChildNode;
    if (isTag(n) && n.name === "blockquote") seenQuote = true;
    else if (seenQuote && !isBlank(n)) {
      if (!isTag(n) || !n.children.some((c) => isTag(c) && c.name === "blockquote")) return true;
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    } else if (!seenQuote && isTag(n))
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return false;
}

const followingOf = (node: ChildNode) => {
  const out: ChildNode[] = [];
  for (let n: ChildNode | null = node; n; n = n.next) out.push(n);
  return out;
};

// Everything from `start` to the end of `root`, as the top-most nodes that hold it.
function regionOf(start: ChildNode, root: ParentNode): ChildNode[] {
  const out = followingOf(start);
  for (let p = start.parent; p && p !== root; p = p.parent) if (p.next) out.push(...followingOf(p.next));
  return out;
}

// Moves `start` and everything after it, up to the end of `root`, into `container` at the end
// of `root`. Each ancestor that holds both fresh text and history is split in two, its copy
// (same tag and attributes, so the same look) holding the history's part.
function moveToEnd(start: ChildNode, root: ParentNode, container: Element): void {
  let moving = followingOf(start);
  let parent = start.parent;
  while (parent && parent !== root) {
    const copy = cloneNode(parent as Element, false);
    for (const n of moving) {
      DomUtils.removeElement(n);
      DomUtils.appendChild(copy, n);
    }
    const next = (parent as Element).next;
    moving = next ? [copy, ...followingOf(next)] : [copy];
    parent = parent.parent;
  }
  for (const n of moving) {
    DomUtils.removeElement(n);
    DomUtils.appendChild(container, n);
  }
  DomUtils.appendChild(root, container);
}

const bodyOf = (doc: ParentNode): ParentNode =>
  DomUtils.findOne((e) => e.name === "body", doc.children, true) ?? doc;

// The raw HTML with its quoted history wrapped, or the HTML unchanged when no history is found,
// the history is all there is (a bare forward or quote stays in view), or answers are written
// between the quotes. The result still goes through the sanitizer.
export function markQuotedHistory(html: string, subject = ""): string {
  if (html.length > MAX_MARK_CHARS || !MAYBE_MARKED.test(html)) return html;
  try {
    const doc = parseDocument(html);
    const root = bodyOf(doc);
    const marker = firstMarker(root);
    if (!marker) return html;
    const start = historyStart(marker.node, root);
    if (!hasContentBefore(start, root)) return html;
    const region = regionOf(start, root);
    if (region.every(isBlank)) return html;
    if (marker.quotesInBlockquote && interleaved(region)) return html;
    const forward =
      marker.style === FORWARD ||
      FORWARD_SUBJECT.test(subject) ||
      FORWARD_LINE.test(lines(textFrom(start, 200))[0] ?? "");
    const container = forward
      ? new Element("div", { "data-parley-quote": FORWARD })
      : new Element("blockquote", { type: "cite", "data-parley-quote": marker.style });
    moveToEnd(start, root, container);
    return DomUtils.getOuterHTML(doc, { encodeEntities: "utf8" });
  } catch {
    // A tree too deep to walk or serialize: the mail is shown as sent, quotes and all.
    return html;
  }
}
