import { onTableWrite } from "../db/write-watch.ts";
import type { Actor } from "./actor.ts";

// Who a token or session stands for, remembered for a few seconds: resolving it costs three
// statements, on every request, reads included. A change of rights (revoking a token,
// deactivating a user, changing a role or group, blocking a contact, ending a session) forgets
// every entry: at once when this process writes it (below), and on every instance when it
// commits (the event bus hears parley_access from the database's triggers and calls
// forgetActors). TTL_MS is only the backstop for an instance whose LISTEN connection is down,
// and for a process without an event bus (tests, CLI commands).
export const ACTOR_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

export interface CachedActor {
  actor: Actor;
  // The API token's id, to touch its last_used_at; null for a session.
  tokenId: number | null;
}

interface Entry extends CachedActor {
  cachedUntil: number;
  // The token's or session's own end, checked on every hit.
  expiresAt: number | null;
}

const entries = new Map<string, Entry>();
// Bumped on every forget, so a lookup that started before a change does not store what it read.
let generation = 0;

export function forgetActors() {
  generation++;
  entries.clear();
}

// A new row changes no one already signed in, except a new group membership.
onTableWrite(
  ["api_tokens", "sessions", "users", "group_members", "groups", "contacts", "organizations"],
  (table, kind) => {
    if (kind !== "insert" || table === "group_members") forgetActors();
  },
);

export function cachedActor(tokenHash: string): CachedActor | null {
  const entry = entries.get(tokenHash);
  if (!entry) return null;
  const now = Date.now();
  if (entry.cachedUntil <= now || (entry.expiresAt !== null && entry.expiresAt <= now)) {
    entries.delete(tokenHash);
    return null;
  }
  return entry;
}

export const actorGeneration = () => generation;

export function rememberActor(tokenHash: string, found: CachedActor, expiresAt: Date | null, since: number) {
  if (since !== generation) return;
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(tokenHash, {
    ...found,
    cachedUntil: Date.now() + ACTOR_CACHE_TTL_MS,
    expiresAt: expiresAt ? expiresAt.getTime() : null,
  });
}
