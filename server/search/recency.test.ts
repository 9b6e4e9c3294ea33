import assert from "node:assert/strict";
import { test } from "node:test";
import { newestMatches, roundsFor } from "./recency.ts";

test("the rounds cover every id up to the newest exactly once, newest buckets first", () => {
  for (const maxId of [0, 1, 16_383, 16_384, 70_000, 2_500_000]) {
    const rounds = roundsFor("'refund'", maxId);
    let above = Number.POSITIVE_INFINITY;
    for (const round of rounds) {
      assert.ok(round.below !== null && round.below <= above && round.below > (round.from ?? 0));
      if (round.from !== null) assert.ok(round.from >= 0);
      above = round.from ?? 0;
    }
    assert.ok(rounds[0].below! > maxId);
    assert.equal(above, 0);
  }
});

test("a bucketed round asks for the query and its buckets; the last round for the query alone", () => {
  const rounds = roundsFor("'charg' & 'twice'", 2_500_000);
  assert.equal(rounds[0].query, "( 'charg' & 'twice' ) & ( ' 152' )");
  assert.deepEqual([rounds[0].from, rounds[0].below], [152 * 16_384, 153 * 16_384]);
  assert.equal(rounds[1].query, "( 'charg' & 'twice' ) & ( ' 151' | ' 150' | ' 149' )");
  const last = rounds[rounds.length - 1];
  assert.deepEqual(last, { query: "'charg' & 'twice'", from: null, below: 89 * 16_384 });
});

test("rounds run until enough matches are found, each asked only for what is missing", async () => {
  const asked: number[] = [];
  const rows = await newestMatches(roundsFor("'x'", 2_500_000), 5, async (round, limit) => {
    asked.push(limit);
    return round.from === 152 * 16_384 ? [1, 2] : [3, 4, 5, 6].slice(0, limit);
  });
  assert.deepEqual(rows, [1, 2, 3, 4, 5]);
  assert.deepEqual(asked, [5, 3]);
});
