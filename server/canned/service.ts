import type { Selectable } from "kysely";
import type { UserActor } from "../auth/actor.ts";
import type { Db } from "../db/connection.ts";
import type { CannedResponseTable } from "../db/types.ts";
import { invalid, notFound } from "../http/errors.ts";
import { unknownPlaceholders } from "./placeholders.ts";

export type CannedResponseRow = Omit<Selectable<CannedResponseTable>, "workspace_id">;
export const CANNED_COLUMNS = [
  "id",
  "title",
  "body",
  "updated_by_user_id",
  "created_at",
  "updated_at",
] as const;

export interface CannedResponseInput {
  title: string;
  body: string;
}

function check(input: Partial<CannedResponseInput>) {
  const errors = input.body === undefined ? [] : unknownPlaceholders(input.body, "body");
  if (input.title !== undefined && input.title.trim() === "")
    errors.push({ path: "title", message: "The title must not be blank." });
  if (input.body !== undefined && input.body.trim() === "")
    errors.push({ path: "body", message: "The text must not be blank." });
  if (errors.length) throw invalid(errors);
}

// A title taken by another response (whatever its case) fails on the unique index and leaves as
// 409 already_exists.
export async function createCannedResponse(db: Db, actor: UserActor, input: CannedResponseInput) {
  check(input);
  return db
    .insertInto("canned_responses")
    .values({
      workspace_id: actor.workspaceId,
      title: input.title.trim(),
      body: input.body,
      updated_by_user_id: actor.userId,
    })
    .returning(CANNED_COLUMNS)
    .executeTakeFirstOrThrow();
}

export async function updateCannedResponse(
  db: Db,
  actor: UserActor,
  id: number,
  input: Partial<CannedResponseInput>,
) {
  check(input);
  const row = await db
    .updateTable("canned_responses")
    .set({
      title: input.title?.trim(),
      body: input.body,
      updated_by_user_id: actor.userId,
      updated_at: new Date(),
    })
    .where("workspace_id", "=", actor.workspaceId)
    .where("id", "=", id)
    .returning(CANNED_COLUMNS)
    .executeTakeFirst();
  if (!row) throw notFound("canned response");
  return row;
}

export async function deleteCannedResponse(db: Db, actor: UserActor, id: number) {
  const row = await db
    .deleteFrom("canned_responses")
    .where("workspace_id", "=", actor.workspaceId)
    .where("id", "=", id)
    .returning("id")
    .executeTakeFirst();
  if (!row) throw notFound("canned response");
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

// A workspace keeps tens of these, not thousands: a substring match over title and body is
// enough, with title matches before matches in the body only.
export async function cannedResponses(db: Db, workspaceId: number, query: string | undefined, limit: number) {
  let q = db.selectFrom("canned_responses").select(CANNED_COLUMNS).where("workspace_id", "=", workspaceId);
  const text = query?.trim();
  if (text) {
    const pattern = `%${escapeLike(text)}%`;
    q = q
      .where((eb) => eb.or([eb("title", "ilike", pattern), eb("body", "ilike", pattern)]))
      .orderBy((eb) => eb("title", "ilike", pattern), "desc");
  }
  return q
    .orderBy((eb) => eb.fn("lower", ["title"]))
    .orderBy("id")
    .limit(limit)
    .execute();
}

export async function cannedResponse(db: Db, workspaceId: number, id: number) {
  const row = await db
    .selectFrom("canned_responses")
    .select(CANNED_COLUMNS)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw notFound("canned response");
  return row;
}
