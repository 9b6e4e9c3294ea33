import { sql } from "kysely";
import { hashPassword } from "../auth/secrets.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import { createUser } from "./service.ts";

// `parley create-admin`: the way back in when nobody can sign in.
export async function createAdmin(
  db: Db,
  input: { email: string; name?: string; password: string; workspaceId?: number },
) {
  if (!/^[^@\s]+@[^@\s]+$/.test(input.email)) throw new Error(`"${input.email}" is not an email address`);
  return inTransaction(db, async (trx) => {
    const ws = input.workspaceId
      ? await trx.selectFrom("workspaces").select("id").where("id", "=", input.workspaceId).executeTakeFirst()
      : await trx.selectFrom("workspaces").select("id").orderBy("id").limit(1).executeTakeFirst();
    if (!ws) {
      throw new Error(
        input.workspaceId
          ? `workspace ${input.workspaceId} does not exist`
          : "no workspace yet: run parley start once",
      );
    }
    const existing = await trx
      .selectFrom("users")
      .select("id")
      .where("workspace_id", "=", ws.id)
      .where(sql`lower(email)`, "=", input.email.toLowerCase())
      .executeTakeFirst();
    if (existing) {
      await trx
        .updateTable("users")
        .set({
          role: "admin",
          active: true,
          password_hash: await hashPassword(input.password),
          updated_at: new Date(),
        })
        .where("workspace_id", "=", ws.id)
        .where("id", "=", existing.id)
        .execute();
      return { created: false, email: input.email, workspaceId: ws.id };
    }
    await createUser(trx, ws.id, {
      name: input.name ?? "Admin",
      email: input.email,
      role: "admin",
      password: input.password,
    });
    return { created: true, email: input.email, workspaceId: ws.id };
  });
}
