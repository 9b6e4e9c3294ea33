import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import nodemailer from "nodemailer";
import { SecretBox } from "../server/auth/secret-box.ts";
import { createMailbox } from "../server/email/mailboxes.ts";
import { type EmailTrace, traceEmail } from "./email-trace.ts";
import { processCpuMs } from "./load.ts";
import { SmtpSender } from "./smtp-sender.ts";
import {
  benchIdentities,
  createBenchWorkspace,
  freePort,
  openTarget,
  startParley,
  type Target,
} from "./target.ts";
import { SUBJECT_OBJECTS, SUBJECT_PROBLEMS, VOCABULARY } from "./words.ts";

// Mail in, tickets out: Parley started as an operator runs it, with its SMTP listener on, and
// `senders` SMTP connections from this process delivering mails as fast as it answers. Measured:
// how fast mails are acknowledged (250 = stored), how fast they become tickets, and for each mail
// the time from its 250 to its ticket (the server's received_at and processed_at).

export interface EmailBenchOptions {
  messages: number;
  senders: number;
  warmUp: number;
  // Mails sent again afterwards with the server in the bench process, counting statements.
  traceMails: number;
  client: SmtpClient;
}

export interface EmailBenchResult {
  target: string;
  client: SmtpClient;
  messages: number;
  senders: number;
  bytes: number;
  acceptSeconds: number;
  ticketSeconds: number;
  // Whether every mail was a ticket within the wait limit; if not, tickets/s is an upper bound.
  settled: boolean;
  latencyMs: { p50: number; p95: number; max: number };
  failed: number;
  // CPU milliseconds per mail from the first send until every mail was processed: the Parley
  // process, this process (the SMTP senders and the polling), and PostgreSQL's processes for the
  // bench database plus its background writers (0 on PGlite, which runs inside Parley).
  cpuMs: { parley: number; bench: number; postgres: number };
  trace: EmailTrace | null;
  mailbox: { address: string; mailboxId: number; token: string };
  loadStart: string;
  loadEnd: string;
}

// CPU time of the PostgreSQL processes that work for this bench: the backends connected to its
// database and the server's own background processes (WAL writer, checkpointer), not the
// backends of other databases on the same server, which belong to other people's work.
function benchPostgresCpu(database: string): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const title = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      // A backend's title is "postgres: USER DATABASE HOST(PORT) STATE"; others name their role.
      const backend = /^postgres: (?:\S+: )?(\S+) (\S+) \S+\(\d+\)/.exec(title);
      if (backend && backend[2] !== database) continue;
      cpu.set(Number(entry), processCpuMs(Number(entry)));
    } catch {
      // the process ended meanwhile
    }
  }
  return cpu;
}

function postgresCpuSince(database: string, before: Map<number, number>) {
  let total = 0;
  for (const [pid, ms] of benchPostgresCpu(database)) total += ms - (before.get(pid) ?? 0);
  return total;
}

const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)];
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

// A customer mail of a few hundred bytes: 500 distinct senders, so most contacts already exist.
export function customerMail(run: string, i: number, to: string) {
  const words = Array.from({ length: 40 }, () => pick(VOCABULARY)).join(" ");
  const sender = i % 500;
  return [
    `From: Customer ${sender} <customer-${sender}@mail.example>`,
    `To: ${to}`,
    `Subject: ${pick(SUBJECT_OBJECTS)} ${pick(SUBJECT_PROBLEMS)}`,
    `Message-ID: <${run}-${i}@mail.example>`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Hello, ${words}.`,
    "",
    "Thanks,",
    `Customer ${sender}`,
    "",
  ].join("\r\n");
}

export type SmtpClient = "pipelining" | "nodemailer";

// `senders` connections deliver `bodies` as fast as they are answered, one mail in flight each.
async function send(port: number, to: string, bodies: string[], senders: number, client: SmtpClient) {
  let next = 0;
  const failures: string[] = [];
  const pipelining = async () => {
    const connection = await SmtpSender.connect(port);
    try {
      while (next < bodies.length) {
        const raw = bodies[next++];
        await connection.send("bounces@mail.example", [to], raw).catch((err: Error) => {
          failures.push(err.message);
        });
      }
    } finally {
      await connection.close();
    }
  };
  const viaNodemailer = async () => {
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 1,
      maxMessages: Number.POSITIVE_INFINITY,
    });
    try {
      while (next < bodies.length) {
        const raw = bodies[next++];
        await transport
          .sendMail({ envelope: { from: "bounces@mail.example", to: [to] }, raw })
          .catch((err) => {
            failures.push((err as Error).message);
          });
      }
    } finally {
      transport.close();
    }
  };
  await Promise.all(Array.from({ length: senders }, client === "nodemailer" ? viaNodemailer : pipelining));
  if (failures.length > 0) throw new Error(`${failures.length} mails refused, e.g. ${failures[0]}`);
}

interface InboundSummary {
  status: string;
  receivedAt: string;
  processedAt: string | null;
}

async function inboundPage(url: string, token: string, mailboxId: number, query: string) {
  const res = await fetch(`${url}/api/v1/mailboxes/${mailboxId}/inbound?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`inbound list: ${res.status} ${await res.text()}`);
  return (await res.json()) as { data: InboundSummary[]; nextCursor: string | null };
}

// False when mail still waits after `limitMs`: the figure is then "more than that".
async function waitUntilProcessed(
  url: string,
  token: string,
  mailboxId: number,
  limitMs = 300_000,
  pollMs = 100,
) {
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline) {
    const page = await inboundPage(url, token, mailboxId, "status=received&limit=1");
    if (page.data.length === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return false;
}

async function allInbound(url: string, token: string, mailboxId: number) {
  const rows: InboundSummary[] = [];
  let cursor: string | null = null;
  do {
    const page = await inboundPage(
      url,
      token,
      mailboxId,
      `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    rows.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return rows;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export async function benchEmail(target: Target, options: EmailBenchOptions): Promise<EmailBenchResult> {
  const database = await openTarget(target, true);
  const workspaceId = await createBenchWorkspace(database.db);
  const who = await benchIdentities(database.db, workspaceId, []);
  const address = `support-${Date.now().toString(36)}@bench.example`;
  // No "ticket received" replies: the bench measures mail in, and has no relay to send through.
  const mailbox = await createMailbox(database.db, new SecretBox(Buffer.alloc(32, 3)), workspaceId, {
    name: "Bench support",
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
  try {
    const token = who.admin.token;
    const run = `bench-${Date.now().toString(36)}`;
    await send(
      smtpPort,
      address,
      Array.from({ length: options.warmUp }, (_, i) => customerMail(`${run}-warm`, i, address)),
      options.senders,
      options.client,
    );
    if (!(await waitUntilProcessed(server.url, token, mailbox.id)))
      throw new Error("the warm-up mails were not processed within 5 minutes");
    const warmUpRows = options.warmUp;

    const bodies = Array.from({ length: options.messages }, (_, i) => customerMail(run, i, address));
    const loadStart = loadavg();
    const parleyCpu0 = processCpuMs(server.pid);
    const benchCpu0 = process.cpuUsage();
    const benchDatabase = target.databaseUrl ? new URL(target.databaseUrl).pathname.slice(1) : "";
    const postgresCpu0 = benchPostgresCpu(benchDatabase);
    const started = performance.now();
    await send(smtpPort, address, bodies, options.senders, options.client);
    const accepted = performance.now();
    const settled = await waitUntilProcessed(server.url, token, mailbox.id);
    const processed = performance.now();
    const parleyCpu = processCpuMs(server.pid) - parleyCpu0;
    const benchCpu = process.cpuUsage(benchCpu0);
    const postgresMs = target.kind === "postgres" ? postgresCpuSince(benchDatabase, postgresCpu0) : 0;
    const loadEnd = loadavg();

    const rows = (await allInbound(server.url, token, mailbox.id)).slice(0, -warmUpRows || undefined);
    const latencies = rows
      .filter((r) => r.processedAt)
      .map((r) => Date.parse(r.processedAt!) - Date.parse(r.receivedAt))
      .sort((a, b) => a - b);
    return {
      target: target.label,
      client: options.client,
      messages: options.messages,
      senders: options.senders,
      bytes: Math.round(bodies.reduce((n, b) => n + b.length, 0) / bodies.length),
      acceptSeconds: (accepted - started) / 1000,
      ticketSeconds: (processed - started) / 1000,
      settled,
      latencyMs: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        max: latencies.at(-1) ?? 0,
      },
      failed: rows.filter((r) => r.status !== "processed").length,
      cpuMs: {
        parley: parleyCpu / options.messages,
        bench: (benchCpu.user + benchCpu.system) / 1000 / options.messages,
        postgres: postgresMs / options.messages,
      },
      trace: null,
      mailbox: { address, mailboxId: mailbox.id, token },
      loadStart,
      loadEnd,
    };
  } finally {
    await server.stop();
  }
}

// The measured run, then the statement count on the same database with the server in-process.
export async function benchEmailWithTrace(target: Target, options: EmailBenchOptions) {
  const result = await benchEmail(target, options);
  if (options.traceMails > 0) result.trace = await traceRun(target, result, options);
  return result;
}

async function traceRun(target: Target, result: EmailBenchResult, options: EmailBenchOptions) {
  const { address, mailboxId, token } = result.mailbox;
  const run = `trace-${Date.now().toString(36)}`;
  return traceEmail(
    target,
    (port, count) =>
      send(
        port,
        address,
        Array.from({ length: count }, (_, i) => customerMail(run, i, address)),
        options.senders,
        options.client,
      ),
    // Polled slowly: each poll's own statements are counted too.
    (url) => waitUntilProcessed(url, token, mailboxId, 300_000, 1000),
    options.traceMails,
  );
}

export function emailTable(results: EmailBenchResult[]) {
  const lines = [
    "| database | client | mails | senders | avg size | accepted msgs/s | tickets msgs/s | 250 to ticket p50 / p95 / max ms | CPU ms/mail Parley / bench / PostgreSQL | not processed | load avg start / end |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | --- |",
  ];
  for (const r of results) {
    const cpu = [r.cpuMs.parley, r.cpuMs.bench, r.cpuMs.postgres].map((n) => n.toFixed(2)).join(" / ");
    lines.push(
      `| ${r.target} | ${r.client} | ${r.messages} | ${r.senders} | ${r.bytes} B | ${(r.messages / r.acceptSeconds).toFixed(0)} | ${r.settled ? "" : "< "}${(r.messages / r.ticketSeconds).toFixed(0)} | ${r.latencyMs.p50} / ${r.latencyMs.p95} / ${r.latencyMs.max} | ${cpu} | ${r.failed} | ${r.loadStart} / ${r.loadEnd} |`,
    );
  }
  for (const r of results) {
    if (!r.trace) continue;
    lines.push(
      "",
      `Statements per mail (${r.trace.mails} more mails, counted in-process): ${r.trace.perMail.toFixed(1)}, in ${r.trace.transactionsPerMail.toFixed(2)} transactions`,
      "",
      "| statement | per mail |",
      "| --- | ---: |",
      ...r.trace.top.filter((s) => s.perMail >= 0.01).map((s) => `| ${s.shape} | ${s.perMail.toFixed(2)} |`),
    );
  }
  return lines.join("\n");
}
