import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { isValidAddress } from "./mail-addresses.ts";
import { parseEmail } from "./parse.ts";

// Properties of reading a sender, over generated headers. The runs are seeded, so a failure
// replays; PARLEY_FUZZ_SEED and PARLEY_FUZZ_RUNS explore further.
const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? 20261207);
const RUNS = Number(process.env.PARLEY_FUZZ_RUNS ?? 200);

// Display names as people write them: letters of several scripts, spaces inside, and the
// punctuation that address syntax gives a meaning to (commas, quotes, brackets, @).
const nameChar = fc.constantFrom(..."abcXYZ019 .,;:<>\"'()[]@\\-_!?éüßÆçБжЯ张伟山田ー€".split(""));
const displayName = fc
  .array(nameChar, { minLength: 1, maxLength: 30 })
  .map((chars) => chars.join("").replace(/\s+/g, " ").trim())
  .filter((name) => name.length > 0);

// RFC 2047 Q encoding as careless mailers write it: specials left raw, only what Q cannot carry
// (space, ?, =, _ and non-ASCII) encoded.
function qWord(text: string): string {
  const body = [...Buffer.from(text, "utf8")]
    .map((b) => {
      if (b === 0x20) return "_";
      const c = String.fromCharCode(b);
      return b > 0x20 && b < 0x7f && !"?=_".includes(c)
        ? c
        : `=${b.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
  return `=?utf-8?Q?${body}?=`;
}
const bWord = (text: string) => `=?utf-8?B?${Buffer.from(text, "utf8").toString("base64")}?=`;

const mail = (from: string) => Buffer.from(`From: ${from}\r\nSubject: hi\r\n\r\nhello\r\n`, "utf8");

test("an encoded display name reads back whole, whatever punctuation it holds", async () => {
  await fc.assert(
    fc.asyncProperty(displayName, fc.boolean(), async (name, q) => {
      const parsed = await parseEmail(mail(`${q ? qWord(name) : bWord(name)} <someone@example.com>`));
      assert.deepEqual(parsed.from, { address: "someone@example.com", name });
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test("whatever a From header holds, the sender is a valid address or none with a reason", async () => {
  const junk = fc
    .array(fc.constantFrom(...'ab@.<>" ,;:()[]\\=?_é张'.split(""), "=?utf-8?Q?", "?=", "example.com"), {
      maxLength: 40,
    })
    .map((parts) => parts.join(""));
  await fc.assert(
    fc.asyncProperty(junk, async (header) => {
      const parsed = await parseEmail(mail(header));
      if (parsed.from) assert.ok(isValidAddress(parsed.from.address), parsed.from.address);
      else assert.ok(parsed.fromProblem, "a mail without a sender says why");
    }),
    { seed: SEED, numRuns: RUNS },
  );
});
