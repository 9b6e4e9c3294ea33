import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import type { Actor, Scope } from "./actor.ts";
import { actorGeneration, cachedActor, rememberActor } from "./actor-cache.ts";
import { newToken, sha256 } from "./secrets.ts";

export const SESSION_COOKIE = "parley_session";

export async function createUserSession(db: Db, workspaceId: number, userId: number, ttlHours: number) {
  const token = newToken("ps");
  await db
    .insertInto("sessions")
    .values({
      workspace_id: workspaceId,
      token_hash: sha256(token),
      user_id: userId,
      contact_id: null,
      expires_at: new Date(Date.now() + ttlHours * 3600_000),
    })
    .execute();
  return token;
}

// Portal sign-in (magic links) will call this; tests use it to act as a customer.
export async function createContactSession(db: Db, workspaceId: number, contactId: number, ttlHours: number) {
  const token = newToken("ps");
  await db
    .insertInto("sessions")
    .values({
      workspace_id: workspaceId,
      token_hash: sha256(token),
      user_id: null,
      contact_id: contactId,
      expires_at: new Date(Date.now() + ttlHours * 3600_000),
    })
    .execute();
  return token;
}

export async function endSession(db: Db, token: string) {
  await db.deleteFrom("sessions").where("token_hash", "=", sha256(token)).execute();
}

export async function endOtherSessions(
  db: Db,
  workspaceId: number,
  userId: number,
  keepToken: string | null,
) {
  let q = db.deleteFrom("sessions").where("workspace_id", "=", workspaceId).where("user_id", "=", userId);
  if (keepToken) q = q.where("token_hash", "<>", sha256(keepToken));
  await q.execute();
}

export async function userActor(db: Db, workspaceId: number, userId: number, scopes: Scope[] | null) {
  const user = await db
    .selectFrom("users")
    .select(["id", "role", "ticket_access", "active"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", userId)
    .executeTakeFirst();
  if (!user?.active) return null;
  const groups = await db
    .selectFrom("group_members")
    .select("group_id")
    .where("workspace_id", "=", workspaceId)
    .where("user_id", "=", userId)
    .execute();
  const actor: Actor = {
    type: "user",
    workspaceId,
    userId,
    role: user.role,
    ticketAccess: user.ticket_access,
    groupIds: groups.map((g) => g.group_id),
    scopes,
  };
  return actor;
}

async function contactActor(db: Db, workspaceId: number, contactId: number): Promise<Actor | null> {
  const row = await db
    .selectFrom("contacts as c")
    .leftJoin("organizations as o", (j) =>
      j.onRef("o.workspace_id", "=", "c.workspace_id").onRef("o.id", "=", "c.organization_id"),
    )
    .select(["c.id", "c.blocked", "c.organization_id", "o.shared_tickets"])
    .where("c.workspace_id", "=", workspaceId)
    .where("c.id", "=", contactId)
    .executeTakeFirst();
  if (!row || row.blocked) return null;
  return {
    type: "contact",
    workspaceId,
    contactId,
    organizationId: row.organization_id,
    seesOrganizationTickets: row.shared_tickets === true,
  };
}

export async function actorFromSession(db: Db, token: string): Promise<Actor | null> {
  const hash = sha256(token);
  const cached = cachedActor(hash);
  if (cached) return cached.actor;
  const since = actorGeneration();
  const session = await db
    .selectFrom("sessions")
    .select(["workspace_id", "user_id", "contact_id", "expires_at"])
    .where("token_hash", "=", hash)
    .executeTakeFirst();
  if (!session || new Date(session.expires_at) <= new Date()) return null;
  let actor: Actor | null = null;
  if (session.user_id !== null) actor = await userActor(db, session.workspace_id, session.user_id, null);
  else if (session.contact_id !== null)
    actor = await contactActor(db, session.workspace_id, session.contact_id);
  if (actor) rememberActor(hash, { actor, tokenId: null }, new Date(session.expires_at), since);
  return actor;
}

// When each token's last_used_at was last written (or read), by workspace and token id.
const touched = new Map<string, number>();

export async function actorFromApiToken(db: Db, token: string): Promise<Actor | null> {
  const hash = sha256(token);
  const cached = cachedActor(hash);
  if (cached) {
    if (cached.tokenId !== null) touchToken(db, cached.actor.workspaceId, cached.tokenId, null);
    return cached.actor;
  }
  const since = actorGeneration();
  const row = await db
    .selectFrom("api_tokens")
    .select(["id", "workspace_id", "user_id", "scopes", "expires_at", "revoked_at", "last_used_at"])
    .where("token_hash", "=", hash)
    .executeTakeFirst();
  if (!row || row.revoked_at || (row.expires_at && row.expires_at <= new Date())) return null;
  touchToken(db, row.workspace_id, row.id, row.last_used_at);
  const actor = await userActor(db, row.workspace_id, row.user_id, row.scopes as Scope[]);
  if (actor) rememberActor(hash, { actor, tokenId: row.id }, row.expires_at, since);
  return actor;
}

// Touch last_used_at at most once a minute, without making the request wait: a busy integration
// should not write on every call. Raw SQL on purpose: a write through the query builder would
// make the actor cache forget every entry (see actor-cache.ts), and this changes no one's rights.
function touchToken(db: Db, workspaceId: number, tokenId: number, lastUsedAt: Date | null) {
  const key = `${workspaceId}:${tokenId}`;
  const now = Date.now();
  const last = Math.max(touched.get(key) ?? 0, lastUsedAt?.getTime() ?? 0);
  if (now - last <= 60_000) return;
  if (touched.size >= 10_000) touched.clear();
  touched.set(key, now);
  sql`update api_tokens set last_used_at = ${new Date(now)} where workspace_id = ${workspaceId} and id = ${tokenId}`
    .execute(db)
    .catch(() => {
      // The next request tries again a minute later; a lost touch only ages lastUsedAt.
    });
}
