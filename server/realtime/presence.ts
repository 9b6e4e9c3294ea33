import type { PresenceNotice } from "./bus.ts";

// A viewer who has not repeated their presence for this long is gone: their tab crashed, their
// laptop slept, or the instance holding their socket died without saying "left".
export const PRESENCE_TTL_MS = 30_000;

export interface PresenceUser {
  id: number;
  name: string;
  state: "viewing" | "typing";
}

interface Entry {
  userId: number;
  name: string;
  state: "viewing" | "typing";
  expiresAt: number;
}

export interface TicketPresence {
  workspaceId: number;
  ticketId: number;
  ticket: PresenceNotice["ticket"];
  entries: Map<string, Entry>;
}

// Who is on which ticket, across all instances: every instance applies every presence notice
// (its own included, as they come back through NOTIFY), so all of them hold the same picture.
export class PresenceRegistry {
  readonly #tickets = new Map<string, TicketPresence>();
  readonly #onChange: (presence: TicketPresence) => void;
  readonly #now: () => number;

  constructor(onChange: (presence: TicketPresence) => void, now: () => number = Date.now) {
    this.#onChange = onChange;
    this.#now = now;
  }

  apply(notice: PresenceNotice) {
    const key = `${notice.workspaceId}:${notice.ticketId}`;
    let presence = this.#tickets.get(key);
    if (!presence) {
      if (notice.state === "left") return;
      presence = {
        workspaceId: notice.workspaceId,
        ticketId: notice.ticketId,
        ticket: notice.ticket,
        entries: new Map(),
      };
      this.#tickets.set(key, presence);
    }
    // The newest notice carries the ticket's current group and assignee.
    presence.ticket = notice.ticket;
    const entryKey = `${notice.instanceId}:${notice.connectionId}`;
    const before = presence.entries.get(entryKey);
    if (notice.state === "left") {
      if (!presence.entries.delete(entryKey)) return;
    } else {
      presence.entries.set(entryKey, {
        userId: notice.userId,
        name: notice.name,
        state: notice.state,
        expiresAt: this.#now() + PRESENCE_TTL_MS,
      });
      // A refresh that changes nothing is not news.
      if (before?.state === notice.state) return;
    }
    if (presence.entries.size === 0) this.#tickets.delete(key);
    this.#onChange(presence);
  }

  sweep() {
    const now = this.#now();
    for (const [key, presence] of this.#tickets) {
      let changed = false;
      for (const [entryKey, entry] of presence.entries) {
        if (entry.expiresAt <= now) {
          presence.entries.delete(entryKey);
          changed = true;
        }
      }
      if (presence.entries.size === 0) this.#tickets.delete(key);
      if (changed) this.#onChange(presence);
    }
  }

  get(workspaceId: number, ticketId: number): TicketPresence | undefined {
    return this.#tickets.get(`${workspaceId}:${ticketId}`);
  }
}

// One line per person, however many tabs they have open; typing wins over viewing.
export function presenceUsers(presence: TicketPresence): PresenceUser[] {
  const byUser = new Map<number, PresenceUser>();
  for (const entry of presence.entries.values()) {
    const seen = byUser.get(entry.userId);
    if (!seen || entry.state === "typing") {
      byUser.set(entry.userId, { id: entry.userId, name: entry.name, state: entry.state });
    }
  }
  return [...byUser.values()].sort((a, b) => a.id - b.id);
}
