import type { FastifyBaseLogger } from "fastify";
import { sql } from "kysely";
import { ACCESS_CHANNEL, type AccessNotice } from "../auth/access-notice.ts";
import { systemActor } from "../auth/actor.ts";
import { forgetActors } from "../auth/actor-cache.ts";
import type { Database$ } from "../db/connection.ts";
import type { Metrics } from "../http/metrics.ts";
import { NOTIFICATIONS_CHANNEL, type NotificationNotice } from "../notifications/realtime.ts";
import { EVENTS_CHANNEL, type EventNotice } from "../tickets/events.ts";
import { ticketEvents } from "../tickets/queries.ts";
import { PgListener } from "./pg-listener.ts";

export const PRESENCE_CHANNEL = "parley_presence";

export type PresenceState = "viewing" | "typing" | "left";

// One viewer's presence on one ticket, as every instance hears it. The ticket's visibility
// fields travel along so receivers can decide who may see it without a query.
export interface PresenceNotice {
  instanceId: string;
  connectionId: string;
  workspaceId: number;
  ticketId: number;
  userId: number;
  name: string;
  state: PresenceState;
  ticket: {
    groupId: number | null;
    assigneeId: number | null;
    requesterId: number;
    organizationId: number | null;
  };
}

export interface EventDetails {
  id: number;
  type: string;
  actorType: string;
  actorId: number | null;
  changes: Record<string, unknown>;
  createdAt: Date;
}

type Handler<T> = (value: T) => void;

// Fan-out of committed ticket events and of presence, to this instance and all others on the
// same database, by LISTEN/NOTIFY. On PostgreSQL a dedicated connection listens; on PGlite the
// embedded database delivers notifications in-process (checked: only on commit, never for a
// rolled-back transaction, the same as the server).
export class EventBus {
  readonly instanceId = crypto.randomUUID();
  readonly #database: Database$;
  readonly #log: FastifyBaseLogger;
  readonly #metrics: Metrics | null;
  readonly #handlers = {
    event: new Set<Handler<EventNotice>>(),
    presence: new Set<Handler<PresenceNotice>>(),
    notification: new Set<Handler<NotificationNotice>>(),
    access: new Set<Handler<AccessNotice>>(),
  };
  readonly #resyncHandlers = new Set<() => void>();
  readonly #details = new Map<string, Promise<EventDetails | null>>();
  #close: (() => Promise<void>) | null = null;

  constructor(database: Database$, log: FastifyBaseLogger, metrics: Metrics | null = null) {
    this.#database = database;
    this.#log = log;
    this.#metrics = metrics;
  }

  async start() {
    const channels = [EVENTS_CHANNEL, PRESENCE_CHANNEL, NOTIFICATIONS_CHANNEL, ACCESS_CHANNEL];
    const deliver = (channel: string, payload: string) => this.#deliver(channel, payload);
    const { pglite, lock, connectionString } = this.#database;
    if (pglite && lock) {
      // LISTEN under the connection lock: issued inside another caller's open transaction it
      // would be undone by that transaction's rollback. Delivery happens during the COMMIT that
      // another caller awaits, so handlers run on a later tick, never inside it.
      const unlisten = await lock.run(() =>
        Promise.all(channels.map((ch) => pglite.listen(ch, (p) => setImmediate(deliver, ch, p)))),
      );
      this.#close = () => lock.run(async () => void (await Promise.all(unlisten.map((u) => u()))));
      return this;
    }
    const listener = new PgListener({
      connectionString: connectionString!,
      channels,
      log: this.#log,
      onNotification: deliver,
      onReconnect: () => {
        this.#metrics?.eventBusReconnects.inc();
        // Rights may have changed while nobody listened.
        forgetActors();
        for (const fn of this.#resyncHandlers) fn();
      },
    });
    await listener.start();
    this.#close = () => listener.close();
    return this;
  }

  async close() {
    const close = this.#close;
    this.#close = null;
    this.#handlers.event.clear();
    this.#handlers.presence.clear();
    this.#handlers.notification.clear();
    this.#handlers.access.clear();
    this.#resyncHandlers.clear();
    await close?.();
  }

  onTicketEvent(fn: Handler<EventNotice>) {
    this.#handlers.event.add(fn);
    return () => this.#handlers.event.delete(fn);
  }

  onPresence(fn: Handler<PresenceNotice>) {
    this.#handlers.presence.add(fn);
    return () => this.#handlers.presence.delete(fn);
  }

  onNotification(fn: Handler<NotificationNotice>) {
    this.#handlers.notification.add(fn);
    return () => this.#handlers.notification.delete(fn);
  }

  // Someone's rights changed (a committed change; see auth/access-notice.ts). The actor cache of
  // this instance has already forgotten everything when handlers run.
  onAccessChange(fn: Handler<AccessNotice>) {
    this.#handlers.access.add(fn);
    return () => this.#handlers.access.delete(fn);
  }

  // Notifications sent while the LISTEN connection was down are gone: subscribers refetch.
  onResync(fn: () => void) {
    this.#resyncHandlers.add(fn);
    return () => this.#resyncHandlers.delete(fn);
  }

  async publishPresence(notice: PresenceNotice) {
    await sql`select pg_notify(${PRESENCE_CHANNEL}, ${JSON.stringify(notice)})`.execute(this.#database.db);
  }

  // The event row behind a notice, loaded once per instance however many subscribers ask, and
  // the moment it arrives is what the lag metric measures.
  eventDetails(notice: EventNotice): Promise<EventDetails | null> {
    const key = `${notice.workspaceId}:${notice.eventId}`;
    let pending = this.#details.get(key);
    if (!pending) {
      pending = this.#loadDetails(notice);
      this.#details.set(key, pending);
      // A failed load is not remembered: the next subscriber tries again.
      pending.catch(() => this.#details.delete(key));
      // Recent events only: subscribers ask within the same tick or a few queries later.
      if (this.#details.size > 500) this.#details.delete(this.#details.keys().next().value!);
    }
    return pending;
  }

  async #loadDetails(notice: EventNotice): Promise<EventDetails | null> {
    const actor = systemActor(notice.workspaceId);
    const [row] = await ticketEvents(this.#database.db, actor, notice.ticketId, notice.eventId - 1, 1);
    if (row?.id !== notice.eventId) return null;
    this.#metrics?.eventBusLag.observe(Math.max(0, Date.now() - row.created_at.getTime()) / 1000);
    return {
      id: row.id,
      type: row.type,
      actorType: row.actor_type,
      actorId: row.actor_id,
      changes: row.changes,
      createdAt: row.created_at,
    };
  }

  #deliver(channel: string, payload: string) {
    let value: unknown;
    try {
      value = JSON.parse(payload);
    } catch (err) {
      this.#log.warn({ err, channel }, "event bus dropped a notification that is not JSON");
      return;
    }
    // Forget cached actors at commit, on every instance: the cache's own forgetting (write-watch)
    // sees only this process's writes, and runs before they commit.
    if (channel === ACCESS_CHANNEL) forgetActors();
    const handlers =
      channel === EVENTS_CHANNEL
        ? this.#handlers.event
        : channel === NOTIFICATIONS_CHANNEL
          ? this.#handlers.notification
          : channel === ACCESS_CHANNEL
            ? this.#handlers.access
            : this.#handlers.presence;
    for (const fn of handlers) {
      try {
        fn(value as never);
      } catch (err) {
        this.#log.error({ err, channel }, "event bus subscriber failed");
      }
    }
  }
}

export async function startEventBus(database: Database$, log: FastifyBaseLogger, metrics?: Metrics) {
  return new EventBus(database, log, metrics ?? null).start();
}
