import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { MimePart } from "./mime-tree.ts";
import { describeMime } from "./mime-tree.ts";
import { type ParsedEmail, parseEmail } from "./parse.ts";

// One corpus case: a file, and what went wrong with it (nothing, when it passed).
export interface CaseResult {
  name: string;
  problems: string[];
}

type Expect = Record<string, unknown>;

const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const squash = (s: string) => s.replace(/\s+/g, " ").trim();
// Body text compared line by line, ignoring trailing spaces and how many blank lines separate
// paragraphs: libraries differ there, and a reader does not see it.
const layout = (s: string) =>
  s
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .replace(/\n{2,}/g, "\n\n")
    .trim();

function check(problems: string[], what: string, actual: unknown, expected: unknown) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    problems.push(
      `${what}: got ${JSON.stringify(actual)?.slice(0, 160)}, expected ${JSON.stringify(expected)?.slice(0, 160)}`,
    );
  }
}

async function parseCase(file: string, problems: string[]): Promise<ParsedEmail | null> {
  try {
    return await parseEmail(readFileSync(file));
  } catch (err) {
    problems.push(`parseEmail threw: ${(err as Error).message}`);
    return null;
  }
}

function digest(algorithm: string, bytes: Uint8Array) {
  return createHash(algorithm).update(bytes).digest("hex");
}

// Expectations transcribed from mailparser's and postal-mime's own tests.
async function checkLibraryCase(dir: string, c: Expect): Promise<CaseResult> {
  const problems: string[] = [];
  const parsed = await parseCase(path.join(dir, String(c.file)), problems);
  if (parsed) {
    if ("subject" in c) check(problems, "subject", parsed.subject, c.subject);
    if ("to" in c) check(problems, "to", parsed.to, c.to);
    if ("attachments" in c) check(problems, "attachment count", parsed.attachments.length, c.attachments);
    for (const [key, value] of Object.entries(c)) {
      const m = /^attachment\[(\d+)\]\.(md5|sha256)$/.exec(key);
      const attachment = m ? parsed.attachments[Number(m[1])] : undefined;
      if (m) check(problems, key, attachment ? digest(m[2], attachment.content) : null, value);
    }
    if ("text" in c) check(problems, "text", layout(parsed.text), layout(String(c.text)));
    if ("text_first_line" in c) check(problems, "first line", parsed.text.split("\n")[0], c.text_first_line);
    if ("html" in c && c.html === null) check(problems, "html", parsed.html, null);
    if (c.html_nonempty) check(problems, "html is non-empty", Boolean(parsed.html?.trim()), true);
    if (typeof c.html_contains === "string") checkEmbeddedImage(problems, parsed, c.html_contains);
    if (/\bDSN bounce\b/.test(String(c.note ?? ""))) {
      check(problems, "detected as a bounce", parsed.auto.isBounce, true);
      check(
        problems,
        "bounce names the returned message",
        Boolean(parsed.auto.bounce?.originalMessageId),
        true,
      );
    }
    if (/\bARF\b/.test(String(c.note ?? "")))
      check(problems, "abuse report is automatic", parsed.auto.isAutoReply, true);
  }
  return { name: String(c.file), problems };
}

// mailparser inlines cid: images as data: URIs. Parley keeps the cid: reference and serves the
// part as an attachment (the agent app maps one to the other), so the check is that the HTML
// refers to an inline attachment whose bytes are the expected image.
function checkEmbeddedImage(problems: string[], parsed: ParsedEmail, dataUri: string) {
  const m = /^data:([^;]+);base64,(.*)$/.exec(dataUri);
  if (!m) return check(problems, "html contains", parsed.html?.includes(dataUri), true);
  const found = parsed.attachments.some(
    (a) =>
      a.inline &&
      a.contentType === m[1] &&
      a.contentId !== null &&
      parsed.html?.includes(`cid:${a.contentId}`) &&
      Buffer.from(a.content).toString("base64").startsWith(m[2]),
  );
  check(problems, `html refers by cid: to the inline ${m[1]} mailparser embeds`, found, true);
}

export async function checkLibraryCorpus(dir: string): Promise<CaseResult[]> {
  const expected = readJson(path.join(dir, "expected.json"));
  const results: CaseResult[] = [];
  for (const c of expected.cases as Expect[]) results.push(await checkLibraryCase(dir, c));
  return results;
}

// MIME-tools names parts Msg, Part_1, Part_1_2, ...; a message/rfc822 part has the message it
// carries as its only child.
function partAt(tree: MimePart, key: string): MimePart | null {
  if (key === "Msg") return tree;
  let part: MimePart | undefined = tree;
  for (const n of key.replace(/^Part_/, "").split("_")) part = part?.parts[Number(n) - 1];
  return part ?? null;
}

const FIELD_CHECKS: Record<string, (p: MimePart) => unknown> = {
  Type: (p) => p.type.toLowerCase(),
  Encoding: (p) => p.encoding.toLowerCase(),
  Charset: (p) => p.charset?.toLowerCase() ?? null,
  Boundary: (p) => p.boundary,
  Filename: (p) => p.filename,
  Disposition: (p) => p.disposition,
  Size: (p) => p.size,
  Subject: (p) => (p.subject === null ? null : squash(p.subject)),
  From: (p) => (p.from === null ? null : squash(p.from)),
  To: (p) => (p.to === null ? null : squash(p.to)),
};

const normalizeExpected = (field: string, value: unknown) =>
  typeof value !== "string"
    ? value
    : ["Type", "Encoding", "Charset"].includes(field)
      ? value.toLowerCase()
      : ["Subject", "From", "To"].includes(field)
        ? squash(value)
        : value;

// Old MIME-tools refused this message; newer versions read it, and so do we. Its alternative
// expectation is a Perl hash dump of plain string fields.
function perlRef(file: string): Record<string, Record<string, string>> {
  const text = readFileSync(file, "utf8");
  const msg: Record<string, string> = {};
  for (const m of text.matchAll(/"(\w+)"\s*=>\s*"((?:[^"\\]|\\.)*)"/g)) {
    if (m[1] !== "Message" && m[1] !== "Name" && m[1] !== "OutputToCore")
      msg[m[1]] = m[2].replace(/\\(.)/g, "$1");
  }
  return { Msg: msg };
}

async function checkMimeToolsRef(
  dir: string,
  name: string,
  ref: Record<string, Expect>,
): Promise<CaseResult> {
  const problems: string[] = [];
  const message = String((ref.Parser as Expect).Message).replace(/^testmsgs\//, "");
  let expected = ref;
  if ((ref.Msg as Expect | undefined)?.Fail) {
    const alternative = path.join(dir, `${name}-newmailtools-ref`);
    if (!existsSync(alternative))
      return { name, problems: ["expects the parser to fail; Parley never rejects"] };
    expected = perlRef(alternative);
  }
  const raw = readFileSync(path.join(dir, message));
  await parseCase(path.join(dir, message), problems);
  let tree: MimePart;
  try {
    tree = await describeMime(raw);
  } catch (err) {
    return { name, problems: [...problems, `describeMime threw: ${(err as Error).message}`] };
  }
  const replace = (ref.Parser as Expect).ExtractNested === "REPLACE";
  for (const [key, fields] of Object.entries(expected)) {
    if (key === "Parser") continue;
    let part = partAt(tree, key);
    // ExtractNested=REPLACE puts the carried message where its message/rfc822 part was.
    if (replace && part?.type === "message/rfc822" && part.parts[0]) part = part.parts[0];
    if (!part) {
      problems.push(`${key}: no such part`);
      continue;
    }
    for (const [field, value] of Object.entries(fields as Expect)) {
      const read = FIELD_CHECKS[field];
      if (read) check(problems, `${key}.${field}`, read(part), normalizeExpected(field, value));
    }
  }
  return { name, problems };
}

export async function checkMimeToolsCorpus(dir: string): Promise<CaseResult[]> {
  const { refs } = readJson(path.join(dir, "expected.json")) as {
    refs: Record<string, Record<string, Expect>>;
  };
  const results: CaseResult[] = [];
  const covered = new Set<string>();
  for (const [name, ref] of Object.entries(refs)) {
    covered.add(String((ref.Parser as Expect).Message).replace(/^testmsgs\//, ""));
    results.push(await checkMimeToolsRef(dir, name, ref));
  }
  // Messages without a reference still must parse: they are the malformed ones.
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".msg") && !covered.has(f))) {
    const problems: string[] = [];
    const parsed = await parseCase(path.join(dir, file), problems);
    if (parsed) {
      try {
        await describeMime(readFileSync(path.join(dir, file)));
      } catch (err) {
        problems.push(`describeMime threw: ${(err as Error).message}`);
      }
    }
    results.push({ name: `${file} (parses)`, problems });
  }
  return results;
}
