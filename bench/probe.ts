import { readFileSync } from "node:fs";
import WebSocket from "ws";

// What a running Parley process holds: its resident set from /proc (the whole process, PGlite's
// WASM memory included) and V8's heap from its own /metrics (prom-client's default metrics).

export interface MemorySample {
  // Seconds since the start of the run.
  at: number;
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
}

export function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return kb ? Number(kb[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export async function sampleMemory(url: string, pid: number | undefined, at: number): Promise<MemorySample> {
  let heapUsedMb = Number.NaN;
  let externalMb = Number.NaN;
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const value = (name: string) => {
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, "m").exec(text);
      return m ? Number(m[1]) / 2 ** 20 : Number.NaN;
    };
    heapUsedMb = value("nodejs_heap_size_used_bytes");
    externalMb = value("nodejs_external_memory_bytes");
  } catch {
    // the figure stays NaN; RSS still tells the story
  }
  return { at, rssMb: rssMb(pid), heapUsedMb, externalMb };
}

// Least-squares slope of `y` over `at` (seconds), scaled to MB per 10 minutes.
export function slopePer10Min(samples: MemorySample[], y: (s: MemorySample) => number): number {
  const points = samples.filter((s) => Number.isFinite(y(s)));
  if (points.length < 2) return Number.NaN;
  const n = points.length;
  const mx = points.reduce((a, s) => a + s.at, 0) / n;
  const my = points.reduce((a, s) => a + y(s), 0) / n;
  let num = 0;
  let den = 0;
  for (const s of points) {
    num += (s.at - mx) * (y(s) - my);
    den += (s.at - mx) ** 2;
  }
  return den === 0 ? Number.NaN : (num / den) * 600;
}

// A websocket signed in with an API token (`?token=`), resolved once the server says "ready".
export function openRealtime(
  url: string,
  token: string,
  onMessage: (message: { type: string; [key: string]: unknown }, receivedAt: number) => void,
): Promise<WebSocket> {
  const ws = new WebSocket(
    `${url.replace(/^http/, "ws")}/api/v1/realtime?token=${encodeURIComponent(token)}`,
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("websocket: no ready in 60 s")), 60_000);
    ws.on("message", (data) => {
      const receivedAt = performance.now();
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type === "ready") {
        clearTimeout(timer);
        resolve(ws);
      }
      onMessage(message, receivedAt);
    });
    ws.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.once("close", (code) => {
      clearTimeout(timer);
      reject(new Error(`websocket closed with ${code} before ready`));
    });
  });
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
