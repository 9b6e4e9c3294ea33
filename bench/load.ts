import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";

// A closed-loop HTTP load generator: `concurrency` workers each keep one request in flight on
// their own keep-alive socket, so the offered load is exactly what the server can absorb.
// Node's own client keeps the bench free of dependencies; on this machine it costs ~40 us of
// CPU per request, which the figures in docs/benchmarks.md include (same 2 cores as the server).

export interface BenchRequest {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface BenchResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface LoadOptions {
  baseUrl: string;
  concurrency: number;
  // Stop after this many seconds or this many requests, whichever comes first.
  durationSec?: number;
  requests?: number;
  next: (i: number) => BenchRequest;
  // Called with each answer, e.g. to follow a cursor; must not throw.
  onResponse?: (req: BenchRequest, res: BenchResponse) => void;
  // The server's process id, to report the CPU it spent per request.
  serverPid?: number;
  // Connections opened by an earlier run (a warm-up), so this one measures the steady state.
  agent?: http.Agent;
  // Count only this database's backends (and the server's own background processes) in the
  // PostgreSQL column, so other people's queries on a shared server stay out of the figure.
  database?: string;
}

export interface LoadResult {
  requests: number;
  ok: number;
  errors: number;
  errorSamples: string[];
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  // CPU milliseconds per completed request: the server process, and this load generator.
  serverCpuMs: number;
  clientCpuMs: number;
  // Every postgres process on the machine (other users of the server included).
  postgresCpuMs: number;
  // The slowest requests, so the caller can explain them.
  slowest: { ms: number; req: BenchRequest }[];
}

export function send(agent: http.Agent, baseUrl: string, req: BenchRequest): Promise<BenchResponse> {
  const url = new URL(req.path, baseUrl);
  const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
  return new Promise((resolve, reject) => {
    const r = http.request(
      url,
      {
        method: req.method,
        agent,
        headers: {
          ...(payload
            ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
            : {}),
          ...req.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on("error", reject);
      },
    );
    r.on("error", reject);
    r.end(payload);
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = options.agent ?? new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  const slowest: { ms: number; req: BenchRequest }[] = [];
  const errorSamples: string[] = [];
  let issued = 0;
  let errors = 0;
  let ok = 0;
  const serverCpu0 = processCpuMs(options.serverPid);
  const clientCpu0 = process.cpuUsage();
  const postgresCpu0 = postgresCpu(options.database);
  const started = performance.now();
  const deadline = options.durationSec ? started + options.durationSec * 1000 : Number.POSITIVE_INFINITY;
  const limit = options.requests ?? Number.POSITIVE_INFINITY;

  const worker = async () => {
    while (issued < limit && performance.now() < deadline) {
      const req = options.next(issued++);
      const t0 = performance.now();
      let res: BenchResponse;
      try {
        res = await send(agent, options.baseUrl, req);
      } catch (err) {
        errors++;
        if (errorSamples.length < 5)
          errorSamples.push(`${req.method} ${req.path}: ${(err as Error).message}`);
        continue;
      }
      const ms = performance.now() - t0;
      latencies.push(ms);
      if (res.status < 200 || res.status > 299) {
        errors++;
        if (errorSamples.length < 5)
          errorSamples.push(`${req.method} ${req.path}: ${res.status} ${res.body.slice(0, 300)}`);
      } else {
        ok++;
        options.onResponse?.(req, res);
      }
      if (slowest.length < 5 || ms > slowest[slowest.length - 1].ms) {
        slowest.push({ ms, req });
        slowest.sort((a, b) => b.ms - a.ms);
        slowest.length = Math.min(slowest.length, 5);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const serverCpu = processCpuMs(options.serverPid) - serverCpu0;
  const clientCpu = process.cpuUsage(clientCpu0);
  const postgresMs = cpuSince(postgresCpu0, options.database);
  if (!options.agent) agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: ok + errors,
    ok,
    errors,
    errorSamples,
    seconds,
    rps: ok / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    serverCpuMs: serverCpu / Math.max(1, ok + errors),
    clientCpuMs: (clientCpu.user + clientCpu.system) / 1000 / Math.max(1, ok + errors),
    postgresCpuMs: postgresMs / Math.max(1, ok + errors),
    slowest,
  };
}

// CPU time of the PostgreSQL server processes, per process id. A backend that exits during a
// run takes its time with it, so the difference of two snapshots undercounts a little. With
// `database`, backends of other databases are left out (their title names their database:
// "postgres: 15/main: user dbname 127.0.0.1(5432) idle"); background processes stay in.
export function postgresCpu(database?: string): Map<number, number> {
  const cpu = new Map<number, number>();
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        if (!stat.includes("(postgres)")) continue;
        const served = database === undefined ? null : backendDatabase(entry);
        if (served !== null && served !== database) continue;
        cpu.set(Number(entry), processCpuMs(Number(entry)));
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    // not Linux
  }
  return cpu;
}

export function cpuSince(before: Map<number, number>, database?: string): number {
  let total = 0;
  for (const [pid, ms] of postgresCpu(database)) total += ms - (before.get(pid) ?? 0);
  return total;
}

// The database a client backend serves, from its process title; null for background processes.
function backendDatabase(pid: string): string | null {
  const title = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  const match = /^postgres: (?:[^:]+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])/.exec(title);
  return match ? match[1] : null;
}

// User + system CPU time of a process from /proc (Linux; clock ticks of 10 ms). NaN elsewhere.
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}
