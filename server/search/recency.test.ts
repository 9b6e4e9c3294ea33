import assert from "node:assert/strict";
import { test } from "node:test";
import { newestMatches, nextRound, type Round } from "./recency.ts";

const FINE = 16_384;
const COARSE = 262_144;

// Every round the loop runs when each round finds `perId` rows per id it covers.
async function roundsOf(maxId: number, need: number, perId: number) {
  const rounds: Round[] = [];
  await newestMatches("'refund'", maxId, need, async (round, limit) => {
    rounds.push(round);
    const ids = round.below - (round.from ?? 0);
    return Array.from({ length: Math.min(limit, Math.floor(ids * perId)) }, () => 0);
  });
  return rounds;
}

test("the rounds read every id up to the newest exactly once, newest first, when nothing matches", async () => {
  for (const maxId of [0, 1, FINE - 1, FINE, 70_000, COARSE, 2_500_000, 40_000_000]) {
    const rounds = await roundsOf(maxId, 250, 0);
    let above = Math.floor(maxId / FINE + 1) * FINE;
    assert.ok(above > maxId);
    for (const round of rounds) {
      assert.equal(round.below, above);
      above = round.from ?? 0;
    }
    assert.equal(above, 0);
  }
});

test("rounds ask for the query and their buckets; the last one excludes the buckets read", () => {
  const start = 153 * FINE;
  assert.deepEqual(nextRound("'charg' & 'twice'", start, start, 0, 250), {
    query: "( 'charg' & 'twice' ) & ( ' 152' )",
    from: 152 * FINE,
    below: 153 * FINE,
  });
  // Four times what was read, fine buckets down to the coarse boundary (144 = 9 * 16).
  assert.equal(
    nextRound("'x'", start, 152 * FINE, 0, 250)!.query,
    "( 'x' ) & ( ' 151' | ' 150' | ' 149' | ' 148' )",
  );
  assert.equal(nextRound("'x'", start, 148 * FINE, 0, 250)!.from, 144 * FINE);
  assert.equal(nextRound("'x'", start, 144 * FINE, 0, 250)!.query, "( 'x' ) & ( ' c8' | ' c7' | ' c6' )");
  // After 16 coarse buckets, everything older at once.
  const last = nextRound("'x'", 40 * COARSE, 20 * COARSE, 3, 250)!;
  assert.equal(last.from, null);
  assert.equal(last.below, 20 * COARSE);
  assert.match(last.query, /^\( 'x' \) & !\( ' c39' \| ' c38' \| .* \| ' c20' \)$/);
});

test("rounds are sized from the density seen so far and stop once enough rows are found", async () => {
  assert.equal((await roundsOf(2_500_000, 250, 0.1)).length, 1);
  // 20 rows a fine bucket: each round reads enough for the rest (with a margin), at most four
  // times what was read, fine buckets for less than a coarse bucket's worth.
  const sizes = (await roundsOf(2_500_000, 250, 20 / FINE)).map((r) => (r.below - r.from!) / FINE);
  assert.deepEqual(sizes, [1, 4, 4, 7]);
  const sparse = await roundsOf(40_000_000, 250, 0.5 / FINE);
  assert.equal(sparse[sparse.length - 1].from, null);
});
