// npm run test:corpus: parses the public email corpora in ../shared/corpus/email against the
// expectations shipped with them, prints a pass rate per corpus, then redelivers every corpus
// mail twice and checks nothing is stored twice. Fails only on a case that is not listed, with
// its reason, in corpus-known-failures.json (mirrored in docs/email.md).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { type CaseResult, checkLibraryCorpus, checkMimeToolsCorpus } from "./corpus-mime-checks.ts";
import { redeliverTwice } from "./corpus-redeliver.ts";
import { checkReplyFixtures, checkReplyParserCorpus, checkTalonCorpus } from "./corpus-reply-checks.ts";
import { parseEmail } from "./parse.ts";

interface KnownFailure {
  corpus: string;
  case: string;
  reason: string;
}

const repoRoot = path.resolve(import.meta.dirname, "..", "..");
const corpusRoot = path.join(repoRoot, "..", "shared", "corpus", "email");
const known: KnownFailure[] = JSON.parse(
  readFileSync(path.join(import.meta.dirname, "corpus-known-failures.json"), "utf8"),
);

function mailFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) return mailFiles(file);
      return /\.(eml|msg)$/.test(name) ? [file] : [];
    });
}

// A corpus we have no expectations for still has to parse without an error.
async function checkParses(dir: string): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const file of mailFiles(dir)) {
    const problems: string[] = [];
    await parseEmail(readFileSync(file)).catch((err: Error) =>
      problems.push(`parseEmail threw: ${err.message}`),
    );
    results.push({ name: `${path.relative(dir, file)} (parses)`, problems });
  }
  return results;
}

async function runCorpus(name: string, dir: string): Promise<CaseResult[]> {
  if (name === "mailparser" || name === "postal-mime") return checkLibraryCorpus(dir);
  if (name === "mime-tools") return checkMimeToolsCorpus(dir);
  if (name === "talon") return checkTalonCorpus(dir);
  if (existsSync(path.join(dir, "expected.json"))) {
    const expected = JSON.parse(readFileSync(path.join(dir, "expected.json"), "utf8"));
    if (Array.isArray(expected.cases) && expected.cases[0]?.fixture) return checkReplyParserCorpus(dir);
  }
  if (readdirSync(dir).some((f) => f.endsWith(".txt"))) return checkReplyFixtures(dir);
  return checkParses(dir);
}

// email-reply-parser holds two fixture sets, each its own corpus.
function corpora(): { name: string; dir: string }[] {
  return readdirSync(corpusRoot)
    .sort()
    .filter((name) => statSync(path.join(corpusRoot, name)).isDirectory())
    .flatMap((name) => {
      const dir = path.join(corpusRoot, name);
      if (
        existsSync(path.join(dir, "expected.json")) ||
        readdirSync(dir).some((f) => /\.(eml|msg|txt)$/.test(f))
      ) {
        return [{ name, dir }];
      }
      return readdirSync(dir)
        .sort()
        .filter((sub) => statSync(path.join(dir, sub)).isDirectory())
        .map((sub) => ({ name: `${name}/${sub}`, dir: path.join(dir, sub) }));
    });
}

async function main() {
  if (!existsSync(corpusRoot)) {
    console.log(`No corpus at ${corpusRoot}; nothing to check.`);
    console.log("0 passed, 0 failed");
    return;
  }
  const rows: string[][] = [
    ["corpus", "cases", "passed", "known failures", "unexpected failures", "pass rate"],
  ];
  let passed = 0;
  let unexpected = 0;
  let knownCount = 0;
  const seenKnown = new Set<KnownFailure>();
  for (const { name, dir } of corpora()) {
    const results = await runCorpus(name, dir);
    let ok = 0;
    let expectedFail = 0;
    let badFail = 0;
    for (const r of results) {
      const listed = known.find((k) => k.corpus === name && k.case === r.name);
      if (listed) seenKnown.add(listed);
      if (r.problems.length === 0) {
        ok++;
        if (listed)
          console.log(
            `FIXED  ${name} ${r.name}: listed as a known failure but passes; remove it from the list`,
          );
      } else if (listed) {
        expectedFail++;
        console.log(`known  ${name} ${r.name}: ${listed.reason}`);
      } else {
        badFail++;
        console.log(`FAIL   ${name} ${r.name}\n       ${r.problems.join("\n       ")}`);
      }
    }
    passed += ok;
    unexpected += badFail;
    knownCount += expectedFail;
    const rate = results.length ? `${((100 * ok) / results.length).toFixed(1)}%` : "-";
    rows.push([name, String(results.length), String(ok), String(expectedFail), String(badFail), rate]);
  }
  for (const k of known.filter((k) => !seenKnown.has(k)))
    console.log(`stale  ${k.corpus} ${k.case}: no such case`);

  const redelivery = await redeliverTwice(corpusRoot, mailFiles(corpusRoot));
  for (const line of redelivery.report) console.log(line);
  rows.push([
    "redelivery (twice)",
    String(redelivery.cases),
    String(redelivery.passed),
    "0",
    String(redelivery.cases - redelivery.passed),
    redelivery.cases ? `${((100 * redelivery.passed) / redelivery.cases).toFixed(1)}%` : "-",
  ]);
  passed += redelivery.passed;
  unexpected += redelivery.cases - redelivery.passed;

  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log("");
  for (const row of rows)
    console.log(
      row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "),
    );
  console.log("");
  if (knownCount)
    console.log(`${knownCount} known failures, documented in docs/email.md, are counted as skipped.`);
  console.log(`${passed} passed, ${unexpected} failed${knownCount ? `, ${knownCount} skipped` : ""}`);
  process.exitCode = unexpected > 0 ? 1 : 0;
}

await main();
