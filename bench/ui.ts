// `npm run bench -- ui`: what an agent waits for in the browser. The production build's JS (what
// the inbox's first load fetches, gzipped, and the whole of app/dist), the inbox's time to
// interactive and the ticket page's load time, in Debian's Chromium against a Parley on
// localhost holding --tickets seeded tickets. See docs/benchmarks.md, "UI".
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { sql } from "kysely";
import { type BrowserContext, chromium } from "playwright-core";
import { createUser } from "../server/workspaces/service.ts";
import { seedWorkspace, vacuumAnalyze } from "./seed.ts";
import {
  benchTarget,
  createBenchWorkspace,
  dropTarget,
  findBenchWorkspace,
  markSeeded,
  openTarget,
  REPO_ROOT,
  startParley,
  targetExists,
} from "./target.ts";

const HELP = `Usage: npm run bench -- ui [options]

Measures the agent app in Chromium: first-load JS of the inbox (gzipped), time to interactive of
the inbox and load time of a ticket page, cold and warm cache, median of --loads page loads.

Options:
  --tickets <n>   tickets to seed (default 100000)
  --reuse         reuse a database seeded earlier with the same --tickets (see docs/benchmarks.md)
  --keep          keep the database afterwards (default: drop it)
  --loads <n>     page loads per case (default 7)

Uses the PostgreSQL server of DATABASE_URL (database PARLEY_BENCH_DATABASE, default parley_bench)
or embedded PGlite when DATABASE_URL is unset; Chromium from PARLEY_CHROMIUM or /usr/bin/chromium.`;

const { values } = parseArgs({
  args: process.argv.slice(3),
  allowPositionals: true,
  options: {
    tickets: { type: "string", default: "100000" },
    reuse: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    loads: { type: "string", default: "7" },
    help: { type: "boolean", short: "h" },
  },
});

const CHROMIUM = process.env.PARLEY_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];
const DIST = join(REPO_ROOT, "app", "dist");
const PASSWORD = "bench-ui-password";
const log = (line: string) => process.stderr.write(`[bench ui] ${line}\n`);
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

// Both pages are "ready" when what an agent looks for is on screen. These run in the page,
// installed before its own scripts, and note the time since navigation start.
const READY_SCRIPT = `(() => {
  const marks = {};
  const visible = (el) => el && el.getClientRects().length > 0;
  const check = () => {
    const row = document.querySelector('main a[href^="/tickets/"]');
    const counts = [...document.querySelectorAll('nav[aria-label="Views"] a')].some((a) => /\\d/.test(a.textContent));
    if (!marks.inbox && visible(row) && counts) marks.inbox = performance.now();
    const thread = document.querySelector('ol[aria-label="Conversation"] li');
    const properties = document.getElementById("properties-title");
    if (!marks.ticket && visible(thread) && visible(properties)) marks.ticket = performance.now();
  };
  window.__parleyReady = marks;
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

interface Load {
  ms: number;
  jsUrls: string[];
  transferredJs: number;
  // The slowest API request before ready (fetch start to last byte) and its path.
  apiMs: number;
  apiPath: string;
}

interface ApiEntry {
  name: string;
  startTime: number;
  responseEnd: number;
}

// One page load in a fresh or reused context; returns ms from navigation start to ready and
// the JS the page fetched over the network (from Chromium's network events).
async function measure(context: BrowserContext, url: string, mark: "inbox" | "ticket"): Promise<Load> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const scripts = new Map<string, string>();
  const sizes = new Map<string, number>();
  cdp.on("Network.responseReceived", (e) => {
    if (e.type === "Script") scripts.set(e.requestId, e.response.url);
  });
  cdp.on("Network.loadingFinished", (e) => sizes.set(e.requestId, e.encodedDataLength));
  await page.goto(url, { waitUntil: "commit" });
  const handle = await page.waitForFunction(
    (name) =>
      (globalThis as unknown as { __parleyReady?: Record<string, number> }).__parleyReady?.[name] ?? false,
    mark,
    { timeout: 60_000 },
  );
  const ms = Number(await handle.jsonValue());
  // The API requests the page made before it was ready, to tell server time from browser time.
  const api = (await page.evaluate((readyAt) => {
    const perf = (globalThis as unknown as { performance: { getEntriesByType(t: string): ApiEntry[] } })
      .performance;
    return perf
      .getEntriesByType("resource")
      .filter((e) => e.name.includes("/api/v1/") && e.responseEnd <= readyAt)
      .map((e) => ({ name: e.name, startTime: e.startTime, responseEnd: e.responseEnd }));
  }, ms)) as ApiEntry[];
  // Whatever the page fetches right after it is ready (chunks it preloads) counts as first load.
  await page.waitForLoadState("networkidle");
  const transferredJs = [...scripts.keys()].reduce((sum, id) => sum + (sizes.get(id) ?? 0), 0);
  await page.close();
  const apiMs = Math.max(0, ...api.map((e) => e.responseEnd - e.startTime));
  const apiPath = api.find((e) => e.responseEnd - e.startTime === apiMs)?.name ?? "";
  return {
    ms,
    jsUrls: [...new Set(scripts.values())],
    transferredJs,
    apiMs,
    apiPath: new URL(apiPath || "http://x/").pathname,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function gzipSize(file: string) {
  const gz = `${file}.gz`;
  return statSync(gz, { throwIfNoEntry: false })?.size ?? gzipSync(readFileSync(file), { level: 9 }).length;
}

function distTotals() {
  const assets = join(DIST, "assets");
  const js = readdirSync(assets).filter((f) => f.endsWith(".js"));
  return {
    files: js.length,
    raw: js.reduce((sum, f) => sum + statSync(join(assets, f)).size, 0),
    gzip: js.reduce((sum, f) => sum + gzipSize(join(assets, f)), 0),
  };
}

async function prepare(tickets: number) {
  const target = benchTarget();
  const reusing = values.reuse && (await targetExists(target));
  const database = await openTarget(target, !reusing);
  const db = database.db;
  let ws = reusing ? await findBenchWorkspace(db, tickets) : null;
  if (ws) log(`reusing workspace ${ws.workspaceId} with ${tickets} seeded tickets`);
  else {
    const workspaceId = await createBenchWorkspace(db);
    log(`seeding ${tickets} tickets into ${target.label} workspace ${workspaceId}`);
    const seeded = await seedWorkspace(db, workspaceId, { tickets, log });
    await vacuumAnalyze(db, log);
    await markSeeded(db, workspaceId, tickets);
    ws = { workspaceId, groupIds: seeded.groupIds, seededTickets: tickets };
  }
  const email = `ui-${Date.now().toString(36)}@bench.test`;
  await createUser(db, ws.workspaceId, { name: "Bench UI", email, role: "admin", password: PASSWORD });
  const version = (await sql<{ v: string }>`select version() as v`.execute(db)).rows[0].v;
  await database.close();
  return { target, email, version: version.split(" on ")[0] };
}

async function main() {
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const tickets = Number(values.tickets);
  const loads = Number(values.loads);
  log("building the agent app if its sources changed");
  execFileSync(process.execPath, [join(REPO_ROOT, "app", "build.ts")], { stdio: "inherit" });
  const { target, email, version } = await prepare(tickets);
  const server = await startParley(target);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const loadAtStart = loadavg();
  try {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
    // The request API shares the context's cookie jar: signing in here signs in its pages.
    const login = await context.request.post("/api/v1/auth/login", { data: { email, password: PASSWORD } });
    if (!login.ok()) throw new Error(`sign-in failed: ${login.status()} ${await login.text()}`);
    const cookies = await context.cookies();
    const views = (await (await context.request.get("/api/v1/views")).json()).data as Array<{
      id: number;
      name: string;
      count: number;
    }>;
    const allOpen = views.find((v) => v.name === "All open") ?? views[0];
    const tickets1 = await (await context.request.get("/api/v1/tickets?limit=1&sort=updated_at")).json();
    const ticketId = tickets1.data[0].id;
    await context.close();
    const inboxUrl = `/views/${allOpen.id}`;
    const ticketUrl = `/tickets/${ticketId}`;
    log(`inbox ${inboxUrl} (${allOpen.name}: ${allOpen.count} tickets), ticket ${ticketUrl}`);

    const results: Record<string, number[]> = {};
    const apiResults: Record<string, Load[]> = {};
    let firstLoad: Load | null = null;
    // Cold: a new browser context per load, so nothing is cached. Warm: one context, loaded once
    // before measuring, so hashed assets come from the HTTP cache (they are immutable).
    for (const [mark, url] of [
      ["inbox", inboxUrl],
      ["ticket", ticketUrl],
    ] as const) {
      results[`${mark} cold`] = [];
      apiResults[`${mark} cold`] = [];
      for (let i = 0; i < loads; i++) {
        const cold = await browser.newContext({
          baseURL: server.url,
          viewport: { width: 1280, height: 800 },
        });
        await cold.addCookies(cookies);
        await cold.addInitScript(READY_SCRIPT);
        const load = await measure(cold, url, mark);
        if (mark === "inbox" && !firstLoad) firstLoad = load;
        results[`${mark} cold`].push(load.ms);
        apiResults[`${mark} cold`].push(load);
        await cold.close();
      }
      const warm = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
      await warm.addCookies(cookies);
      await warm.addInitScript(READY_SCRIPT);
      await measure(warm, url, mark);
      results[`${mark} warm`] = [];
      apiResults[`${mark} warm`] = [];
      for (let i = 0; i < loads; i++) {
        const load = await measure(warm, url, mark);
        results[`${mark} warm`].push(load.ms);
        apiResults[`${mark} warm`].push(load);
      }
      await warm.close();
    }
    print({ tickets, version, target: target.label, loads, results, apiResults, firstLoad, loadAtStart });
  } finally {
    await browser.close();
    await server.stop();
    if (!values.keep) await dropTarget(target);
  }
}

interface Report {
  tickets: number;
  version: string;
  target: string;
  loads: number;
  results: Record<string, number[]>;
  apiResults: Record<string, Load[]>;
  firstLoad: Load | null;
  loadAtStart: string;
}

function print(r: Report) {
  const assets = join(DIST, "assets");
  const firstJs = (r.firstLoad?.jsUrls ?? []).map((u) => new URL(u).pathname.replace("/assets/", ""));
  const firstGzip = firstJs.reduce((sum, f) => sum + gzipSize(join(assets, f)), 0);
  const dist = distTotals();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const out = [
    `database:  ${r.target} (${r.version}), ${r.tickets} tickets seeded`,
    `machine:   ${os.availableParallelism()} cores, ${os.cpus()[0]?.model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
    `browser:   ${CHROMIUM}, 1280x800, localhost`,
    `load avg:  ${r.loadAtStart} (1, 5, 15 min) at start, ${loadavg()} at end`,
    "",
    "| JS | files | gzipped | raw |",
    "| --- | ---: | ---: | ---: |",
    `| inbox first load (fetched by the page) | ${firstJs.length} | ${kb(firstGzip)} | ${kb(firstJs.reduce((s, f) => s + statSync(join(assets, f)).size, 0))} |`,
    `| all of app/dist | ${dist.files} | ${kb(dist.gzip)} | ${kb(dist.raw)} |`,
    "",
    `inbox first load, as transferred (brotli, with headers): ${kb(r.firstLoad?.transferredJs ?? 0)}; files: ${firstJs.join(", ")}`,
    "",
    `| page load, ms from navigation start (${r.loads} loads) | median | min | max | slowest API request before ready, median ms |`,
    "| --- | ---: | ---: | ---: | --- |",
    ...Object.entries(r.results).map(([name, xs]) => {
      const api = r.apiResults[name] ?? [];
      const slowest = median(api.map((l) => l.apiMs));
      const paths = [...new Set(api.map((l) => l.apiPath))].join(", ");
      return `| ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} | ${slowest.toFixed(0)} (${paths}) |`;
    }),
    "",
  ];
  process.stdout.write(out.join("\n"));
}

try {
  await main();
  process.exit(0);
} catch (error) {
  process.stderr.write(
    `bench ui: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}
