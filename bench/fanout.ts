import { sql } from "kysely";
import type WebSocket from "ws";
import { newToken, sha256 } from "../server/auth/secrets.ts";
import { createGroup, createUser } from "../server/workspaces/service.ts";
import { percentile } from "./load.ts";
import { fmt, openRealtime, rssMb, sampleMemory } from "./probe.ts";
import { createBenchWorkspace, openTarget, type ServerProcess, startParley, type Target } from "./target.ts";

// Realtime fan-out: `agents` websockets spread over `instances` Parley processes on one database,
// each agent signed in with a token of their own. A third of them work only group A, a third only
// group B, the rest see every ticket. Each change is a PATCH of a ticket in A or B through one
// instance (in turn); measured is the time from that PATCH's HTTP answer to each allowed socket's
// receipt of the event, and checked that every allowed socket got it and no other did.
// Target: p95 < 100 ms.

export interface FanoutOptions {
  agents: number;
  instances: number;
  changes: number;
  log: (line: string) => void;
}

type Access = "A" | "B" | "all";

interface Agent {
  access: Access;
  instance: number;
  token: string;
  ws?: WebSocket;
  // ticket id -> receipt times (performance.now()) of ticket.updated events.
  seen: Map<number, number[]>;
}

export async function benchFanout(target: Target, options: FanoutOptions) {
  const { log } = options;
  const database = await openTarget(target, true);
  const db = database.db;
  const workspaceId = await createBenchWorkspace(db);
  const groupA = (await createGroup(db, workspaceId, "Fanout A")).id;
  const groupB = (await createGroup(db, workspaceId, "Fanout B")).id;
  const tag = Date.now().toString(36);
  const agents: Agent[] = [];
  log(`creating ${options.agents} agents, each with an API token`);
  const tokens: {
    workspace_id: number;
    user_id: number;
    name: string;
    token_hash: string;
    prefix: string;
    scopes: string[];
  }[] = [];
  for (let i = 0; i < options.agents; i++) {
    const access: Access = i % 3 === 0 ? "A" : i % 3 === 1 ? "B" : "all";
    const user = await createUser(db, workspaceId, {
      name: `Fanout Agent ${i}`,
      email: `fanout-${tag}-${i}@bench.test`,
      role: "agent",
      ticketAccess: access === "all" ? "all" : "groups",
      groupIds: access === "A" ? [groupA] : access === "B" ? [groupB] : [],
    });
    const token = newToken("pat");
    tokens.push({
      workspace_id: workspaceId,
      user_id: user.id,
      name: "fanout",
      token_hash: sha256(token),
      prefix: token.slice(0, 10),
      scopes: ["read"],
    });
    agents.push({ access, instance: i % options.instances, token, seen: new Map() });
  }
  const admin = await createUser(db, workspaceId, {
    name: "Fanout Admin",
    email: `fanout-admin-${tag}@bench.test`,
    role: "admin",
  });
  const adminToken = newToken("pat");
  tokens.push({
    workspace_id: workspaceId,
    user_id: admin.id,
    name: "fanout",
    token_hash: sha256(adminToken),
    prefix: adminToken.slice(0, 10),
    scopes: ["read", "write"],
  });
  for (let i = 0; i < tokens.length; i += 500)
    await db
      .insertInto("api_tokens")
      .values(tokens.slice(i, i + 500))
      .execute();
  await sql`analyze`.execute(db);
  await database.close();

  const servers: ServerProcess[] = [];
  try {
    // One after another: each start runs the migrations check against the same database.
    for (let i = 0; i < options.instances; i++) servers.push(await startParley(target));
    const auth = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };
    // Warm each instance's request path before measuring memory.
    for (const s of servers) await fetch(`${s.url}/api/v1/tickets?limit=1`, { headers: auth });
    await new Promise((r) => setTimeout(r, 2000));
    const before = servers.map((s) => rssMb(s.pid));

    log(`connecting ${agents.length} websockets over ${servers.length} instance(s)`);
    let closed = 0;
    const batch = 50;
    for (let i = 0; i < agents.length; i += batch) {
      await Promise.all(
        agents.slice(i, i + batch).map(async (a) => {
          a.ws = await openRealtime(servers[a.instance].url, a.token, (message, receivedAt) => {
            if (message.type !== "ticket.event") return;
            const event = message.event as { type: string; ticketId: number };
            if (event.type !== "ticket.updated") return;
            const list = a.seen.get(event.ticketId) ?? [];
            list.push(receivedAt);
            a.seen.set(event.ticketId, list);
          });
          a.ws.on("close", () => closed++);
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 3000));
    const memory = await Promise.all(servers.map((s) => sampleMemory(s.url, s.pid, 0)));
    const perConnectionKb = servers.map((_, i) => {
      const n = agents.filter((a) => a.instance === i).length;
      return ((memory[i].rssMb - before[i]) * 1024) / n;
    });

    const ticket = async (groupId: number) => {
      const res = await fetch(`${servers[0].url}/api/v1/tickets`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({
          subject: `Fan-out ${groupId}`,
          requester: { email: `fanout-${tag}@customer.example` },
          groupId,
          comment: { body: "Fan-out probe" },
        }),
      });
      if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: number }).id;
    };
    const tickets = [
      { id: await ticket(groupA), group: "A" as const },
      { id: await ticket(groupB), group: "B" as const },
    ];

    const latencies: number[] = [];
    let missing = 0;
    let beforeAnswer = 0;
    log(`${options.changes} changes, one at a time, through each instance in turn`);
    for (let n = 0; n < options.changes; n++) {
      const t = tickets[n % 2];
      const allowed = agents.filter((a) => a.access === "all" || a.access === t.group);
      const counted = new Map(allowed.map((a) => [a, a.seen.get(t.id)?.length ?? 0]));
      const server = servers[n % servers.length];
      const res = await fetch(`${server.url}/api/v1/tickets/${t.id}`, {
        method: "PATCH",
        headers: auth,
        body: JSON.stringify({ priority: n % 4 < 2 ? "high" : "normal", subject: `Fan-out change ${n}` }),
      });
      const answeredAt = performance.now();
      if (res.status !== 200) throw new Error(`change: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      const deadline = answeredAt + 5000;
      const arrived = () => allowed.every((a) => (a.seen.get(t.id)?.length ?? 0) > counted.get(a)!);
      while (!arrived() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      for (const a of allowed) {
        const at = a.seen.get(t.id)?.[counted.get(a)!];
        if (at === undefined) {
          missing++;
          continue;
        }
        if (at < answeredAt) beforeAnswer++;
        latencies.push(Math.max(0, at - answeredAt));
      }
    }
    // Anything still in the air lands now; then count deliveries to agents who may not see it.
    await new Promise((r) => setTimeout(r, 1000));
    let leaked = 0;
    for (const a of agents) {
      for (const t of tickets) {
        if (a.access !== "all" && a.access !== t.group) leaked += a.seen.get(t.id)?.length ?? 0;
      }
    }
    const sorted = latencies.sort((x, y) => x - y);
    return {
      instances: servers.length,
      agents: agents.length,
      changes: options.changes,
      deliveries: sorted.length,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      max: sorted.at(-1) ?? Number.NaN,
      missing,
      leaked,
      beforeAnswer,
      closed,
      rssBefore: before,
      memory,
      perConnectionKb,
    };
  } finally {
    for (const a of agents) a.ws?.terminate();
    for (const s of servers) await s.stop();
  }
}

export type FanoutResult = Awaited<ReturnType<typeof benchFanout>>;

export function fanoutReport(r: FanoutResult): string {
  const lines = [
    "Target: p95 < 100 ms from a change's HTTP answer to each allowed socket's receipt.",
    "",
    "| instances | agents | changes | deliveries | p50 ms | p95 ms | max ms | missing | to agents not allowed | met |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    `| ${r.instances} | ${r.agents} | ${r.changes} | ${r.deliveries} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.max, 0)} | ${r.missing} | ${r.leaked} | ${r.p95 < 100 && r.missing === 0 && r.leaked === 0 ? "yes" : "NO"} |`,
    "",
    "| instance | RSS before sockets MB | RSS with sockets MB | heap used MB | per connection kB |",
    "| ---: | ---: | ---: | ---: | ---: |",
    ...r.memory.map(
      (m, i) =>
        `| ${i + 1} | ${fmt(r.rssBefore[i], 0)} | ${fmt(m.rssMb, 0)} | ${fmt(m.heapUsedMb, 0)} | ${fmt(r.perConnectionKb[i], 0)} |`,
    ),
    "",
    `${r.beforeAnswer} deliveries arrived before the PATCH's answer (counted as 0 ms); ${r.closed} sockets closed during the run.`,
  ];
  return lines.join("\n");
}
