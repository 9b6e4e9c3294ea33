import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type TestUser, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { createUser } from "../workspaces/service.ts";

const ctx = useTestApp();

interface Row {
  id: number;
  number: number;
  subject: string;
  status: string;
  priority: string;
  assigneeId: number | null;
  groupId: number | null;
  requesterId: number;
  updatedAt: string;
}

// Every page of a listing, `limit` rows at a time, following nextCursor to the end.
async function walk(ws: TestWorkspace, user: TestUser, path: string, limit: number) {
  const rows: Row[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 80; pages++) {
    const sep = path.includes("?") ? "&" : "?";
    const url = `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`;
    const res = await ws.as(user).get(url);
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json() as { data: Row[]; nextCursor: string | null };
    rows.push(...page.data);
    assert.ok(page.data.length <= limit);
    cursor = page.nextCursor;
    if (!cursor) return rows;
  }
  throw new Error("too many pages");
}

// A small desk with names chosen so that case-insensitive order is the same in every collation.
async function desk() {
  const ws = await buildWorkspace(ctx());
  const zulu = await ws.group("zulu team");
  const echo = await ws.group("Echo team");
  const named = async (name: string, groupIds: number[]) =>
    (await createUser(ws.db, ws.id, { name, email: `${name}-${ws.id}@agents.test`, role: "agent", groupIds }))
      .id;
  const bravo = await named("bravo", [zulu.id]);
  const alpha = await named("Alpha", [echo.id]);
  const specs = [
    {
      subject: "printer jam",
      status: "open",
      priority: "high",
      assigneeId: bravo,
      groupId: zulu.id,
      who: "quinn",
    },
    { subject: "Billing question", status: "new", priority: "low", who: "Avery" },
    { subject: "account locked", status: "pending", priority: "urgent", assigneeId: alpha, who: "morgan" },
    { subject: "Zebra crossing", status: "open", priority: "normal", groupId: echo.id, who: "Avery" },
    {
      subject: "cannot log in",
      status: "on_hold",
      priority: "high",
      assigneeId: alpha,
      groupId: echo.id,
      who: "blake",
    },
    { subject: "Refund", status: "open", priority: "urgent", assigneeId: bravo, who: "quinn" },
    { subject: "delivery late", status: "solved", priority: "normal", groupId: zulu.id, who: "zed" },
  ];
  const ids: number[] = [];
  for (const { who, ...spec } of specs) {
    const requester = { email: `${who.toLowerCase()}-${ws.id}@customer.test`, name: who };
    const solved = spec.status === "solved";
    const ticket = await ws.ticket({ ...spec, status: solved ? "open" : spec.status, requester });
    if (solved) {
      const res = await ws
        .as(ws.admin)
        .patch(`/api/v1/tickets/${ticket.id}`, { status: "solved", version: ticket.version });
      assert.equal(res.statusCode, 200, res.body);
    }
    ids.push(ticket.id);
  }
  const all = (await ws.as(ws.admin).post("/api/v1/views", { name: "Everything", shared: true })).json();
  const names = new Map<number, string>([
    [bravo, "bravo"],
    [alpha, "alpha"],
    [zulu.id, "zulu team"],
    [echo.id, "echo team"],
  ]);
  return { ws, viewId: all.id as number, ids, names, alpha, bravo, zulu, echo };
}

const byUpdated = (a: Row, b: Row) => b.updatedAt.localeCompare(a.updatedAt) || b.id - a.id;
const rank = (order: readonly (string | number | null)[], value: string | number | null) =>
  order.indexOf(value);

test("every column sorts a view both ways, page after page, with the same rows as one page", async () => {
  const { ws, viewId, names } = await desk();
  const base = `/api/v1/views/${viewId}/tickets`;
  const everything = await walk(ws, ws.admin, base, 100);
  assert.equal(everything.length, 7);
  const contacts = new Map<number, string>();
  for (const row of everything) {
    const res = await ws.as(ws.admin).get(`/api/v1/contacts/${row.requesterId}`);
    contacts.set(row.requesterId, res.json().name.toLowerCase());
  }
  const nameOrder = (map: Map<number, string>, id: number | null) => (id === null ? "\uffff" : map.get(id)!);
  const statusOrder = ["new", "open", "pending", "on_hold", "solved", "closed"];
  const priorityOrder = ["low", "normal", "high", "urgent"];
  const expected: Record<string, (a: Row, b: Row) => number> = {
    number: (a, b) => a.number - b.number,
    subject: (a, b) => a.subject.toLowerCase().localeCompare(b.subject.toLowerCase()) || a.id - b.id,
    requester: (a, b) =>
      contacts.get(a.requesterId)!.localeCompare(contacts.get(b.requesterId)!) ||
      a.requesterId - b.requesterId ||
      a.id - b.id,
    status: (a, b) => rank(statusOrder, a.status) - rank(statusOrder, b.status) || byUpdated(a, b),
    priority: (a, b) => rank(priorityOrder, a.priority) - rank(priorityOrder, b.priority) || byUpdated(a, b),
    assignee: (a, b) =>
      nameOrder(names, a.assigneeId).localeCompare(nameOrder(names, b.assigneeId)) || byUpdated(a, b),
    group: (a, b) =>
      nameOrder(names, a.groupId).localeCompare(nameOrder(names, b.groupId)) || byUpdated(a, b),
  };
  // Grouped sorts reverse the order of the values, not the newest-first order within one value.
  const grouped = new Set(["status", "priority", "assignee", "group"]);
  for (const [sort, compare] of Object.entries(expected)) {
    const asc = await walk(ws, ws.admin, `${base}?sort=${sort}&direction=asc`, 2);
    assert.deepEqual(
      asc.map((r) => r.id),
      [...everything].sort(compare).map((r) => r.id),
      `${sort} asc`,
    );
    const desc = await walk(ws, ws.admin, `${base}?sort=${sort}&direction=desc`, 2);
    if (!grouped.has(sort)) {
      assert.deepEqual(
        desc.map((r) => r.id),
        [...everything].sort((a, b) => compare(b, a)).map((r) => r.id),
        `${sort} desc`,
      );
      continue;
    }
    const key = (r: Row) =>
      sort === "status"
        ? r.status
        : sort === "priority"
          ? r.priority
          : String(sort === "group" ? r.groupId : r.assigneeId);
    assert.deepEqual(desc.map(key), asc.map(key).reverse(), `${sort} desc reverses the values`);
    for (let i = 1; i < desc.length; i++) {
      if (key(desc[i]) === key(desc[i - 1])) assert.ok(byUpdated(desc[i - 1], desc[i]) < 0, `${sort} desc`);
    }
  }
});

test("a view saved with a grouped sort runs in that order, and filters narrow the values", async () => {
  const { ws, alpha } = await desk();
  const created = await ws.as(ws.admin).post("/api/v1/views", {
    name: "Alpha's by priority",
    filters: { assigneeId: alpha, status: ["pending", "on_hold"] },
    sort: { field: "priority", direction: "desc" },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.deepEqual(created.json().sort, { field: "priority", direction: "desc" });
  const rows = await walk(ws, ws.admin, `/api/v1/views/${created.json().id}/tickets`, 1);
  assert.deepEqual(
    rows.map((r) => r.priority),
    ["urgent", "high"],
  );
  const byAssignee = await walk(ws, ws.admin, `/api/v1/views/${created.json().id}/tickets?sort=assignee`, 1);
  assert.equal(byAssignee.length, 2);
});

test("a cursor works only with the sort that made it", async () => {
  const { ws, viewId } = await desk();
  const base = `/api/v1/views/${viewId}/tickets`;
  const first = (await ws.as(ws.admin).get(`${base}?sort=status&direction=asc&limit=1`)).json();
  assert.ok(first.nextCursor);
  for (const other of ["sort=priority", "sort=status&direction=desc", "sort=subject"]) {
    const res = await ws.as(ws.admin).get(`${base}?${other}&limit=1&cursor=${first.nextCursor}`);
    assert.equal(res.statusCode, 400, other);
    assert.equal(res.json().code, "invalid_cursor");
  }
  const bad = await ws
    .as(ws.admin)
    .get(`${base}?sort=group&cursor=${Buffer.from("[1]").toString("base64url")}`);
  assert.equal(bad.json().code, "invalid_cursor");
  const unknown = await ws.as(ws.admin).get(`${base}?sort=colour`);
  assert.equal(unknown.statusCode, 400);
  assert.equal(unknown.json().code, "validation_failed");
});

test("a restricted agent's sorted pages hold the tickets of their groups and their own", async () => {
  const { ws, viewId, echo } = await desk();
  const restricted = await ws.agent({ ticketAccess: "groups", groupIds: [echo.id] });
  const own = await ws.ticket({ subject: "mine", assigneeId: restricted.id });
  for (const sort of ["group", "assignee", "requester", "subject", "status", "priority", "updated_at"]) {
    for (const direction of ["asc", "desc"]) {
      const rows = await walk(
        ws,
        restricted,
        `/api/v1/views/${viewId}/tickets?sort=${sort}&direction=${direction}`,
        1,
      );
      assert.equal(rows.length, 3, `${sort} ${direction}`);
      assert.ok(
        rows.every((r) => r.groupId === echo.id || r.id === own.id),
        `${sort} ${direction}`,
      );
    }
  }
});

test("preview lists unsaved filters with any sort; only agents may use it", async () => {
  const { ws, alpha, bravo } = await desk();
  const agent = await ws.agent();
  const url = `/api/v1/views/preview/tickets?status=open&status=pending&priority=urgent&priority=high&sort=assignee&direction=asc`;
  const rows = await walk(ws, agent, url, 1);
  assert.deepEqual(
    rows.map((r) => [r.assigneeId, r.status, r.priority]),
    [
      [alpha, "pending", "urgent"],
      [bravo, "open", "urgent"],
      [bravo, "open", "high"],
    ],
  );
  const mine = await walk(ws, agent, "/api/v1/views/preview/tickets?assigneeId=me", 10);
  assert.equal(mine.length, 0);
  const recent = await walk(ws, agent, "/api/v1/views/preview/tickets?updatedWithinDays=1&status=solved", 10);
  assert.equal(recent.length, 1);

  assert.equal((await ws.anonymous().get("/api/v1/views/preview/tickets")).statusCode, 401);
  const customer = await ws.customerSession(rows[0].requesterId);
  const forbidden = await customer.get("/api/v1/views/preview/tickets");
  assert.equal(forbidden.statusCode, 403);
  assert.equal(forbidden.json().code, "forbidden");
  for (const query of ["status=someday", "colour=red", "assigneeId=you", "sort=secret", "limit=0"]) {
    const res = await ws.as(agent).get(`/api/v1/views/preview/tickets?${query}`);
    assert.equal(res.statusCode, 400, query);
    assert.equal(res.json().code, "validation_failed");
  }
});

test("a grouped sort that finds nothing in many values returns a short page and goes on", async () => {
  const ws = await buildWorkspace(ctx());
  const group = await ws.group("support");
  const ids: number[] = [];
  // Twelve agents named in order; only the last has tickets.
  for (let i = 0; i < 12; i++) {
    const name = `zz agent ${String(i).padStart(2, "0")}`;
    ids.push(
      (
        await createUser(ws.db, ws.id, {
          name,
          email: `${i}-${ws.id}@agents.test`,
          role: "agent",
          groupIds: [group.id],
        })
      ).id,
    );
  }
  const last = ids.at(-1)!;
  const mine = [
    await ws.ticket({ groupId: group.id, assigneeId: last }),
    await ws.ticket({ groupId: group.id, assigneeId: last }),
  ];
  const view = (
    await ws.as(ws.admin).post("/api/v1/views", { name: "Assigned", filters: { groupId: group.id } })
  ).json();
  const first = (
    await ws.as(ws.admin).get(`/api/v1/views/${view.id}/tickets?sort=assignee&direction=asc&limit=1`)
  ).json();
  // Admin, then agents 00 to 06: eight values with nothing, and a cursor to go on from.
  assert.deepEqual(first.data, []);
  assert.ok(first.nextCursor);
  const rows = await walk(ws, ws.admin, `/api/v1/views/${view.id}/tickets?sort=assignee&direction=asc`, 1);
  assert.deepEqual(
    rows.map((r) => r.id),
    [mine[1].id, mine[0].id],
  );
});
