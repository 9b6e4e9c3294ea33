import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DomUtils, parseDocument } from "htmlparser2";
import type { CaseResult } from "./corpus-mime-checks.ts";
import { parseEmail } from "./parse.ts";
import { type ReplySegment, replySegments, replyWithoutQuotes } from "./reply-split.ts";
import { htmlToPlainText } from "./sanitize-email.ts";

type Expect = Record<string, unknown>;

// Reply texts compared without trailing spaces on a line: the reply parser drops them, and
// Parley keeps the sender's lines as written.
const lines = (s: string) =>
  s
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .trimEnd();

function check(problems: string[], what: string, actual: unknown, expected: unknown) {
  if (typeof actual === "string" && typeof expected === "string" && actual !== expected) {
    let at = 0;
    while (actual[at] === expected[at]) at++;
    const around = (s: string) => JSON.stringify(s.slice(Math.max(0, at - 30), at + 50));
    problems.push(`${what}: differs at ${at}: got ${around(actual)}, expected ${around(expected)}`);
  } else if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    problems.push(
      `${what}: got ${JSON.stringify(actual)?.slice(0, 200)}, expected ${JSON.stringify(expected)?.slice(0, 200)}`,
    );
  }
}

// Every non-blank line of the body is in exactly one segment: quoted history and signatures
// are set aside, never dropped.
function checkCoverage(problems: string[], body: string, segments: ReplySegment[]) {
  const original = body
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .filter((l) => l.trim());
  const kept = segments.flatMap((s) => s.text.split("\n")).filter((l) => l.trim());
  if (JSON.stringify(original) !== JSON.stringify(kept))
    problems.push("segments do not hold every line of the body");
}

function regexOf(source: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(source);
  return m ? new RegExp(m[1], m[2]) : new RegExp(source);
}

function checkReplyParserCase(dir: string, c: Expect): CaseResult {
  const problems: string[] = [];
  const body = readFileSync(path.join(dir, String(c.fixture)), "utf8");
  const segments = replySegments(body);
  checkCoverage(problems, body, segments);
  const visible = segments
    .filter((s) => s.kind === "text")
    .map((s) => s.text)
    .join("\n")
    .replace(/~*$/, "");
  if ("first_fragment_equals" in c)
    check(problems, "first fragment", lines(segments[0]?.text ?? ""), lines(String(c.first_fragment_equals)));
  if ("visible_text_equals" in c)
    check(problems, "visible text", lines(visible), lines(String(c.visible_text_equals)));
  // "reply_trimmed_equals" is upstream's first fragment, trimmed.
  const firstFresh = segments.find((s) => s.kind === "text")?.text ?? "";
  if ("reply_trimmed_equals" in c)
    check(problems, "reply", lines(firstFresh).trim(), lines(String(c.reply_trimmed_equals)).trim());
  // Upstream calls its own fragment count on email_1 a known limitation, so it is not held against us.
  if ("fragment_count" in c && !/known limitation/.test(String(c.note ?? ""))) {
    check(problems, "fragment count", segments.length, c.fragment_count);
  }
  for (const r of (c.fragment_regex as { fragment: number; regex: string }[] | undefined) ?? []) {
    const text = segments[r.fragment]?.text ?? "";
    if (!regexOf(r.regex).test(text))
      problems.push(`fragment ${r.fragment} does not match ${r.regex}: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { name: String(c.fixture), problems };
}

export function checkReplyParserCorpus(dir: string): CaseResult[] {
  const expected = JSON.parse(readFileSync(path.join(dir, "expected.json"), "utf8"));
  return (expected.cases as Expect[]).map((c) => checkReplyParserCase(dir, c));
}

// A fixture folder without expectations (GitHub's originals): each body must split without
// losing a line.
export function checkReplyFixtures(dir: string): CaseResult[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .map((file) => {
      const problems: string[] = [];
      const body = readFileSync(path.join(dir, file), "utf8");
      checkCoverage(problems, body, replySegments(body));
      return { name: `${file} (keeps every line)`, problems };
    });
}

const htmlMail = (html: Buffer) =>
  Buffer.concat([
    Buffer.from(
      "From: Alex <alex@example.com>\r\nSubject: Re: test\r\nContent-Type: text/html; charset=utf-8\r\n\r\n",
    ),
    html,
  ]);

// The HTML as the agent app first shows it, every blockquote collapsed, must open with the reply
// and show at most one more line (an attribution such as "26.06.2014, Alex <a@b>:" that the
// client wrote outside its blockquote): the history itself is out of sight.
function checkCollapsedHtml(problems: string[], html: string, expected: string) {
  const doc = parseDocument(html);
  for (const q of DomUtils.getElementsByTagName("blockquote", doc)) DomUtils.removeElement(q);
  const shown = htmlToPlainText(DomUtils.getOuterHTML(doc))
    .split("\n")
    .filter((l) => l.trim());
  const joined = shown.join("").replace(/\s+/g, "");
  if (!joined.startsWith(expected))
    problems.push(`collapsed HTML does not open with the reply: ${JSON.stringify(joined.slice(0, 80))}`);
  let taken = 0;
  let lines = 0;
  while (lines < shown.length && taken < expected.length) taken += shown[lines++].replace(/\s+/g, "").length;
  if (shown.length - lines > 1)
    problems.push(
      `collapsed HTML shows history: ${JSON.stringify(shown.slice(lines).join(" / ").slice(0, 120))}`,
    );
}

async function checkTalonCase(dir: string, c: Expect): Promise<CaseResult> {
  const problems: string[] = [];
  const file = path.join(dir, String(c.file));
  const kind = String(c.kind);
  try {
    if (kind.startsWith("plain-reply")) {
      const parsed = await parseEmail(readFileSync(file));
      const reply = replyWithoutQuotes(parsed.text, parsed.from);
      checkCoverage(problems, parsed.text, replySegments(parsed.text, parsed.from));
      if (typeof c.expected_reply_trimmed === "string")
        check(problems, "reply", lines(reply).trim(), lines(c.expected_reply_trimmed).trim());
      else {
        check(problems, "reply is non-empty", reply.trim().length > 0, true);
        check(problems, "reply holds no quoted From line", /\bFrom\b/.test(reply), false);
      }
    } else if (kind === "html-reply") {
      const parsed = await parseEmail(htmlMail(readFileSync(file)));
      const reply = replyWithoutQuotes(parsed.text, parsed.from).replace(/\s+/g, "");
      check(problems, "reply without whitespace", reply, c.expected_reply_text_no_whitespace);
      checkCollapsedHtml(problems, parsed.html ?? "", String(c.expected_reply_text_no_whitespace));
    } else if (kind === "signature") {
      const body = readFileSync(file, "utf8");
      const senderFile = path.join(dir, String(c.sender_file));
      const sender = existsSync(senderFile) ? readFileSync(senderFile, "utf8").trim() : "";
      const segments = replySegments(body, {
        name: sender.includes("@") ? "" : sender,
        address: sender.includes("@") ? sender : "",
      });
      checkCoverage(problems, body, segments);
      const signature = segments
        .filter((s) => s.kind === "signature")
        .map((s) => s.text)
        .join("\n");
      const expected = readFileSync(path.join(dir, String(c.expected_signature_file)), "utf8");
      check(problems, "signature", signature.trim(), expected.trim());
    } else problems.push(`unknown case kind ${kind}`);
  } catch (err) {
    problems.push(`threw: ${(err as Error).message}`);
  }
  return { name: String(c.file), problems };
}

export async function checkTalonCorpus(dir: string): Promise<CaseResult[]> {
  const expected = JSON.parse(readFileSync(path.join(dir, "expected.json"), "utf8"));
  const results: CaseResult[] = [];
  for (const c of expected.cases as Expect[]) results.push(await checkTalonCase(dir, c));
  return results;
}
