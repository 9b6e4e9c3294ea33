import type { FastifyBaseLogger } from "fastify";
import type { WebSocket } from "ws";
import type { AccessNotice } from "../auth/access-notice.ts";
import type { Actor } from "../auth/actor.ts";
import { canSeeTicket } from "../auth/permissions.ts";
import type { Db } from "../db/connection.ts";
import type { Metrics } from "../http/metrics.ts";
import type { NotificationNotice } from "../notifications/realtime.ts";
import type { EventNotice } from "../tickets/events.ts";
import { visibleTicket } from "../tickets/service.ts";
import type { EventBus, PresenceNotice, PresenceState } from "./bus.ts";
import { PresenceRegistry, presenceUsers, type TicketPresence } from "./presence.ts";
import { presentEventFor } from "./present.ts";

export interface Connection {
  id: string;
  socket: WebSocket;
  actor: Actor;
  // Set for agents and admins: the name other agents see in presence.
  user: { id: number; name: string } | null;
  // Tickets this connection announced presence on, to say "left" when it closes.
  presence: Map<number, PresenceNotice["ticket"]>;
  alive: boolean;
  // Who the socket's credentials stand for now (null: signed out, deactivated, blocked, revoked).
  resolveActor: () => Promise<Actor | null>;
  // Set while the actor is being looked up again after a change of rights: events wait for it,
  // so none is pushed on the rights the connection had before the change.
  refreshing: Promise<void> | null;
}

export const CLOSE_SESSION_ENDED = 4401;

const SWEEP_MS = 5_000;

// The sockets of this instance, by workspace, and what to push to each. Everything it pushes
// came through the bus, so a socket here hears of changes made through any instance.
export class RealtimeHub {
  readonly #bus: EventBus;
  readonly #db: Db;
  readonly #log: FastifyBaseLogger;
  readonly #metrics: Metrics | null;
  readonly #byWorkspace = new Map<number, Set<Connection>>();
  readonly #presence = new PresenceRegistry((p) => this.#pushPresence(p));
  readonly #unsubscribe: (() => void)[] = [];
  readonly #leaving = new Set<Promise<void>>();
  #sweep: NodeJS.Timeout | null = null;

  constructor(bus: EventBus, db: Db, log: FastifyBaseLogger, metrics: Metrics | null) {
    this.#bus = bus;
    this.#db = db;
    this.#log = log;
    this.#metrics = metrics;
  }

  start() {
    this.#unsubscribe.push(
      this.#bus.onTicketEvent((n) => {
        this.#pushEvent(n).catch((err) =>
          this.#log.error({ err, eventId: n.eventId }, "realtime push failed"),
        );
      }),
      this.#bus.onPresence((n) => this.#presence.apply(n)),
      this.#bus.onNotification((n) => this.#pushNotification(n)),
      this.#bus.onResync(() => {
        for (const conn of this.connections) void this.refresh(conn);
        this.#broadcast({ type: "resync" });
      }),
      this.#bus.onAccessChange((n) => this.#accessChanged(n)),
    );
    this.#sweep = setInterval(() => this.#presence.sweep(), SWEEP_MS);
    this.#sweep.unref();
  }

  // Says "left" for every viewer on this instance now, while the database is still open, so
  // other instances drop them at once rather than after the 30 s expiry.
  async stop() {
    for (const fn of this.#unsubscribe.splice(0)) fn();
    if (this.#sweep) clearInterval(this.#sweep);
    for (const conn of this.connections) void this.remove(conn);
    await Promise.allSettled([...this.#leaving]);
  }

  get connections(): Iterable<Connection> {
    return [...this.#byWorkspace.values()].flatMap((set) => [...set]);
  }

  add(conn: Connection) {
    let set = this.#byWorkspace.get(conn.actor.workspaceId);
    if (!set) {
      set = new Set();
      this.#byWorkspace.set(conn.actor.workspaceId, set);
    }
    set.add(conn);
    this.#metrics?.websocketConnections.inc();
  }

  remove(conn: Connection) {
    const leaving = this.#remove(conn).finally(() => this.#leaving.delete(leaving));
    this.#leaving.add(leaving);
    return leaving;
  }

  async #remove(conn: Connection) {
    const set = this.#byWorkspace.get(conn.actor.workspaceId);
    if (!set?.delete(conn)) return;
    if (set.size === 0) this.#byWorkspace.delete(conn.actor.workspaceId);
    this.#metrics?.websocketConnections.dec();
    for (const [ticketId, ticket] of conn.presence) {
      await this.#publish(conn, ticketId, ticket, "left").catch((err) =>
        this.#log.warn({ err, ticketId }, "could not announce that a viewer left"),
      );
    }
    conn.presence.clear();
  }

  // Throws not_found when the ticket does not exist or the connection may not see it.
  async setPresence(conn: Connection, ticketId: number, state: PresenceState) {
    if (!conn.user) return;
    if (state === "left") {
      const ticket = conn.presence.get(ticketId);
      if (!ticket) return;
      conn.presence.delete(ticketId);
      await this.#publish(conn, ticketId, ticket, "left");
      return;
    }
    const t = await visibleTicket(this.#db, conn.actor, ticketId);
    const ticket = {
      groupId: t.group_id,
      assigneeId: t.assignee_id,
      requesterId: t.requester_id,
      organizationId: t.organization_id,
    };
    conn.presence.set(ticketId, ticket);
    await this.#publish(conn, ticketId, ticket, state);
  }

  #publish(conn: Connection, ticketId: number, ticket: PresenceNotice["ticket"], state: PresenceState) {
    return this.#bus.publishPresence({
      instanceId: this.#bus.instanceId,
      connectionId: conn.id,
      workspaceId: conn.actor.workspaceId,
      ticketId,
      userId: conn.user!.id,
      name: conn.user!.name,
      state,
      ticket,
    });
  }

  // Looks the connection's actor up again, now, bypassing nothing but what the change made stale
  // (the bus has made the actor cache forget). Refreshes of one connection run one after another,
  // so the last one reads the latest change. A connection whose credentials no longer stand for
  // anyone is closed (4401: sign in again).
  refresh(conn: Connection): Promise<void> {
    const previous = conn.refreshing ?? Promise.resolve();
    const current = previous
      .then(async () => {
        const actor = await conn.resolveActor();
        if (actor) conn.actor = actor;
        else conn.socket.close(CLOSE_SESSION_ENDED, "session ended");
      })
      .catch((err) => this.#log.warn({ err, connectionId: conn.id }, "realtime could not re-check a socket"))
      .finally(() => {
        if (conn.refreshing === current) conn.refreshing = null;
      });
    conn.refreshing = current;
    return current;
  }

  #accessChanged(notice: AccessNotice) {
    for (const conn of this.#byWorkspace.get(notice.workspaceId) ?? []) {
      const a = conn.actor;
      const affected =
        a.type === "user"
          ? notice.userId === a.userId
          : a.type === "contact" &&
            (notice.contactId === a.contactId ||
              (notice.organizationId !== null && notice.organizationId === a.organizationId));
      if (affected) void this.refresh(conn);
    }
  }

  async #pushEvent(notice: EventNotice) {
    const scope = {
      group_id: notice.groupId,
      assignee_id: notice.assigneeId,
      requester_id: notice.requesterId,
      organization_id: notice.organizationId,
    };
    const connections = [...(this.#byWorkspace.get(notice.workspaceId) ?? [])];
    // A change of rights committed before this event: decide on the rights after it.
    const refreshing = connections.flatMap((c) => (c.refreshing ? [c.refreshing] : []));
    if (refreshing.length) await Promise.all(refreshing);
    const targets = connections.filter(
      (c) => c.socket.readyState === c.socket.OPEN && canSeeTicket(c.actor, scope),
    );
    if (targets.length === 0) return;
    const details = await this.#bus.eventDetails(notice);
    if (!details) return;
    for (const conn of targets) {
      const event = presentEventFor(conn.actor, notice, details);
      if (event) send(conn, { type: "ticket.event", event });
    }
  }

  // Presence is for agents: customers never learn who on the team is looking at their ticket.
  #pushPresence(presence: TicketPresence) {
    const scope = {
      group_id: presence.ticket.groupId,
      assignee_id: presence.ticket.assigneeId,
      requester_id: presence.ticket.requesterId,
      organization_id: presence.ticket.organizationId,
    };
    const message = { type: "presence", ticketId: presence.ticketId, users: presenceUsers(presence) };
    for (const conn of this.#byWorkspace.get(presence.workspaceId) ?? []) {
      if (conn.user && canSeeTicket(conn.actor, scope)) send(conn, message);
    }
  }

  // To the one user whose notifications changed, on every socket (tab) they have open.
  #pushNotification(notice: NotificationNotice) {
    const message = { type: "notification", reason: notice.reason };
    for (const conn of this.#byWorkspace.get(notice.workspaceId) ?? []) {
      if (conn.user?.id === notice.userId) send(conn, message);
    }
  }

  #broadcast(message: object) {
    for (const conn of this.connections) send(conn, message);
  }
}

export function send(conn: Connection, message: object) {
  if (conn.socket.readyState === conn.socket.OPEN) conn.socket.send(JSON.stringify(message));
}
