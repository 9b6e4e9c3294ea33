import { convert } from "html-to-text";
import sanitizeHtml from "sanitize-html";
import { FORWARD, QUOTE_STYLES } from "./html-quotes.ts";

// Inline styles carry most of an email's layout, so they stay, but only properties that cannot
// fetch anything: no url(), no expression(), no behaviours. A value is accepted only when it is
// made of characters that cannot open a function call, colour functions aside.
const SAFE_STYLE_VALUE = [/^(?:[-\w\s.,#%!'"/]|(?:rgba?|hsla?)\([\d\s.,%]*\))*$/i];
const STYLE_PROPERTIES = [
  "color",
  "background-color",
  "font",
  "font-family",
  "font-size",
  "font-style",
  "font-weight",
  "text-align",
  "text-decoration",
  "text-indent",
  "text-transform",
  "line-height",
  "letter-spacing",
  "white-space",
  "vertical-align",
  "direction",
  "width",
  "max-width",
  "min-width",
  "height",
  "margin",
  "margin-top",
  "margin-right",
  "margin-bottom",
  "margin-left",
  "padding",
  "padding-top",
  "padding-right",
  "padding-bottom",
  "padding-left",
  "border",
  "border-top",
  "border-right",
  "border-bottom",
  "border-left",
  "border-color",
  "border-style",
  "border-width",
  "border-collapse",
  "border-spacing",
  "list-style-type",
  "display",
];

const TABLE_ATTRIBUTES = ["align", "valign", "bgcolor", "width", "height", "colspan", "rowspan", "nowrap"];

// Only the container's own values pass (sanitize-html's value lists would leave the attribute
// behind, empty), so a sender cannot make anything else of it.
function keepQuoteMark(values: readonly string[]): sanitizeHtml.Transformer {
  return (tagName, attribs) => {
    const { "data-parley-quote": mark, ...rest } = attribs;
    return { tagName, attribs: mark !== undefined && values.includes(mark) ? attribs : rest };
  };
}

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    "img",
    "font",
    "center",
    "strike",
    "del",
    "ins",
    "big",
    "tt",
  ],
  // style, script, textarea and the rest hold text that is not content: drop it with the tag.
  nonTextTags: ["style", "script", "textarea", "option", "noscript", "title", "head", "xml"],
  allowedAttributes: {
    "*": ["style", "dir", "lang", "title", "align"],
    a: ["href", "name", "target", "rel"],
    img: ["src", "alt", "width", "height", "data-remote-src"],
    font: ["color", "face", "size"],
    table: [...TABLE_ATTRIBUTES, "border", "cellpadding", "cellspacing"],
    td: TABLE_ATTRIBUTES,
    th: TABLE_ATTRIBUTES,
    tr: TABLE_ATTRIBUTES,
    col: ["span", "width"],
    colgroup: ["span", "width"],
    ol: ["start", "type"],
    // The quoted-history container of html-quotes.ts (values checked in transformTags).
    blockquote: ["type", "cite", "data-parley-quote"],
    div: ["data-parley-quote"],
  },
  allowedStyles: { "*": Object.fromEntries(STYLE_PROPERTIES.map((p) => [p, SAFE_STYLE_VALUE])) },
  allowedSchemes: ["http", "https", "mailto", "tel"],
  // An image may only point inside the message: a cid: part or bytes it carries itself.
  allowedSchemesByTag: { img: ["cid", "data"] },
  allowedSchemesAppliedToAttributes: ["href", "src", "cite"],
  allowProtocolRelative: false,
  transformTags: {
    blockquote: keepQuoteMark(QUOTE_STYLES),
    div: keepQuoteMark([FORWARD]),
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...attribs, target: "_blank", rel: "noopener noreferrer" },
    }),
    // A remote image is a read receipt for whoever sent it. The address is kept aside so the
    // agent app can offer to load it, with consent; it is never in src.
    img: (tagName, attribs) => {
      const { src, ...rest } = attribs;
      const url = (src ?? "").trim();
      if (/^(https?:)?\/\//i.test(url)) {
        const remote = url.startsWith("//") ? `https:${url}` : url;
        return { tagName, attribs: { ...rest, "data-remote-src": remote } };
      }
      const { "data-remote-src": _ignored, ...local } = rest;
      return { tagName, attribs: url ? { ...local, src: url } : local };
    },
  },
};

// The HTML an agent's browser may render: no script, styles sheets, event handlers, frames or
// forms, and nothing that loads from the network until someone asks for it.
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}

// The plain-text body of an HTML-only message. Quoted blocks keep their "> " prefix so reply
// separation treats them as quotes, as it would in a text part.
export function htmlToPlainText(html: string): string {
  const text = convert(html, {
    wordwrap: false,
    selectors: [
      { selector: "a", options: { hideLinkHrefIfSameAsText: true, linkBrackets: ["<", ">"] } },
      { selector: "img", format: "skip" },
      { selector: "h1", options: { uppercase: false } },
      { selector: "h2", options: { uppercase: false } },
      { selector: "h3", options: { uppercase: false } },
      { selector: "h4", options: { uppercase: false } },
      { selector: "h5", options: { uppercase: false } },
      { selector: "h6", options: { uppercase: false } },
      { selector: "table", format: "dataTable", options: { uppercaseHeaderCells: false } },
    ],
  });
  return text.replace(/\u00a0/g, " ");
}
