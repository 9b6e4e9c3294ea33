import { type Kysely, sql } from "kysely";

// Whether a search walks the newest rows (a common word: matches come quickly) or reads the GIN
// index (a rare word) is the planner's choice, made from the lexeme frequencies ANALYZE keeps for
// the tsvector columns. With the default target (100) only about a thousand lexemes are tracked
// and every other word is guessed to match 0.5% of rows, which sends rare words (names, order
// numbers, error codes) down the walk through every row. Ten times the target tracks about ten
// thousand lexemes, so an untracked word is known to be rare.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table tickets alter column search_vector set statistics 1000`.execute(db);
  await sql`alter table messages alter column search_vector set statistics 1000`.execute(db);
}
