import assert from "node:assert/strict";
import { test } from "node:test";
import type { PresenceNotice } from "./bus.ts";
import { PRESENCE_TTL_MS, PresenceRegistry, presenceUsers, type TicketPresence } from "./presence.ts";

const ticket = { groupId: 1, assigneeId: null, requesterId: 9, organizationId: null };

function notice(overrides: Partial<PresenceNotice>): PresenceNotice {
  return {
    instanceId: "a",
    connectionId: "c1",
    workspaceId: 1,
    ticketId: 7,
    userId: 1,
    name: "Ada",
    state: "viewing",
    ticket,
    ...overrides,
  };
}

function registry() {
  let now = 1_000_000;
  const changes: { ticketId: number; users: ReturnType<typeof presenceUsers> }[] = [];
  const r = new PresenceRegistry(
    (p: TicketPresence) => changes.push({ ticketId: p.ticketId, users: presenceUsers(p) }),
    () => now,
  );
  return { r, changes, advance: (ms: number) => (now += ms) };
}

test("a viewer who goes silent for 30 seconds is removed", () => {
  const { r, changes, advance } = registry();
  r.apply(notice({}));
  advance(PRESENCE_TTL_MS - 1);
  r.sweep();
  assert.equal(changes.length, 1);
  advance(1);
  r.sweep();
  assert.deepEqual(changes.at(-1), { ticketId: 7, users: [] });
  assert.equal(r.get(1, 7), undefined);
});

test("repeating presence keeps a viewer and is not news", () => {
  const { r, changes, advance } = registry();
  r.apply(notice({}));
  advance(20_000);
  r.apply(notice({}));
  advance(20_000);
  r.sweep();
  assert.equal(changes.length, 1);
  assert.deepEqual(presenceUsers(r.get(1, 7)!), [{ id: 1, name: "Ada", state: "viewing" }]);
});

test("one line per person across tabs and instances, typing first; leaving removes one tab", () => {
  const { r, changes } = registry();
  r.apply(notice({}));
  r.apply(notice({ instanceId: "b", connectionId: "c9", state: "typing" }));
  r.apply(notice({ connectionId: "c2", userId: 2, name: "Bo" }));
  assert.deepEqual(changes.at(-1)?.users, [
    { id: 1, name: "Ada", state: "typing" },
    { id: 2, name: "Bo", state: "viewing" },
  ]);
  r.apply(notice({ instanceId: "b", connectionId: "c9", state: "left" }));
  assert.deepEqual(changes.at(-1)?.users[0], { id: 1, name: "Ada", state: "viewing" });
  const before = changes.length;
  r.apply(notice({ connectionId: "never-seen", state: "left" }));
  assert.equal(changes.length, before);
});
