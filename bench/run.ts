import os from "node:os";
import { parseArgs } from "node:util";
import { sql } from "kysely";
import { benchEmailWithTrace, emailTable } from "./email.ts";
import { type Traced, traceRequests } from "./explain.ts";
import { benchFanout, fanoutReport } from "./fanout.ts";
import {
  benchCreate,
  benchInbox,
  benchSearch,
  newTicket,
  type Row,
  searchAvailable,
  table,
} from "./scenarios.ts";
import { seedWorkspace, vacuumAnalyze } from "./seed.ts";
import { benchSoak, DEFAULT_RATES, KINDS, type Kind, soakReport } from "./soak.ts";
import {
  benchIdentities,
  benchTarget,
  createBenchWorkspace,
  dropTarget,
  findBenchWorkspace,
  markSeeded,
  openTarget,
  startParley,
  targetExists,
} from "./target.ts";

// `ui` drives a browser (bench/ui.ts, its own options and report); it exits when done.
if (process.argv[2] === "ui") await import("./ui.ts");

const HELP = `Usage: npm run bench -- [command] [options]

Commands:
  all       seed, then ticket creation, inbox and search (default)
  create    ticket creation over HTTP at each --concurrency for --duration seconds
  inbox     inbox view: open+new tickets of a group, newest activity first, 50 a page
  search    GET /api/v1/search with a mix of queries
  email     mail over SMTP into tickets: --messages mails from --senders connections
  soak      mixed open-loop load for --minutes against one server process, with idle agent
            websockets: p95 per kind first vs last minutes, the server's memory over time
  fanout    --agents websockets over --instances servers; ticket changes through the API,
            time from each change's answer to every allowed socket's receipt
  seed      only seed --tickets tickets (keeps the database; run the others with --reuse)
  drop      drop the bench database (or PGlite directory)

Options:
  --tickets <n>         tickets to seed (default 10000)
  --concurrency <list>  e.g. 1,16,64 (create default 1,16,64; inbox and search default 1)
  --duration <s>        seconds per create level (default 10)
  --requests <n>        requests per inbox/search case (default 500)
  --idempotency         send an Idempotency-Key with every create
  --reuse               reuse a database seeded earlier with the same --tickets
  --keep                keep the database afterwards (default: drop it)
  --messages <n>        email: mails to send after a 200-mail warm-up (default 3000)
  --senders <n>         email: concurrent SMTP connections (default 10)
  --trace-mails <n>     email: mails sent afterwards to count statements per mail (default 500, 0: none)
  --client <name>       email: pipelining (an MTA-like sender, default) or nodemailer
  --minutes <n>         soak: how long to hold the load (default 20)
  --rates <list>        soak: per second, e.g. create=20,inbox=50,search=5,reply=5,mail=2 (the default)
  --sockets <n>         soak: idle agent websockets held open (default 50)
  --agents <n>          fanout: websockets, one agent each (default 1000)
  --instances <n>       fanout: Parley processes on the one database (default 3; 1 on PGlite)
  --changes <n>         fanout: ticket changes to time (default 200)

soak seeds --tickets tickets (default 10000) first.

Uses the PostgreSQL server of DATABASE_URL (database parley_bench, made afresh) or, when
DATABASE_URL is unset, an embedded PGlite directory. See docs/benchmarks.md.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tickets: { type: "string", default: "10000" },
    concurrency: { type: "string" },
    duration: { type: "string", default: "10" },
    requests: { type: "string", default: "500" },
    idempotency: { type: "boolean", default: false },
    reuse: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    messages: { type: "string", default: "3000" },
    senders: { type: "string", default: "10" },
    "trace-mails": { type: "string", default: "500" },
    client: { type: "string", default: "pipelining" },
    minutes: { type: "string", default: "20" },
    rates: { type: "string" },
    sockets: { type: "string", default: "50" },
    agents: { type: "string", default: "1000" },
    instances: { type: "string" },
    changes: { type: "string", default: "200" },
    help: { type: "boolean", short: "h" },
  },
});

const command = positionals[0] ?? "all";
if (
  values.help ||
  !["all", "create", "inbox", "search", "seed", "drop", "email", "soak", "fanout"].includes(command)
) {
  process.stdout.write(`${HELP}\n`);
  process.exit(values.help ? 0 : 1);
}
const tickets = Number(values.tickets);
const concurrencyList = (values.concurrency ?? (["all", "create"].includes(command) ? "1,16,64" : "1"))
  .split(",")
  .map(Number);
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function main() {
  const target = benchTarget();
  if (command === "drop") {
    await dropTarget(target);
    log(`dropped the ${target.label} bench database`);
    return;
  }
  if (command === "soak" || command === "fanout") {
    process.stdout.write(
      `database:  ${target.label}\nmachine:   ${os.availableParallelism()} cores, ${os.cpus()[0]?.model}\nnode:      ${process.version}\nload avg:  ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(", ")} at start\n\n`,
    );
    if (command === "soak") {
      const rates = { ...DEFAULT_RATES };
      for (const part of (values.rates ?? "").split(",").filter(Boolean)) {
        const [kind, rate] = part.split("=");
        if (!KINDS.includes(kind as Kind) || !(Number(rate) >= 0)) throw new Error(`--rates: bad "${part}"`);
        rates[kind as Kind] = Number(rate);
      }
      const options = {
        minutes: Number(values.minutes),
        tickets,
        sockets: Number(values.sockets),
        rates,
        log,
      };
      const result = await benchSoak(target, options);
      process.stdout.write(`${soakReport(result, options)}\n`);
    } else {
      const instances = target.kind === "pglite" ? 1 : Number(values.instances ?? "3");
      if (target.kind === "pglite" && values.instances && values.instances !== "1")
        log("PGlite is one process's database: one instance");
      const result = await benchFanout(target, {
        agents: Number(values.agents),
        instances,
        changes: Number(values.changes),
        log,
      });
      process.stdout.write(`${fanoutReport(result)}\n`);
    }
    if (!values.keep) await dropTarget(target);
    process.exit(0);
  }
  if (command === "email") {
    process.stdout.write(
      `database:  ${target.label}\nmachine:   ${os.availableParallelism()} cores, ${os.cpus()[0]?.model}\nnode:      ${process.version}\n`,
    );
    const options = {
      messages: Number(values.messages),
      senders: Number(values.senders),
      warmUp: 200,
      traceMails: Number(values["trace-mails"]),
      client: values.client === "nodemailer" ? ("nodemailer" as const) : ("pipelining" as const),
    };
    log(
      `sending ${options.messages} mails over ${options.senders} SMTP connections (${options.client}) to ${target.label}`,
    );
    const result = await benchEmailWithTrace(target, options);
    process.stdout.write(`\n${emailTable([result])}\n`);
    if (!values.keep) await dropTarget(target);
    return;
  }
  const reusing = values.reuse && (await targetExists(target));
  const database = await openTarget(target, !reusing);
  const db = database.db;
  let ws = reusing ? await findBenchWorkspace(db, tickets) : null;
  if (ws) log(`reusing workspace ${ws.workspaceId} with ${tickets} seeded tickets`);
  else {
    const workspaceId = await createBenchWorkspace(db);
    log(`seeding ${tickets} tickets into ${target.label} workspace ${workspaceId} (SQL, not the API)`);
    const seeded = await seedWorkspace(db, workspaceId, { tickets, log });
    log(`seeded ${seeded.tickets} tickets, ${seeded.messages} messages in ${seeded.seconds.toFixed(0)} s`);
    await vacuumAnalyze(db, log);
    await markSeeded(db, workspaceId, tickets);
    ws = { workspaceId, groupIds: seeded.groupIds, seededTickets: tickets };
  }
  const who = await benchIdentities(db, ws.workspaceId, ws.groupIds);
  const version = (await sql<{ v: string }>`select version() as v`.execute(db)).rows[0].v;
  await database.close();
  if (command === "seed") return;

  printMachine(target.label, version);
  const rows: Row[] = [];
  const traced: Traced[] = [];
  const requests = Number(values.requests);
  if (command === "all" || command === "inbox" || command === "search") {
    const server = await startParley(target);
    let searchMissing = false;
    try {
      if (command !== "search") {
        rows.push(...(await benchInbox(server, who, { requests, concurrency: concurrencyList[0] })));
      }
      if (command !== "inbox") {
        if (await searchAvailable(server.url, who.admin)) {
          rows.push(...(await benchSearch(server, who, { requests, concurrency: concurrencyList[0] })));
        } else searchMissing = true;
      }
    } finally {
      await server.stop();
    }
    if (searchMissing) log("GET /api/v1/search is not there yet: search skipped");
    // Explained now, before the create bench adds thousands of new tickets to the inboxes.
    const slowest = rows.filter((r) => r.errors === 0 && r.slowest.length > 0).map((r) => r.slowest[0].req);
    traced.push(...(await traceRequests(target, slowest, true)));
  }
  if (command === "all" || command === "create") {
    const server = await startParley(target);
    try {
      const durationSec = Number(values.duration);
      const concurrency = command === "all" && !values.concurrency ? [1, 16, 64] : concurrencyList;
      rows.push(
        ...(await benchCreate(server, who.admin, {
          concurrency,
          durationSec,
          idempotency: values.idempotency,
        })),
      );
    } finally {
      await server.stop();
    }
    traced.push(...(await traceRequests(target, [newTicket(who.admin, 0, values.idempotency)], false)));
  }
  process.stdout.write(`\n${table(rows)}\n`);
  printTraces(traced);
  if (!values.keep) {
    await dropTarget(target);
    log("dropped the bench database (--keep keeps it)");
  }
}

function printMachine(label: string, version: string) {
  const cpu = os.cpus()[0]?.model ?? "unknown";
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
  process.stdout.write(
    [
      `database:  ${label} (${version.split(" on ")[0]})`,
      `tickets:   ${tickets} seeded`,
      `machine:   ${os.availableParallelism()} cores, ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
      `node:      ${process.version}`,
      `load avg:  ${load} (1, 5, 15 min) at start`,
      "",
    ].join("\n"),
  );
}

function printTraces(traced: Traced[]) {
  process.stdout.write("\n| request | statements | summed statement time ms |\n| --- | ---: | ---: |\n");
  for (const t of traced) {
    process.stdout.write(`| ${shorten(t.request)} | ${t.queries} | ${t.dbMs.toFixed(1)} |\n`);
  }
  const seen = new Set<string>();
  for (const t of traced) {
    if (!t.plan || !t.slowest || seen.has(t.slowest.sql)) continue;
    seen.add(t.slowest.sql);
    process.stdout.write(
      `\n### slowest statement of ${shorten(t.request)} (${t.slowest.ms.toFixed(1)} ms)\n` +
        `${t.slowest.sql}\n-- parameters: ${JSON.stringify(t.slowest.parameters)}\n${t.plan}\n`,
    );
  }
  process.stdout.write(
    `\nload avg at end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}\n`,
  );
}

const shorten = (request: string) => request.replace(/cursor=[^&]+/, "cursor=...");

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
