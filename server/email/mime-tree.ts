import PostalMime, { decodeWords } from "postal-mime";
import { repairCharsets } from "./charset-repair.ts";

// The structure of a message as sent: what an admin needs to see why a mail parsed as it did,
// and what the corpus tests compare against other MIME libraries.
export interface MimePart {
  type: string;
  encoding: string;
  charset: string | null;
  boundary: string | null;
  filename: string | null;
  disposition: string | null;
  // Decoded body bytes of a leaf part; null for a multipart.
  size: number | null;
  subject: string | null;
  from: string | null;
  to: string | null;
  parts: MimePart[];
}

// postal-mime keeps its part tree on the parser instance; these are the fields we read. They
// are not in its published types, so they are checked at run time rather than trusted.
interface PostalNode {
  contentType: {
    value: string;
    parsed: { value: string; params: Record<string, string> };
    multipart: string | false;
  };
  contentTransferEncoding: { value: string; encoding: string };
  contentDisposition: { value: string; parsed: { value: string; params: Record<string, string> } };
  headers: { key: string; value: string }[];
  childNodes: PostalNode[];
  content: ArrayBuffer | null;
}

const MAX_DEPTH = 20;

function rootOf(parser: PostalMime): PostalNode {
  const root = (parser as unknown as { root?: PostalNode }).root;
  if (!root || !Array.isArray(root.childNodes))
    throw new Error("postal-mime no longer exposes its part tree");
  return root;
}

const headerOf = (node: PostalNode, key: string) => {
  const value = node.headers.find((h) => h.key === key)?.value;
  return value === undefined ? null : decodeWords(value).trim();
};

// A delimiter line starts with the line break before it (RFC 2046 5.1.1); postal-mime hands a
// part's text body over with that break still attached, so a part inside a multipart is one
// line break shorter than its decoded bytes.
function bodySize(node: PostalNode, insideMultipart: boolean): number {
  const size = node.content?.byteLength ?? 0;
  if (!insideMultipart || size === 0 || node.contentTransferEncoding.encoding === "base64") return size;
  const last = new Uint8Array(node.content as ArrayBuffer, size - 1, 1)[0];
  return last === 0x0a ? size - 1 : size;
}

async function describeNode(node: PostalNode, insideMultipart: boolean, depth: number): Promise<MimePart> {
  const params = node.contentType.parsed.params;
  const filename = node.contentDisposition.parsed.params.filename || params.name || null;
  const part: MimePart = {
    type: node.contentType.parsed.value || "text/plain",
    // RFC 2045: a part without the header is 7bit (postal-mime reads it as 8bit).
    encoding: node.headers.some((h) => h.key === "content-transfer-encoding")
      ? node.contentTransferEncoding.encoding || "7bit"
      : "7bit",
    charset: params.charset ?? null,
    boundary: node.contentType.multipart ? (params.boundary ?? null) : null,
    filename: filename ? decodeWords(filename) : null,
    disposition: node.contentDisposition.parsed.value || null,
    size: node.contentType.multipart ? null : bodySize(node, insideMultipart),
    subject: headerOf(node, "subject"),
    from: headerOf(node, "from"),
    to: headerOf(node, "to"),
    parts: [],
  };
  if (node.contentType.multipart) {
    for (const child of node.childNodes) part.parts.push(await describeNode(child, true, depth + 1));
  } else if (part.type === "message/rfc822" && node.content && depth < MAX_DEPTH) {
    const carried = new Uint8Array(node.content, 0, part.size ?? node.content.byteLength);
    part.parts.push(await describeMessage(carried, depth + 1));
  }
  return part;
}

async function describeMessage(raw: Uint8Array, depth: number): Promise<MimePart> {
  const parser = new PostalMime();
  await parser.parse(raw);
  const part = await describeNode(rootOf(parser), false, depth);
  // postal-mime ends every body line with a break, the last one too; a message whose bytes end
  // without one has a body one byte shorter.
  const endsWithBreak = raw.byteLength > 0 && raw[raw.byteLength - 1] === 0x0a;
  if (part.size !== null && part.size > 0 && !endsWithBreak && part.encoding !== "base64") part.size--;
  return part;
}

// Header fields in legacy charsets are mended first (file names, subjects); bodies are measured as
// sent.
export function describeMime(raw: Buffer | Uint8Array): Promise<MimePart> {
  return describeMessage(repairCharsets(raw, { bodies: false }), 0);
}
