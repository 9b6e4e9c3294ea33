import http from "node:http";
import { type BenchRequest, type LoadResult, runLoad, send } from "./load.ts";
import type { BenchIdentity } from "./target.ts";
import { SEARCH_QUERIES, SUBJECT_OBJECTS, SUBJECT_PROBLEMS, TAGS, VOCABULARY } from "./words.ts";

export interface Row extends LoadResult {
  scenario: string;
  label: string;
  concurrency: number;
}

const auth = (who: BenchIdentity) => ({ authorization: `Bearer ${who.token}` });
const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)];

function failIfErrors(row: Row) {
  if (row.errors > 0) {
    process.stderr.write(
      `${row.scenario} ${row.label}: ${row.errors} errors, e.g.\n  ${row.errorSamples.join("\n  ")}\n`,
    );
  }
  return row;
}

// A ticket as an integration would open it: a requester by email (a few thousand distinct
// customers, so most already exist), a group, sometimes tags, and a first message.
export function newTicket(who: BenchIdentity, i: number, idempotency: boolean): BenchRequest {
  const words = Array.from({ length: 30 }, () => pick(VOCABULARY)).join(" ");
  const tags = Math.random() < 0.3 ? [pick(TAGS)] : [];
  return {
    method: "POST",
    path: "/api/v1/tickets",
    headers: {
      ...auth(who),
      ...(idempotency ? { "idempotency-key": `bench-${process.pid}-${Date.now()}-${i}` } : {}),
    },
    body: {
      subject: `${pick(SUBJECT_OBJECTS)} ${pick(SUBJECT_PROBLEMS)}`,
      requester: { email: `load-${Math.floor(Math.random() * 5000)}@load.example`, name: "Load Test" },
      groupId: pick(who.groupIds),
      tags,
      comment: { body: `Hi, ${words}` },
    },
  };
}

export interface Server {
  url: string;
  pid?: number;
  // The PostgreSQL database it runs on, to count only that database's backends.
  database?: string;
}

export async function benchCreate(
  server: Server,
  admin: BenchIdentity,
  options: { concurrency: number[]; durationSec: number; idempotency: boolean },
): Promise<Row[]> {
  // Warm-up: JIT, the connection pool, and the contacts the requests will reuse.
  await runLoad({
    baseUrl: server.url,
    concurrency: 8,
    requests: 300,
    next: (i) => newTicket(admin, i, false),
  });
  const rows: Row[] = [];
  for (const concurrency of options.concurrency) {
    // Open every connection before measuring: when many connections open at once against a
    // saturated server, their first requests wait far longer than the steady state (see
    // docs/benchmarks.md), and that start-up effect is not what this figure is about.
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    await runLoad({
      baseUrl: server.url,
      agent,
      concurrency,
      requests: concurrency * 5,
      next: (i) => newTicket(admin, i, false),
    });
    const result = await runLoad({
      baseUrl: server.url,
      serverPid: server.pid,
      database: server.database,
      agent,
      concurrency,
      durationSec: options.durationSec,
      next: (i) => newTicket(admin, i, options.idempotency),
    });
    agent.destroy();
    const label = `POST /api/v1/tickets${options.idempotency ? " + Idempotency-Key" : ""}`;
    rows.push(failIfErrors({ ...result, scenario: "create", label, concurrency }));
  }
  return rows;
}

const INBOX = "/api/v1/tickets?status=open&status=new&sort=updated_at&limit=50";

interface DeepCursor {
  groupId: number;
  page: number;
  cursor: string;
}

// Walks each group's inbox page by page and keeps the cursors of pages 3 to 30: the deep
// pages an agent reaches by scrolling. Walking also warms the cache as a working desk would be.
async function collectCursors(baseUrl: string, who: BenchIdentity): Promise<DeepCursor[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const cursors: DeepCursor[] = [];
  for (const groupId of who.groupIds) {
    let cursor: string | null = null;
    for (let page = 1; page <= 30; page++) {
      const path = `${INBOX}&groupId=${groupId}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await send(agent, baseUrl, { method: "GET", path, headers: auth(who) });
      if (res.status !== 200) throw new Error(`inbox walk: ${res.status} ${res.body.slice(0, 200)}`);
      cursor = (JSON.parse(res.body) as { nextCursor: string | null }).nextCursor;
      if (!cursor) break;
      if (page >= 2) cursors.push({ groupId, page: page + 1, cursor });
    }
  }
  agent.destroy();
  return cursors;
}

export async function benchInbox(
  server: Server,
  who: { admin: BenchIdentity; agent: BenchIdentity },
  options: { requests: number; concurrency: number },
): Promise<Row[]> {
  const rows: Row[] = [];
  const run = async (label: string, next: (i: number) => BenchRequest) => {
    const result = await runLoad({
      baseUrl: server.url,
      serverPid: server.pid,
      concurrency: options.concurrency,
      requests: options.requests,
      next,
    });
    rows.push(failIfErrors({ ...result, scenario: "inbox", label, concurrency: options.concurrency }));
  };
  for (const [role, identity] of [
    ["admin", who.admin],
    ["agent (2 groups)", who.agent],
  ] as const) {
    const deep = await collectCursors(server.url, identity);
    const headers = auth(identity);
    await run(`${role}, one group, page 1`, () => ({
      method: "GET",
      path: `${INBOX}&groupId=${pick(identity.groupIds)}`,
      headers,
    }));
    if (deep.length > 0) {
      await run(`${role}, one group, pages 3-30`, () => {
        const d = pick(deep);
        return {
          method: "GET",
          path: `${INBOX}&groupId=${d.groupId}&cursor=${encodeURIComponent(d.cursor)}`,
          headers,
        };
      });
    }
    await run(`${role}, all groups, page 1`, () => ({ method: "GET", path: INBOX, headers }));
  }
  return rows;
}

export const SEARCH_PATH = "/api/v1/search";

export async function searchAvailable(baseUrl: string, who: BenchIdentity) {
  const agent = new http.Agent({ keepAlive: false });
  const res = await send(agent, baseUrl, {
    method: "GET",
    path: `${SEARCH_PATH}?q=invoice`,
    headers: auth(who),
  });
  return !(res.status === 404 && res.body.includes("route_not_found"));
}

export async function benchSearch(
  server: Server,
  who: { admin: BenchIdentity; agent: BenchIdentity },
  options: { requests: number; concurrency: number },
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [role, identity] of [
    ["admin", who.admin],
    ["agent (2 groups)", who.agent],
  ] as const) {
    const result = await runLoad({
      baseUrl: server.url,
      serverPid: server.pid,
      concurrency: options.concurrency,
      requests: options.requests,
      next: () => ({
        method: "GET",
        path: `${SEARCH_PATH}?q=${encodeURIComponent(pick(SEARCH_QUERIES))}`,
        headers: auth(identity),
      }),
    });
    rows.push(
      failIfErrors({
        ...result,
        scenario: "search",
        label: `${role}, mixed queries`,
        concurrency: options.concurrency,
      }),
    );
  }
  return rows;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(n >= 100 ? 0 : 1) : "-");

export function table(rows: Row[]) {
  const lines = [
    "| scenario | request | concurrency | requests | non-2xx/errors | req/s | p50 ms | p95 ms | p99 ms | max ms | CPU ms/req: server | load generator | postgres |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.scenario} | ${r.label} | ${r.concurrency} | ${r.requests} | ${r.errors} | ${fmt(r.rps)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${r.serverCpuMs.toFixed(2)} | ${r.clientCpuMs.toFixed(2)} | ${r.postgresCpuMs.toFixed(2)} |`,
    );
  }
  return lines.join("\n");
}
