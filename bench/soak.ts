import http from "node:http";
import type WebSocket from "ws";
import { SecretBox } from "../server/auth/secret-box.ts";
import { createMailbox } from "../server/email/mailboxes.ts";
import { customerMail } from "./email.ts";
import { type BenchRequest, percentile, send } from "./load.ts";
import { fmt, type MemorySample, openRealtime, sampleMemory, slopePer10Min } from "./probe.ts";
import { newTicket, SEARCH_PATH } from "./scenarios.ts";
import { seedWorkspace, vacuumAnalyze } from "./seed.ts";
import { SmtpSender } from "./smtp-sender.ts";
import {
  benchIdentities,
  createBenchWorkspace,
  freePort,
  openTarget,
  startParley,
  type Target,
} from "./target.ts";
import { SEARCH_QUERIES, VOCABULARY } from "./words.ts";

// A mixed load held for minutes against one Parley process (a child, so its memory is its own):
// ticket creation, inbox reads, searches, replies and mail over SMTP at set rates, with idle agent
// websockets open the whole time. Open loop: each request leaves at its scheduled time whether or
// not earlier ones have been answered, so a slow server shows as latency, not as less load.
// Compared: each kind's latency in the first minutes against the last minutes, and the server's
// memory over the run. Target (docs/benchmarks.md): no p95 grows by more than 50%.

export interface SoakOptions {
  minutes: number;
  tickets: number;
  sockets: number;
  rates: Record<Kind, number>;
  log: (line: string) => void;
}

export const KINDS = ["create", "inbox", "search", "reply", "mail"] as const;
export type Kind = (typeof KINDS)[number];
export const DEFAULT_RATES: Record<Kind, number> = { create: 20, inbox: 50, search: 5, reply: 5, mail: 2 };

interface Sample {
  at: number; // seconds since the load began, at the scheduled send time
  ms: number;
  ok: boolean;
}

const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)];
const INBOX = "/api/v1/tickets?status=open&status=new&sort=updated_at&limit=50";

export async function benchSoak(target: Target, options: SoakOptions) {
  const { log } = options;
  const database = await openTarget(target, true);
  const workspaceId = await createBenchWorkspace(database.db);
  log(`seeding ${options.tickets} tickets into ${target.label} (SQL, not the API)`);
  const seeded = await seedWorkspace(database.db, workspaceId, { tickets: options.tickets, log });
  await vacuumAnalyze(database.db, log);
  const who = await benchIdentities(database.db, workspaceId, seeded.groupIds);
  const address = `support-${Date.now().toString(36)}@bench.example`;
  await createMailbox(database.db, new SecretBox(Buffer.alloc(32, 3)), workspaceId, {
    name: "Soak support",
    address,
    settings: { sendReceipt: false },
  });
  await database.close();

  const smtpPort = await freePort();
  const server = await startParley(target, {
    PARLEY_SMTP_PORT: String(smtpPort),
    PARLEY_SMTP_MAX_CONNECTIONS_PER_MINUTE: "1000000",
    PARLEY_SMTP_MAX_MESSAGES_PER_MINUTE: "10000000",
  });
  const sockets: WebSocket[] = [];
  try {
    let socketDrops = 0;
    for (let i = 0; i < options.sockets; i++) {
      const ws = await openRealtime(server.url, who.agent.token, () => {});
      ws.on("close", () => socketDrops++);
      sockets.push(ws);
    }
    log(`${sockets.length} agent websockets open; load for ${options.minutes} min`);

    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const admin = { authorization: `Bearer ${who.admin.token}` };
    const agentAuth = { authorization: `Bearer ${who.agent.token}` };
    // Replies go to tickets this run created, so they touch fresh rows as a working desk does.
    const created: number[] = [];
    const request: Record<Exclude<Kind, "mail">, (i: number) => BenchRequest> = {
      create: (i) => newTicket(who.admin, i, false),
      inbox: (i) => ({
        method: "GET",
        path: i % 2 ? `${INBOX}&groupId=${pick(who.agent.groupIds)}` : INBOX,
        headers: i % 2 ? agentAuth : admin,
      }),
      search: () => ({
        method: "GET",
        path: `${SEARCH_PATH}?q=${encodeURIComponent(pick(SEARCH_QUERIES))}`,
        headers: admin,
      }),
      reply: () => ({
        method: "POST",
        path: `/api/v1/tickets/${created.length ? pick(created.slice(-500)) : 1}/messages`,
        headers: admin,
        body: {
          body: `Thanks, ${Array.from({ length: 20 }, () => pick(VOCABULARY)).join(" ")}`,
          kind: "reply",
        },
      }),
    };
    const samples: Record<Kind, Sample[]> = { create: [], inbox: [], search: [], reply: [], mail: [] };
    const errorSamples: Record<Kind, string[]> = { create: [], inbox: [], search: [], reply: [], mail: [] };
    // Once the run is over, answers still outstanding after the drain limit count as unanswered.
    let closedBook = false;
    const record = (kind: Kind, at: number, t0: number, ok: boolean, why?: string) => {
      if (closedBook) return;
      samples[kind].push({ at, ms: performance.now() - t0, ok });
      if (!ok && why && errorSamples[kind].length < 3) errorSamples[kind].push(why.slice(0, 200));
    };

    // SMTP senders: one mail in flight each; more connections open when all are busy.
    const idleSenders: SmtpSender[] = [];
    const allSenders: SmtpSender[] = [];
    const run = `soak-${Date.now().toString(36)}`;
    const sendMail = async (i: number, at: number) => {
      const t0 = performance.now();
      let sender = idleSenders.pop();
      try {
        if (!sender) {
          sender = await SmtpSender.connect(smtpPort);
          allSenders.push(sender);
        }
        await sender.send("bounces@mail.example", [address], customerMail(run, i, address));
        record("mail", at, t0, true);
        idleSenders.push(sender);
      } catch (err) {
        record("mail", at, t0, false, (err as Error).message);
      }
    };

    const fire = async (kind: Exclude<Kind, "mail">, i: number, at: number) => {
      // Replies wait for the run's first ticket (seeded tickets may be closed, and refuse them).
      if (kind === "reply" && created.length === 0) {
        skipped++;
        return;
      }
      const req = request[kind](i);
      const t0 = performance.now();
      try {
        const res = await send(agent, server.url, req);
        const ok = res.status >= 200 && res.status < 300;
        record(kind, at, t0, ok, ok ? undefined : `${res.status} ${res.body}`);
        if (ok && kind === "create") created.push((JSON.parse(res.body) as { id: number }).id);
      } catch (err) {
        record(kind, at, t0, false, (err as Error).message);
      }
    };

    const memory: MemorySample[] = [];
    const durationMs = options.minutes * 60_000;
    const started = performance.now();
    memory.push(await sampleMemory(server.url, server.pid, 0));
    const sampler = setInterval(() => {
      void sampleMemory(server.url, server.pid, (performance.now() - started) / 1000).then((s) =>
        memory.push(s),
      );
    }, 10_000);
    const issued: Record<Kind, number> = { create: 0, inbox: 0, search: 0, reply: 0, mail: 0 };
    const inFlight = new Set<Promise<void>>();
    let maxBehindMs = 0;
    let maxInFlight = 0;
    let skipped = 0;
    let lastReport = started;
    // Every tick sends whatever is due. How late a send leaves against its schedule is "behind":
    // the load generator (or the event loop it shares with nothing else) falling short.
    while (performance.now() - started < durationMs) {
      const now = performance.now();
      for (const kind of KINDS) {
        const rate = options.rates[kind];
        if (rate <= 0) continue;
        for (;;) {
          const dueAt = issued[kind] * (1000 / rate);
          if (dueAt > now - started || dueAt >= durationMs) break;
          maxBehindMs = Math.max(maxBehindMs, now - started - dueAt);
          const i = issued[kind]++;
          const p = kind === "mail" ? sendMail(i, dueAt / 1000) : fire(kind, i, dueAt / 1000);
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
        }
        maxInFlight = Math.max(maxInFlight, inFlight.size);
      }
      if (now - lastReport > 60_000) {
        lastReport = now;
        const last = memory.at(-1);
        log(
          `${((now - started) / 60_000).toFixed(0)} min: ${inFlight.size} in flight, RSS ${fmt(last?.rssMb ?? Number.NaN, 0)} MB`,
        );
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const drainUntil = performance.now() + 30_000;
    while (inFlight.size > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
    const unanswered = inFlight.size;
    closedBook = true;
    clearInterval(sampler);
    memory.push(await sampleMemory(server.url, server.pid, (performance.now() - started) / 1000));
    agent.destroy();
    for (const sender of allSenders) void sender.close().catch(() => {});
    return {
      samples,
      errorSamples,
      memory,
      maxBehindMs,
      maxInFlight,
      unanswered,
      issued,
      skipped,
      socketDrops,
      sockets: sockets.length,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.stop();
  }
}

export type SoakResult = Awaited<ReturnType<typeof benchSoak>>;

function window(samples: Sample[], from: number, to: number) {
  const ms = samples
    .filter((s) => s.ok && s.at >= from && s.at < to)
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  return { n: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), max: ms.at(-1) ?? Number.NaN };
}

export function soakReport(result: SoakResult, options: SoakOptions): string {
  const total = options.minutes * 60;
  // The first and last quarter of the run, at most 5 minutes each.
  const w = Math.min(300, total / 4);
  const lines = [
    `Target: no p95 grows by more than 50% from the first ${fmt(w / 60)} min to the last ${fmt(w / 60)} min.`,
    "",
    `| kind | rate/s | sent | errors | first: p50 / p95 / max ms | last: p50 / p95 / max ms | p95 growth | met |`,
    "| --- | ---: | ---: | ---: | ---: | --- | --- | ---: | --- |",
  ];
  let allMet = true;
  for (const kind of KINDS) {
    const all = result.samples[kind];
    if (all.length === 0) continue;
    const first = window(all, 0, w);
    const last = window(all, total - w, total);
    const growth = (last.p95 / first.p95 - 1) * 100;
    const met = growth <= 50;
    allMet &&= met;
    const errors = all.filter((s) => !s.ok).length;
    const unanswered = result.issued[kind] - all.length - (kind === "reply" ? result.skipped : 0);
    lines.push(
      `| ${kind} | ${options.rates[kind]} | ${result.issued[kind]} | ${unanswered} | ${errors} | ${fmt(first.p50)} / ${fmt(first.p95)} / ${fmt(first.max, 0)} | ${fmt(last.p50)} / ${fmt(last.p95)} / ${fmt(last.max, 0)} | ${fmt(growth, 0)}% | ${met ? "yes" : "NO"} |`,
    );
  }
  const m = result.memory;
  const start = m[0];
  const end = m.at(-1)!;
  lines.push(
    "",
    "| server memory | start MB | end MB | slope MB / 10 min |",
    "| --- | ---: | ---: | ---: |",
    `| RSS | ${fmt(start.rssMb, 0)} | ${fmt(end.rssMb, 0)} | ${fmt(slopePer10Min(m, (s) => s.rssMb))} |`,
    `| V8 heap used | ${fmt(start.heapUsedMb, 0)} | ${fmt(end.heapUsedMb, 0)} | ${fmt(slopePer10Min(m, (s) => s.heapUsedMb))} |`,
    `| external (PGlite's WASM memory on PGlite) | ${fmt(start.externalMb, 0)} | ${fmt(end.externalMb, 0)} | ${fmt(slopePer10Min(m, (s) => s.externalMb))} |`,
    "",
    `Open loop: the latest send left ${fmt(result.maxBehindMs, 0)} ms behind its schedule; at most ${result.maxInFlight} requests were in flight at once; ${result.unanswered} were still unanswered 30 s after the end (left out). ${result.sockets} idle agent websockets, ${result.socketDrops} closed during the run.`,
    `Every p95 within +50%: ${allMet ? "yes" : "NO"}.`,
  );
  for (const kind of KINDS) {
    if (result.errorSamples[kind].length)
      lines.push(`${kind} errors, e.g.: ${result.errorSamples[kind].join(" | ")}`);
  }
  return lines.join("\n");
}
